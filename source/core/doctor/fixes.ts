import {isLosslessNumber} from 'lossless-json';
import type {Check} from '../check.js';
import type {PlatformGuess} from '../platform.js';
import {type ProblemId, problems} from '../problems.js';
import {listField, mapField, stringField, type VaultData} from '../vault-data.js';

export type Fix = {
	summary: string;
	/** Copy-paste commands or config snippets, in the order to apply them. */
	commands: string[];
	docs?: string;
	/** The same fix as data, for `--apply`: the fields to set on the role or the config. */
	change?: {kind: 'role' | 'config'; fields: Record<string, unknown>};
};

export type FixContext = {
	mount?: string;
	roleName?: string;
	role?: VaultData | null;
	config?: VaultData | null;
	claims?: Record<string, unknown>;
	platform?: PlatformGuess;
	namespace?: string;
	audienceRequested?: string;
};

/** Quotes a value for a POSIX shell: bare when safe, else single quotes with embedded quotes escaped. */
export function shellQuote(value: string): string {
	if (/^[\w@%+=:,./-]+$/.test(value)) return value;
	return `'${value.replaceAll("'", `'\\''`)}'`;
}

function vaultCommand(context: FixContext, words: string[]): string {
	const namespace = context.namespace ? [`-namespace=${shellQuote(context.namespace)}`] : [];
	const [verb, ...rest] = words;
	return ['vault', verb!, ...namespace, ...rest].join(' ');
}

function rolePath(context: FixContext): string {
	return `auth/${context.mount ?? 'jwt'}/role/${context.roleName || '<role>'}`;
}

/**
A role update as a JSON body on standard input. Vault merges role writes, except that role_type and
bound_claims_type reset to their defaults when omitted, so both are always sent.
*/
function roleWrite(context: FixContext, changes: Record<string, unknown>): string {
	const body = {
		role_type: 'jwt',
		bound_claims_type: stringField(context.role, 'bound_claims_type') || 'string',
		...changes,
	};
	return `${vaultCommand(context, ['write', rolePath(context), '-'])} <<'EOF'\n${JSON.stringify(body, jsonReplacer)}\nEOF`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
	return isLosslessNumber(value) ? Number((value as {value: string}).value) : value;
}

/** A config update: Vault replaces the whole config on write, so every readable field is sent again. */
function configWrite(context: FixContext, changes: Record<string, unknown>): string[] {
	const current = {...(context.config ?? {})};
	const keep = [
		'oidc_discovery_url',
		'oidc_discovery_ca_pem',
		'jwks_url',
		'jwks_ca_pem',
		'jwt_validation_pubkeys',
		'jwt_supported_algs',
		'bound_issuer',
		'default_role',
		'oidc_client_id',
		'oidc_response_mode',
		'oidc_response_types',
		'provider_config',
		'namespace_in_state',
	];
	const body: Record<string, unknown> = {};
	for (const key of keep) {
		const value = current[key];
		if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) continue;
		body[key] = value;
	}

	Object.assign(body, changes);
	const commands = [
		`${vaultCommand(context, ['write', `auth/${context.mount ?? 'jwt'}/config`, '-'])} <<'EOF'\n${JSON.stringify(body, jsonReplacer)}\nEOF`,
	];
	if (body['oidc_client_id'])
		commands.unshift(
			'# The config has oidc_client_id: add "oidc_client_secret" to the body, Vault never returns it.',
		);
	return commands;
}

function audiences(claims: Record<string, unknown> | undefined): string[] {
	const aud = claims?.['aud'];
	if (Array.isArray(aud)) return aud.map(String);
	return typeof aud === 'string' && aud !== '' ? [aud] : [];
}

/** How to get a token with a given audience on the platform that minted this one. */
function tokenWithAudience(platform: PlatformGuess | undefined, audience: string, role = '<role>'): string[] {
	switch (platform?.platform) {
		case 'ona':
			return [
				`ona idp token --audience ${shellQuote(audience)}`,
				`ona idp login vault --role ${shellQuote(role)} --audience ${shellQuote(audience)}`,
			];
		case 'circleci':
			return [`circleci run oidc get --claims ${shellQuote(JSON.stringify({aud: audience}))}`];
		case 'github':
			return [
				`# GitHub Actions: request the token with this audience\n- uses: hashicorp/vault-action@v3\n  with:\n    method: jwt\n    jwtGithubAudience: ${audience}`,
			];
		case 'gitlab':
			return [`# .gitlab-ci.yml\nid_tokens:\n  VAULT_ID_TOKEN:\n    aud: ${audience}`];
		case 'buildkite':
			return [`buildkite-agent oidc request-token --audience ${shellQuote(audience)}`];
		default:
			return [`# Request the token from the issuer with audience "${audience}".`];
	}
}

