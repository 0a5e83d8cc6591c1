/* Buildkite: tokens minted by buildkite-agent inside a job; one issuer shared by every customer. */
import {shellQuote} from '../snippet-quoting.js';
import type {Platform} from './platform.js';

export const buildkite: Platform = {
	id: 'buildkite',
	recognise: ({host}) => (host === 'agent.buildkite.com' ? {label: 'Buildkite token'} : undefined),
	tokenSources: {buildkite: {mints: true, requestsAudience: true}},
	tokenWithAudience: audience => [`buildkite-agent oidc request-token --audience ${shellQuote(audience)}`],
	roleLint: {
		writtenFor: {claimKeys: /^(?:organization_slug|pipeline_slug)$/, issuer: /buildkite/},
		projectClaims: /^(?:pipeline_slug|pipeline_id)$/,
		organizationOnly: 'every pipeline of the organization can log in; bind pipeline_slug',
		unboundNote: "Buildkite's issuer is shared by every customer",
	},
};
