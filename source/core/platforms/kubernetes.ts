/* Kubernetes service account tokens: recognised by their kubernetes.io claim, whatever the cluster's issuer. */
import type {Platform} from './platform.js';

export const kubernetes: Platform = {
	id: 'kubernetes',
	recognise: ({claims}) =>
		'kubernetes.io' in claims ? {label: 'Kubernetes service account token'} : undefined,
};