function platformNoToken(platform: PlatformGuess | undefined): string[] {
	return [
		'# GitHub Actions: the job (or workflow) needs\npermissions:\n  id-token: write\n  contents: read',
		'# GitLab CI: declare an ID token in the job\nid_tokens:\n  VAULT_ID_TOKEN:\n    aud: https://vault.example.com',
		'# CircleCI: use $CIRCLE_OIDC_TOKEN_V2 inside a job (forked PR builds get no token unless allowed in the project settings)',
		'# Ona: inside an environment\nona idp token --audience vault.hashicorp.com',
	].filter(
		line =>
			!platform ||
			platform.platform === 'unknown' ||
			line.toLowerCase().includes(platform.platform === 'ona' ? 'ona' : platform.platform),
	);
}

/** The concrete fix for a failed or warned check, built from the real role, config and token. */
export function fixFor(check: Check, context: FixContext): Fix | undefined {
	if (!check.problem || check.status === 'pass') return undefined;
	const problem = check.problem;
	const catalogue = problems[problem];
	const docs = 'docs' in catalogue ? (catalogue.docs as string) : undefined;
	const summary: string = catalogue.title;
	const make = (commands: string[], text = summary): Fix => ({
		summary: text,
		commands,
		...(docs ? {docs} : {}),
	});
	const claims = context.claims;
	const tokenAudiences = audiences(claims);
	const boundAudiences = listField(context.role, 'bound_audiences');

	let change: Fix['change'];
	const role = (fields: Record<string, unknown>) => {
		change = {kind: 'role', fields};
		return roleWrite(context, fields);
	};
	const config = (fields: Record<string, unknown>) => {
		change = {kind: 'config', fields};
		return configWrite(context, fields);
	};

	const byProblem: Partial<Record<ProblemId, () => Fix>> = {
		'audience-mismatch': () =>
			make(
				[
					...(boundAudiences[0]
						? tokenWithAudience(context.platform, boundAudiences[0], context.roleName || '<role>')
						: []),
					'# or, if this audience is meant for Vault, bind it on the role:',
					role({bound_audiences: [...new Set([...boundAudiences, ...tokenAudiences])]}),
				],
				`Request the token with audience ${boundAudiences.join(' or ')}, or bind ${tokenAudiences.join(', ') || 'its audience'} on the role`,
			),
		'audience-unbound': () =>
			make(
				[role({bound_audiences: tokenAudiences})],
				`Bind the token's audience ${tokenAudiences.join(', ')} on the role`,
			),
		'subject-mismatch': () =>
			make(
				[role({bound_subject: String(claims?.['sub'] ?? '')})],
				"Set bound_subject to the token's sub (or clear it and bind claims instead)",
			),
		'bound-claim-mismatch': () => boundClaimFix(check, context, make, role),
		'bound-claim-missing': () => boundClaimFix(check, context, make, role),
		'bound-claim-type': () => boundClaimFix(check, context, make, role),
		'user-claim-missing': () =>
			make([role({user_claim: 'sub'})], 'Use a claim every token has as user_claim, such as sub'),
		'user-claim-type': () =>
			make([role({user_claim: 'sub'})], 'Use a string claim as user_claim, such as sub'),
		'groups-claim-missing': () =>
			make([role({groups_claim: ''})], 'Clear groups_claim, or point it at a claim the token has'),
		'groups-claim-type': () =>
			make([role({groups_claim: ''})], 'Clear groups_claim, or point it at a list of strings'),
		'claim-mapping-type': () => {
			const mappings = {...mapField(context.role, 'claim_mappings')};
			for (const key of Object.keys((check.actual as Record<string, unknown>) ?? {})) delete mappings[key];
			return make([role({claim_mappings: mappings})], 'Remove the mappings of claims that are not strings');
		},
		'role-type-oidc': () => make([role({})], 'Set role_type to jwt (and send it on every later update)'),
		'token-not-yet-valid': () =>
			make(
				[role({clock_skew_leeway: 120}), '# and fix the clock (NTP) on the Vault servers'],
				'Absorb the clock difference, then fix the clocks',
			),
		'token-expired': () =>
			make(
				[
					'# Fetch the token right before the login, not at the start of the job',
					...tokenWithAudience(context.platform, tokenAudiences[0] ?? boundAudiences[0] ?? 'vault'),
				],
				'Use a fresh token',
			),
		'issuer-mismatch': () =>
			make(config({bound_issuer: String(claims?.['iss'] ?? '')}), "Set bound_issuer to the token's iss"),
		'discovery-issuer-mismatch': () =>
			make(
				config({
					oidc_discovery_url:
						typeof check.actual === 'string'
							? check.actual
							: stringField(context.config, 'oidc_discovery_url'),
				}),
				'Set oidc_discovery_url to exactly the issuer the discovery document names',
			),
		'algorithm-not-allowed': () => {
			const alg = typeof check.actual === 'string' ? check.actual : '';
			const current = listField(context.config, 'jwt_supported_algs');
			return make(
				alg && /^(?:RS|ES|PS)(?:256|384|512)$|^EdDSA$/.test(alg)
					? config({jwt_supported_algs: [...new Set([...current, alg])]})
					: [
							'# Sign tokens with an asymmetric algorithm (RS256, ES256, ...); Vault never accepts HS256 or none.',
						],
			);
		},
		'config-unsupported': () =>
			make(
				[
					vaultCommand(context, ['auth', 'enable', '-path=jwt-ci', 'jwt']),
					vaultCommand(context, [
						'write',
						'auth/jwt-ci/config',
						`oidc_discovery_url=${shellQuote(String(claims?.['iss'] ?? '<issuer>'))}`,
					]),
				],
				'Use a separate JWT mount for workloads; keep the OIDC (browser) mount as it is',
			),
		'config-missing': () =>
			make(
				[
					vaultCommand(context, [
						'write',
						`auth/${context.mount ?? 'jwt'}/config`,
						`oidc_discovery_url=${shellQuote(String(claims?.['iss'] ?? '<issuer>'))}`,
						`bound_issuer=${shellQuote(String(claims?.['iss'] ?? '<issuer>'))}`,
					]),
				],
				"Configure the mount to trust the token's issuer",
			),
		'role-not-found': () =>
			make(
				[vaultCommand(context, ['list', `auth/${context.mount ?? 'jwt'}/role`])],
				'Use an existing role (names are lowercase), or create it',
			),
		'role-missing': () =>
			make(
				[
					'ona-vault-doctor --role <name>',
					vaultCommand(context, ['list', `auth/${context.mount ?? 'jwt'}/role`]),
				],
				'Name the role: --role, $IDP_VAULT_ROLE, $VAULT_ROLE, or default_role on the config',
			),
		'mount-not-found': () =>
			make(
				[vaultCommand(context, ['auth', 'list']), 'export VAULT_NAMESPACE=<namespace of the mount>'],
				'Use the mount path and namespace where the JWT auth method is enabled',
			),
		'namespace-wrong': () =>
			make(
				[
					'export VAULT_NAMESPACE=admin   # HCP Vault; else the namespace of the mount',
					vaultCommand(context, ['namespace', 'list']),
				],
				'Send requests to the namespace of the mount',
			),
		'cidr-denied': () =>
			make(
				[
					role({
						token_bound_cidrs: [...listField(context.role, 'token_bound_cidrs'), '<your egress address>/32'],
					}),
				],
				"Allow the caller's egress address in token_bound_cidrs",
			),
		'permission-denied': () => {
			const policy = listField(context.role, 'token_policies')[0] ?? '<policy>';
			const target = check.id.startsWith('access.secret/')
				? (check.message.match(/may not read (\S+):/)?.[1] ?? '<path>')
				: '<path>';
			return make(
				[
					`${vaultCommand(context, ['policy', 'write', policy, '-'])} <<'EOF'\npath "${target}" {\n  capabilities = ["read"]\n}\nEOF`,
					`# the full policy text is replaced: start from: vault policy read ${policy}`,
				],
				`Grant read on ${target} in the role's policy`,
			);
		},
		'kv2-path': () => {
			const policy = listField(context.role, 'token_policies')[0] ?? '<policy>';
			return make(
				[
					`${vaultCommand(context, ['policy', 'write', policy, '-'])} <<'EOF'\npath "${String(check.expected)}" {\n  capabilities = ["read"]\n}\nEOF`,
					`# the full policy text is replaced: start from: vault policy read ${policy}`,
				],
				'Write KV v2 policy paths with data/ (and metadata/ for list)',
			);
		},
		'platform-no-token': () => make(platformNoToken(context.platform)),
	};
	const build = byProblem[problem];
	if (build) {
		const fix = build();
		// Token-side first (audience), or a value only the operator knows (CIDR): shown, never applied blindly.
		const applicable =
			change && !['audience-mismatch', 'cidr-denied', 'permission-denied', 'kv2-path'].includes(problem);
		return applicable ? {...fix, change} : fix;
	}

	const steps = catalogue.fix as {role?: readonly string[]; token?: readonly string[]};
	return make([...(steps.role ?? []), ...(steps.token ?? [])].map(step => `# ${step}`));
}

function boundClaimFix(
	check: Check,
	context: FixContext,
	make: (commands: string[], text?: string) => Fix,
	role: (fields: Record<string, unknown>) => string,
): Fix {
	const key = check.id.replace(/^login\.bound-claims\//, '');
	const bound = {...mapField(context.role, 'bound_claims')};
	const actual = check.actual;
	if (actual === undefined) {
		delete bound[key];
		const commands = [role({bound_claims: bound})];
		if (key === 'oidc.circleci.com/context-ids')
			commands.unshift(
				'# Preferred: add the context to the job in .circleci/config.yml (workflows: ... context: [<name>])',
			);
		return make(commands, `Bind a claim the token has (it has no "${key}")`);
	}

	const scalar = typeof actual === 'object' && actual !== null && !Array.isArray(actual) ? undefined : actual;
	if (scalar !== undefined) bound[key] = scalar;
	return make(
		[role({bound_claims: bound})],
		`Bind "${key}" to the token's value ${JSON.stringify(scalar ?? actual)} (or run the job from where the role expects)`,
	);
}
