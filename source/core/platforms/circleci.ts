/* CircleCI: $CIRCLE_OIDC_TOKEN (v1 sub) and $CIRCLE_OIDC_TOKEN_V2 (sub with vcs-origin and vcs-ref), one issuer per organization. */
import type {Check} from '../check.js';
import {shellQuote} from '../snippet-quoting.js';
import {hasClaim, type Platform} from './platform.js';

export const circleci: Platform = {
	id: 'circleci',
	recognise({claims, host, sub}) {
		if (host !== 'oidc.circleci.com' && !('oidc.circleci.com/project-id' in claims)) return undefined;
		const variant = sub.includes('/vcs-origin/') || sub.includes('/vcs-ref/') ? 'v2' : 'v1';
		return {
			variant,
			label: `CircleCI ${variant} token (${variant === 'v2' ? '$CIRCLE_OIDC_TOKEN_V2' : '$CIRCLE_OIDC_TOKEN'})`,
		};
	},
	tokenSources: {circleci: {requestsAudience: true}, 'circleci-v1': {}},
	tokenWithAudience: audience => [
		`circleci run oidc get --claims ${shellQuote(JSON.stringify({aud: audience}))}`,
	],
	noToken: {
		snippet:
			'# CircleCI: use $CIRCLE_OIDC_TOKEN_V2 inside a job (forked PR builds get no token unless allowed in the project settings)',
		cause:
			'CircleCI gives OIDC tokens only to jobs of projects with OIDC enabled (and not to forked PRs by default)',
		step: 'CircleCI: use $CIRCLE_OIDC_TOKEN_V2 inside a job',
	},
	audienceRequest: `circleci run oidc get --claims '{"aud":"<aud>"}'`,
	projectClaims: 'CircleCI oidc.circleci.com/project-id and context-ids',
	otherIssuerHint: iss =>
		iss.startsWith('https://oidc.circleci.com/org/')
			? 'CircleCI issuers are per organization: a mount configured for one organization rejects tokens of another.'
			: undefined,
	subjectHint(bound, sub) {
		if (sub.startsWith(`${bound}/vcs-origin/`))
			return 'The token is a CircleCI v2 token ($CIRCLE_OIDC_TOKEN_V2) and bound_subject has the v1 format.';
		if (bound.startsWith(`${sub}/vcs-origin/`))
			return 'bound_subject has the CircleCI v2 format but the token is v1 ($CIRCLE_OIDC_TOKEN); use $CIRCLE_OIDC_TOKEN_V2.';
		return undefined;
	},
	missingClaimHint(key) {
		if (key === 'oidc.circleci.com/context-ids')
			return 'CircleCI puts context-ids only in tokens of jobs that use a context: add the context to the job in the workflow.';
		if (key === 'oidc.circleci.com/vcs-origin' || key === 'oidc.circleci.com/vcs-ref')
			return 'CircleCI omits vcs-origin and vcs-ref for pipelines triggered by a custom webhook.';
		return undefined;
	},
	missingClaimFix: key =>
		key === 'oidc.circleci.com/context-ids'
			? '# Add the context to the job in .circleci/config.yml (workflows: ... context: [<name>])'
			: undefined,
	onboarding: {
		bindings: claims =>
			[
				'oidc.circleci.com/project-id',
				'oidc.circleci.com/context-ids',
				'oidc.circleci.com/vcs-origin',
				'oidc.circleci.com/vcs-ref',
			].filter(key => hasClaim(claims, key)),
	},
	roleLint: {
		writtenFor: {claimKeys: /^oidc\.circleci\.com\//, issuer: /oidc\.circleci\.com/, subjectPrefix: 'org/'},
		projectClaims: /^oidc\.circleci\.com\/project-id$/,
		projectSubject: /\/project\/[^*/]+/,
		organizationOnly:
			'every project of the CircleCI organization can log in; bind oidc.circleci.com/project-id (and context-ids)',
		findings({claimKeys, subject}, label) {
			const findings: Check[] = [];
			if (!claimKeys.includes('oidc.circleci.com/vcs-origin') && !/\/vcs-origin\//.test(subject)) {
				findings.push({
					id: 'role.forks',
					title: 'Forked builds',
					status: 'warn',
					severity: 'medium',
					problem: 'role-fork-exposed',
					message: `${label} does not bind oidc.circleci.com/vcs-origin: if the project passes secrets to forked pull requests, a fork can log in as this role.`,
				});
			}

			if (
				claimKeys.includes('oidc.circleci.com/project-id') &&
				!claimKeys.includes('oidc.circleci.com/context-ids')
			) {
				findings.push({
					id: 'role.context',
					title: 'Context binding',
					status: 'warn',
					severity: 'low',
					problem: 'role-too-broad',
					message: `${label} binds the project but not oidc.circleci.com/context-ids: binding a context adds an admin-controlled gate (HashiCorp's CircleCI guide recommends it for production roles).`,
				});
			}

			return findings;
		},
	},
};
