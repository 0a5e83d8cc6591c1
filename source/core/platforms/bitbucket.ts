/* Bitbucket Pipelines: recognised by its issuer; the doctor has no advice of its own for it yet. */
import type {Platform} from './platform.js';

export const bitbucket: Platform = {
	id: 'bitbucket',
	recognise: ({host}) => (host === 'api.bitbucket.org' ? {label: 'Bitbucket Pipelines token'} : undefined),
};
