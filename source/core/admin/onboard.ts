import type {Check} from '../check.js';
import {comment, policyAddCommands, shellQuote} from '../doctor/fixes.js';
import {kvPaths} from '../kv-paths.js';
import {tokenAudiences} from '../login/audiences.js';
import {parseRole} from '../login/role.js';
import {type SimulateLoginResult, simulateParsedLogin} from '../login/simulate-login.js';
import {trimSlashes} from '../names.js';
import {detectPlatform} from '../problems/platform.js';
import {lintRole} from './role-lint.js';

export type OnboardPlatform = 'ona' | 'circleci' | 'github' | 'gitlab' | 'generic';

export type OnboardOptions = {
	claims: Record<string, unknown>;
	mount: string;
	roleName: string;
	policyName?: string;
	platform?: OnboardPlatform;
	/** Ona: organization, project (default when the token has project_id) or user. */
	scope?: 'organization' | 'project' | 'user';
	/** Bind exactly these claims (with the token's values) instead of the platform's template. */
	bind?: string[];
	audience?: string;
	secretPaths: string[];
	kvVersion: '1' | '2';
	ttl: string;
	maxTtl: string;
	now?: number;
};

export type Proposal = {
	platform: OnboardPlatform;
	role: Record<string, unknown>;
	policyName: string;
	policy: string;
	commands: string[];
	/** The login model run against the proposal with the token that was given. */
	verdict: SimulateLoginResult;
	warnings: Check[];
};

const has = (claims: Record<string, unknown>, key: string) =>
	Object.hasOwn(claims, key) && claims[key] !== undefined && claims[key] !== null;

/** The claims a least-privilege role binds, per platform (values come from the token). */
export function templateKeys(
	platform: OnboardPlatform,
	claims: Record<string, unknown>,
	scope?: OnboardOptions['scope'],
): string[] {
	switch (platform) {
		case 'ona': {
			if (has(claims, 'org') && !has(claims, 'organization_id')) return ['org'];
			const chosen = scope ?? (has(claims, 'project_id') ? 'project' : 'organization');
			if (chosen === 'user') return ['organization_id', has(claims, 'email') ? 'email' : 'user_id'];
			return chosen === 'project' ? ['organization_id', 'project_id'] : ['organization_id'];
		}

		case 'circleci':
			return [
				'oidc.circleci.com/project-id',
				'oidc.circleci.com/context-ids',
				'oidc.circleci.com/vcs-origin',
				'oidc.circleci.com/vcs-ref',
			].filter(key => has(claims, key));
		case 'github':
			return ['repository', has(claims, 'environment') ? 'environment' : 'ref'].filter(key =>
				has(claims, key),
			);
		case 'gitlab':
			return ['project_path', 'ref', 'ref_protected'].filter(key => has(claims, key));
		default:
			return [];
	}
}

export function guessPlatform(claims: Record<string, unknown>): OnboardPlatform {
	const detected = detectPlatform(claims).platform;
	return detected === 'ona' || detected === 'circleci' || detected === 'github' || detected === 'gitlab'
		? detected
		: 'generic';
}

/** The policy granting read on each secret path (KV v2: data/ to read, metadata/ to list a folder). */
export function policyFor(paths: string[], kvVersion: '1' | '2'): string {
	const rule = (path: string, capability: string) =>
		`path ${JSON.stringify(path)} {\n  capabilities = ["${capability}"]\n}`;
	const blocks = paths.flatMap(path => {
		const clean = trimSlashes(path);
		// The mount is the first segment: a secret path names its KV mount first.
		const api = kvPaths(clean, clean.split('/')[0], kvVersion);
		return api.list && clean.endsWith('*')
			? [rule(api.read, 'read'), rule(api.list, 'list')]
			: [rule(api.read, 'read')];
	});
	return `${blocks.join('\n\n')}\n`;
}

/** Keys that name one short-lived thing: bound alone, the role works for that one environment or run only. */
const perRunKeys = new Set([
	'environment_id',
	'oidc.circleci.com/pipeline-id',
	'run_id',
	'pipeline_id',
	'job_id',
]);

/** Bindings that will not do what an onboarding means: one environment only, or no organisation at all. */
function bindingWarnings(platform: OnboardPlatform, keys: string[]): Check[] {
	const warnings: Check[] = [];
	if (keys.length > 0 && keys.every(key => perRunKeys.has(key)))
		warnings.push({
			id: 'role.bindings',
			title: 'Bindings',
			status: 'warn',
			problem: 'role-too-broad',
			message: `The role binds only ${keys.join(', ')}, which changes with every environment or run: it will refuse the next one. Bind the project or repository instead.`,
		});
	if (platform === 'ona' && keys.length > 0 && !keys.includes('organization_id') && !keys.includes('org'))
		warnings.push({
			id: 'role.bindings',
			title: 'Bindings',
			status: 'warn',
			problem: 'role-too-broad',
			message: `The bindings leave out organization_id: a token of another organization with the same values would be accepted.`,
		});
	return warnings;
}

/**
A least-privilege role and policy for the workload that minted this token: bound to its project (or the
narrowest identity the platform offers), its audience, short TTLs; checked against the token before anything
is written.
*/
export async function proposeRole(options: OnboardOptions): Promise<Proposal> {
	const {claims} = options;
	const platform = options.platform ?? guessPlatform(claims);
	const keys = options.bind ?? templateKeys(platform, claims, options.scope);
	const missing = keys.filter(key => !has(claims, key));
	if (missing.length > 0)
		throw new Error(`the token has no ${missing.map(key => `"${key}"`).join(', ')} claim to bind`);
	const audience = options.audience ?? tokenAudiences(claims)[0] ?? '';
	const userClaim = options.scope === 'user' && typeof claims['email'] === 'string' ? 'email' : 'sub';
	const policyName = options.policyName ?? `${options.roleName}-read`;
	const role: Record<string, unknown> = {
		role_type: 'jwt',
		bound_audiences: audience ? [audience] : [],
		bound_claims_type: 'string',
		bound_claims: Object.fromEntries(keys.map(key => [key, claims[key]])),
		...(keys.length === 0 && typeof claims['sub'] === 'string' ? {bound_subject: claims['sub']} : {}),
		user_claim: userClaim,
		token_policies: [policyName],
		token_ttl: options.ttl,
		token_max_ttl: options.maxTtl,
	};
	const policy = policyFor(options.secretPaths, options.kvVersion);
	const parsed = parseRole(role);
	const verdict = await simulateParsedLogin({
		token: {claims},
		role: parsed,
		...(options.now === undefined ? {} : {now: options.now}),
		roleName: options.roleName,
	});
	const warnings = [
		...lintRole(parsed, {
			mount: options.mount,
			roleName: options.roleName,
			tokenPlatform: platform,
		}),
		...bindingWarnings(platform, keys),
	];
	const commands = [
		...(options.secretPaths.length > 0
			? policyAddCommands(policyName, policy)
			: [comment(`no --secret-path given: write the policy ${JSON.stringify(policyName)} yourself`)]),
		comment(
			'Creates the role; on an existing role it changes these fields: read it first (vault read) to compare.',
		),
		`vault write ${shellQuote(`auth/${options.mount}/role/${options.roleName}`)} - <<'EOF'\n${JSON.stringify(role)}\nEOF`,
	];
	return {platform, role, policyName, policy, commands, verdict, warnings};
}
