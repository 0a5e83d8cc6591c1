import type {Check} from '../check.js';
import {goGlob} from '../login/glob.js';
import type {JwtRole} from '../login/role.js';
import {roleLintPlatform} from '../platforms/advice.js';

/**
Safety findings about a role, whatever the login's outcome: too broad, no audience, match-all globs, long-lived
tokens, and what the platform it is written for adds (core/platforms: CircleCI's fork exposure). Each carries a
severity so an audit can fail on what matters.
*/
export function lintRole(
	role: JwtRole,
	where: {mount: string; roleName: string; issuer?: string; tokenPlatform?: string},
): Check[] {
	const findings: Check[] = [];
	const id = <Name extends string>(name: Name) => `role.${name}` as const;
	const label = `auth/${where.mount}/role/${where.roleName}`;
	const bound = role.boundClaims;
	const keys = Object.keys(bound);
	const subject = role.boundSubject;
	const facts = {claimKeys: keys, subject, issuer: where.issuer ?? ''};
	const platform = roleLintPlatform(facts, where.tokenPlatform)?.roleLint;
	const glob = role.boundClaimsType === 'glob';
	if (role.roleType !== 'jwt') return findings;

	if (role.boundAudiences.length === 0) {
		findings.push({
			id: id('audience'),
			title: 'Audience bound',
			status: 'warn',
			severity: 'medium',
			problem: 'role-no-audience',
			message: `${label} has no bound_audiences: it accepts tokens minted for any audience, and Vault 1.17+ refuses every token that carries one.`,
		});
	}

	const pinned =
		platform !== undefined &&
		(keys.some(key => platform.projectClaims.test(key)) || (platform.projectSubject?.test(subject) ?? false));
	const meaningful = keys.length > 0 || subject !== '';
	const scope = (message: string, extra: Partial<Check> = {}) =>
		findings.push({
			id: id('scope'),
			title: 'Role scope',
			status: 'warn',
			severity: 'high',
			problem: 'role-too-broad',
			message,
			...extra,
		});
	if (!meaningful) {
		const audience = role.boundAudiences.length > 0 ? ' with the audience' : '';
		const note = platform?.unboundNote ? ` (${platform.unboundNote})` : '';
		scope(`${label} binds no claim and no subject: any token from the issuer${audience} logs in${note}.`);
	} else if (platform && !pinned) {
		scope(`${label} is bound only at the organization level: ${platform.organizationOnly}.`, {actual: keys});
	}

	if (glob) {
		const wide = keys.filter(key =>
			[bound[key]]
				.flat()
				.some(value => typeof value === 'string' && goGlob(value, '') && goGlob(value, 'any value')),
		);
		for (const key of wide) {
			findings.push({
				id: id(`glob/${key}`),
				title: `Glob on "${key}"`,
				status: 'warn',
				severity: 'high',
				problem: 'role-wildcard',
				message: `bound_claims "${key}" is ${JSON.stringify(bound[key])} under glob matching: it accepts any value.`,
			});
		}
	}

	const ttl = role.tokenTtl;
	const maxTtl = role.tokenMaxTtl;
	const explicitMax = role.tokenExplicitMaxTtl;
	const longest = explicitMax || maxTtl;
	if (ttl === 0 || ttl > 4 * 3600 || (longest === 0 && explicitMax === 0) || longest > 24 * 3600) {
		const parts = [
			ttl === 0
				? 'token_ttl is unset (the mount default, 32 days unless changed)'
				: ttl > 4 * 3600
					? `token_ttl is ${Math.round(ttl / 3600)} h`
					: '',
			longest === 0
				? 'no maximum TTL'
				: longest > 24 * 3600
					? `the maximum TTL is ${Math.round(longest / 3600)} h`
					: '',
		].filter(Boolean);
		findings.push({
			id: id('ttl'),
			title: 'Token lifetime',
			status: 'warn',
			severity: ttl === 0 || longest === 0 ? 'medium' : 'low',
			problem: 'role-long-ttl',
			message: `${label}: ${parts.join(', ')}.`,
		});
	}

	findings.push(...(platform?.findings?.(facts, label) ?? []));

	if (role.tokenPolicies.includes('root')) {
		findings.push({
			id: id('policies'),
			title: 'Token policies',
			status: 'warn',
			severity: 'high',
			problem: 'role-too-broad',
			message: `${label} grants the root policy to every workload that logs in.`,
		});
	}

	return findings;
}
