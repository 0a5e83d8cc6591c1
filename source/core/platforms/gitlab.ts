/* GitLab CI: ID tokens declared per job with id_tokens:, each with its own aud. */
import {yamlQuote} from '../snippet-quoting.js';
import {hasClaim, type Platform} from './platform.js';

export const gitlab: Platform = {
	id: 'gitlab',
	recognise: ({claims}) =>
		'project_path' in claims && 'ref_protected' in claims ? {label: 'GitLab CI id_token'} : undefined,
	tokenSources: {gitlab: {}},
	tokenWithAudience: audience => [
		`# .gitlab-ci.yml\nid_tokens:\n  VAULT_ID_TOKEN:\n    aud: ${yamlQuote(audience)}`,
	],
	noToken: {
		snippet:
			'# GitLab CI: declare an ID token in the job\nid_tokens:\n  VAULT_ID_TOKEN:\n    aud: https://vault.example.com',
		cause: 'GitLab needs an id_tokens: block',
		step: 'GitLab: add id_tokens: VAULT_ID_TOKEN: aud: <aud>',
	},
	audienceRequest: 'GitLab id_tokens: aud',
	projectClaims: 'GitLab project_id and ref_protected',
	onboarding: {
		bindings: claims => ['project_path', 'ref', 'ref_protected'].filter(key => hasClaim(claims, key)),
	},
	roleLint: {
		writtenFor: {
			claimKeys: /^(?:project_path|ref_protected|namespace_path|namespace_id)$/,
			subjectPrefix: 'project_path:',
		},
		projectClaims: /^(?:project_id|project_path)$/,
		projectSubject: /^project_path:[^*]+:/,
		organizationOnly: 'any project on the GitLab instance (or group) can log in; bind project_id',
	},
};
