/* Ona (formerly Gitpod): environment, user and service account tokens from `ona idp token`. */
import {shellQuote} from '../snippet-quoting.js';
import {hasClaim, type Platform} from './platform.js';

/** The audience `ona idp token` is asked for when none is given, as Ona's Vault guide uses. */
export const onaDefaultAudience = 'vault.hashicorp.com';

/** V3 claims a V2 (org/gsub) token does not have. */
const v3Claims = ['organization_id', 'project_id', 'environment_id', 'user_id', 'email'];

export const ona: Platform = {
	id: 'ona',
	recognise({claims, host, sub}) {
		const isOna =
			('gsub' in claims && 'org' in claims) ||
			host === 'app.gitpod.io' ||
			host.endsWith('.gitpod.io') ||
			host.endsWith('ona.com') ||
			('organization_id' in claims && 'environment_id' in claims);
		if (!isOna) return undefined;
		if ('gsub' in claims || 'org' in claims) return {variant: 'V2', label: 'Ona V2 (legacy) token'};
		if (sub.startsWith('org:') && sub.includes('/'))
			return {variant: 'V1', label: 'Ona legacy slash-path token'};
		const principal =
			'environment_id' in claims
				? 'environment'
				: 'service_account_id' in claims
					? 'service account'
					: 'user_id' in claims
						? 'user'
						: 'account';
		return {variant: 'V3', label: `Ona V3 ${principal} token`};
	},
	tokenSources: {ona: {mints: true, requestsAudience: true}},
	tokenWithAudience: (audience, role) => [
		`ona idp token --audience ${shellQuote(audience)}`,
		`ona idp login vault --role ${shellQuote(role)} --audience ${shellQuote(audience)}`,
	],
	noToken: {
		snippet: `# Ona: inside an environment\nona idp token --audience ${onaDefaultAudience}`,
		cause: 'Ona needs an environment (ona idp token) and the Enterprise plan',
		step: `Ona: run ona idp token --audience ${onaDefaultAudience}`,
	},
	audienceRequest: `ona idp token --audience ${onaDefaultAudience}`,
	projectClaims: 'Ona project_id',
	missingClaimHint(key, claims) {
		if (('org' in claims || 'gsub' in claims) && v3Claims.includes(key))
			return `This is an Ona V2 token (org/gsub claims); "${key}" exists only in V3 tokens. Switch the organization to V3 tokens, or bind "org" instead.`;
		if (key === 'project_id' && 'environment_id' in claims)
			return 'Ona environments that are not created from a project carry no project_id.';
		if (key === 'email' && 'creator_email' in claims)
			return 'This is an environment token: it has creator_email, not email.';
		return undefined;
	},
	tokenWarning(guess) {
		if (guess.variant === 'V3') return undefined;
		return {
			title: 'Ona token version',
			problem: 'bound-claim-missing',
			message: `This is an ${guess.label}: it has no flat claims (organization_id, project_id, email...). Ona's Vault guide binds V3 claims; bind "org" instead, or switch the organization to V3 tokens (Settings → Security → OIDC Token Configuration) and update trust policies, because sub changes.`,
		};
	},
	onboarding: {
		bindings(claims, scope) {
			if (hasClaim(claims, 'org') && !hasClaim(claims, 'organization_id')) return ['org'];
			const chosen = scope ?? (hasClaim(claims, 'project_id') ? 'project' : 'organization');
			if (chosen === 'user') return ['organization_id', hasClaim(claims, 'email') ? 'email' : 'user_id'];
			return chosen === 'project' ? ['organization_id', 'project_id'] : ['organization_id'];
		},
		organizationClaims: ['organization_id', 'org'],
	},
	roleLint: {
		writtenFor: {
			claimKeys: /^(?:organization_id|project_id|environment_id|org|gsub)$/,
			issuer: /gitpod\.io|ona\.com/,
		},
		projectClaims:
			/^(?:project_id|environment_id|user_id|email|service_account_id|creator_email|\/gsub\/id)$/,
		organizationOnly:
			'every environment and user of the Ona organization can read these secrets; bind project_id too',
	},
};
