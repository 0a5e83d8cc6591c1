import type {Check} from '../check.js';
import {comment, policyAddCommands} from '../doctor/fixes.js';
import {kvPaths} from '../kv-paths.js';
import {tokenAudiences} from '../login/audiences.js';
import {parseRole} from '../login/role.js';
import {type SimulateLoginResult, simulateParsedLogin} from '../login/simulate-login.js';
import {trimSlashes} from '../names.js';
import {platformById, platforms} from '../platforms/all.js';
import {detectPlatform} from '../platforms/detect.js';
import {hasClaim, type OnboardingScope, type PlatformId} from '../platforms/platform.js';
import {shellQuote} from '../snippet-quoting.js';
import {lintRole} from './role-lint.js';

export type OnboardPlatform = PlatformId | 'generic';

/** The platforms onboarding has a template for, then generic (no claims bound). */
export const onboardPlatforms: OnboardPlatform[] = [
	...platforms.filter(platform => platform.onboarding).map(platform => platform.id),
	'generic',
];

export type OnboardOptions = {
	claims: Record<string, unknown>;
	mount: string;
	roleName: string;
	policyName?: string;
	platform?: OnboardPlatform;
	/** Ona: organization, project (default when the token has project_id) or user. */
	scope?: OnboardingScope;
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

/** The claims a least-privilege role binds, per platform (values come from the token). */
export function templateKeys(
	platform: OnboardPlatform,
	claims: Record<string, unknown>,
	scope?: OnboardingScope,
): string[] {
	return platformById(platform)?.onboarding?.bindings(claims, scope) ?? [];
}

export function guessPlatform(claims: Record<string, unknown>): OnboardPlatform {
	const detected = platformById(detectPlatform(claims).platform);
	return detected?.onboarding ? detected.id : 'generic';
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
	const organization = platformById(platform)?.onboarding?.organizationClaims ?? [];
	if (organization.length > 0 && keys.length > 0 && !keys.some(key => organization.includes(key)))
		warnings.push({
			id: 'role.bindings',
			title: 'Bindings',
			status: 'warn',
			problem: 'role-too-broad',
			message: `The bindings leave out ${organization[0]}: a token of another organization with the same values would be accepted.`,
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
	const missing = keys.filter(key => !hasClaim(claims, key));
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
