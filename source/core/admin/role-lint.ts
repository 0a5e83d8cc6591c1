import type {Check} from '../check.js';
import {goGlob} from '../login/glob.js';
import type {JwtRole} from '../login/role.js';

type RolePlatform = 'ona' | 'circleci' | 'github' | 'gitlab' | 'buildkite' | 'terraform' | 'unknown';

/** Which platform a role is written for, from its bound claim keys and subject (a token is not needed). */
export function rolePlatform(role: JwtRole, issuer = ''): RolePlatform {
	const keys = Object.keys(role.boundClaims);
	const subject = role.boundSubject;
	const has = (pattern: RegExp) => keys.some(key => pattern.test(key)) || pattern.test(issuer);
	if (has(/^oidc\.circleci\.com\//) || /oidc\.circleci\.com/.test(issuer) || subject.startsWith('org/'))
		return 'circleci';
	if (has(/^(?:organization_id|project_id|environment_id|org|gsub)$/) || /gitpod\.io|ona\.com/.test(issuer))
		return 'ona';
	if (
		has(/^(?:repository|repository_owner|repository_id|job_workflow_ref)$/) ||
		subject.startsWith('repo:') ||
		/actions\.githubusercontent/.test(issuer)
	)
		return 'github';
	if (
		has(/^(?:project_path|ref_protected|namespace_path|namespace_id)$/) ||
		subject.startsWith('project_path:')
	)
		return 'gitlab';
	if (has(/^(?:organization_slug|pipeline_slug)$/) || /buildkite/.test(issuer)) return 'buildkite';
	if (has(/^terraform_/) || /app\.terraform\.io/.test(issuer)) return 'terraform';
	return 'unknown';
}

const projectPins: Record<RolePlatform, RegExp> = {
	ona: /^(?:project_id|environment_id|user_id|email|service_account_id|creator_email|\/gsub\/id)$/,
	circleci: /^oidc\.circleci\.com\/project-id$/,
	github: /^(?:repository|repository_id|job_workflow_ref|environment)$/,
	gitlab: /^(?:project_id|project_path)$/,
	buildkite: /^(?:pipeline_slug|pipeline_id)$/,
	terraform: /^terraform_(?:workspace_id|full_workspace|project_id)$/,
	unknown: /$^/,
};

/**
Safety findings about a role, whatever the login's outcome: too broad, no audience, match-all globs, long-lived
tokens, fork exposure. Each carries a severity so an audit can fail on what matters.
*/
export function lintRole(
	role: JwtRole,
	where: {mount: string; roleName: string; issuer?: string; tokenPlatform?: string},
): Check[] {
	const findings: Check[] = [];
	const id = <Name extends string>(name: Name) => `role.${name}` as const;
	const label = `auth/${where.mount}/role/${where.roleName}`;
	const known = ['ona', 'circleci', 'github', 'gitlab', 'buildkite', 'terraform'];
	const platform = known.includes(where.tokenPlatform ?? '')
		? (where.tokenPlatform as RolePlatform)
		: rolePlatform(role, where.issuer ?? '');
	const bound = role.boundClaims;
	const keys = Object.keys(bound);
	const subject = role.boundSubject;
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
		keys.some(key => projectPins[platform].test(key)) ||
		(platform === 'circleci' && /\/project\/[^*/]+/.test(subject)) ||
		(platform === 'github' && /^repo:[^*]+:/.test(subject)) ||
		(platform === 'gitlab' && /^project_path:[^*]+:/.test(subject));
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
		const shared = platform === 'buildkite' ? " (Buildkite's issuer is shared by every customer)" : '';
		scope(`${label} binds no claim and no subject: any token from the issuer${audience} logs in${shared}.`);
	} else if (!pinned && platform !== 'unknown') {
		const what: Record<RolePlatform, string> = {
			ona: 'every environment and user of the Ona organization can read these secrets; bind project_id too',
			circleci:
				'every project of the CircleCI organization can log in; bind oidc.circleci.com/project-id (and context-ids)',
			github: 'every repository of the owner can log in; bind repository and ref or environment',
			gitlab: 'any project on the GitLab instance (or group) can log in; bind project_id',
			buildkite: 'every pipeline of the organization can log in; bind pipeline_slug',
			terraform: 'every workspace of the organization can log in; bind the workspace',
			unknown: '',
		};
		scope(`${label} is bound only at the organization level: ${what[platform]}.`, {actual: keys});
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

	if (
		platform === 'circleci' &&
		!keys.includes('oidc.circleci.com/vcs-origin') &&
		!/\/vcs-origin\//.test(subject)
	) {
		findings.push({
			id: id('forks'),
			title: 'Forked builds',
			status: 'warn',
			severity: 'medium',
			problem: 'role-fork-exposed',
			message: `${label} does not bind oidc.circleci.com/vcs-origin: if the project passes secrets to forked pull requests, a fork can log in as this role.`,
		});
	}

	if (
		platform === 'circleci' &&
		keys.includes('oidc.circleci.com/project-id') &&
		!keys.includes('oidc.circleci.com/context-ids')
	) {
		findings.push({
			id: id('context'),
			title: 'Context binding',
			status: 'warn',
			severity: 'low',
			problem: 'role-too-broad',
			message: `${label} binds the project but not oidc.circleci.com/context-ids: binding a context adds an admin-controlled gate (HashiCorp's CircleCI guide recommends it for production roles).`,
		});
	}

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
