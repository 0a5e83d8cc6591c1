/* GitHub Actions: tokens requested by the job (permissions: id-token: write), sub naming the repository and ref or environment. */
import {yamlQuote} from '../snippet-quoting.js';
import {hasClaim, type Platform} from './platform.js';

export const github: Platform = {
	id: 'github',
	recognise: ({iss, host}) =>
		host.startsWith('token.actions.') || iss.endsWith('/_services/token')
			? {label: 'GitHub Actions token'}
			: undefined,
	tokenSources: {github: {mints: true, requestsAudience: true}},
	tokenWithAudience: audience => [
		`# GitHub Actions: request the token with this audience\n- uses: hashicorp/vault-action@v3\n  with:\n    method: jwt\n    jwtGithubAudience: ${yamlQuote(audience)}`,
	],
	noToken: {
		snippet:
			'# GitHub Actions: the job (or workflow) needs\npermissions:\n  id-token: write\n  contents: read',
		cause: 'GitHub needs permissions: id-token: write',
		step: 'GitHub: add permissions: id-token: write',
	},
	audienceRequest: 'GitHub core.getIDToken("<aud>") / vault-action jwtGithubAudience',
	projectClaims: 'GitHub repository and ref or environment',
	subjectHint: (bound, sub) =>
		/^repo:[^:]+:environment:/.test(sub) && /^repo:[^:]+:ref:/.test(bound)
			? 'The GitHub job references an environment, which replaces ref in sub.'
			: undefined,
	onboarding: {
		bindings: claims =>
			['repository', hasClaim(claims, 'environment') ? 'environment' : 'ref'].filter(key =>
				hasClaim(claims, key),
			),
	},
	roleLint: {
		writtenFor: {
			claimKeys: /^(?:repository|repository_owner|repository_id|job_workflow_ref)$/,
			issuer: /actions\.githubusercontent/,
			subjectPrefix: 'repo:',
		},
		projectClaims: /^(?:repository|repository_id|job_workflow_ref|environment)$/,
		projectSubject: /^repo:[^*]+:/,
		organizationOnly: 'every repository of the owner can log in; bind repository and ref or environment',
	},
};
