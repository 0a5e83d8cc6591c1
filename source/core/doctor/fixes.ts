import {isLosslessNumber} from 'lossless-json';
import {type Change, desiredFields, diffFields, type Edit, writeBody} from '../admin/edits.js';
import type {Check} from '../check.js';
import {sanitize} from '../display-text.js';
import {tokenAudiences} from '../login/audiences.js';
import type {JwtConfig} from '../login/config.js';
import type {JwtRole} from '../login/role.js';
import {missingClaimFix, noTokenSnippets, tokenWithAudience} from '../platforms/advice.js';
import type {PlatformGuess} from '../platforms/platform.js';
import {type ProblemId, problems} from '../problems/catalogue.js';
import {shellQuote} from '../snippet-quoting.js';

export type Fix = {
	summary: string;
	/** Copy-paste commands or config snippets, in the order to apply them. */
	commands: string[];
	docs?: string;
	/**
	The same fix as data, for `--apply`: edits of single fields, applied to the role or config as read just before
	the write. Only a Vault-side check of a role that was read, with claims from a verified token, carries one.
	*/
	change?: Change;
};

/** Whether the token's claims may be trusted as values to bind: its signature verified, failed, or was not checked. */
export type ClaimsTrust = 'verified' | 'forged' | 'unchecked';

export type FixContext = {
	mount?: string;
	roleName?: string;
	role?: JwtRole | null;
	/** Where the role came from when it was not read from Vault (a --role-file). */
	roleFile?: string;
	config?: JwtConfig | null;
	claims?: Record<string, unknown>;
	claimsTrust?: ClaimsTrust;
	platform?: PlatformGuess;
	namespace?: string;
	audienceRequested?: string;
	/** A JWT mount whose config trusts the token's issuer, when it is not the mount used. */
	issuerMount?: string;
	/** The mount's existing roles (listed when the named role does not exist) and the closest name. */
	roles?: string[];
	closestRole?: string;
};

/** A comment line: one line, whatever the value holds (a newline in a claim must not start a command). */
export function comment(text: string): string {
	return `# ${sanitize(text)}`;
}

/** A value quoted for a sentence or comment: JSON, so control characters show escaped. */
const quoted = (value: unknown) => JSON.stringify(value ?? null);

function vaultCommand(context: FixContext, words: string[]): string {
	const namespace = context.namespace ? [`-namespace=${shellQuote(context.namespace)}`] : [];
	const [verb, ...rest] = words;
	return ['vault', verb!, ...namespace, ...rest].join(' ');
}

const mountOf = (context: FixContext) => context.mount ?? 'jwt';
const roleOf = (context: FixContext) => context.roleName || '<role>';

function rolePath(context: FixContext): string {
	return `auth/${mountOf(context)}/role/${roleOf(context)}`;
}

/** A JSON body on standard input. The quoted delimiter turns off expansion; JSON has no line break inside it. */
function withBody(command: string, body: Record<string, unknown>): string {
	return `${command} <<'EOF'\n${JSON.stringify(body, jsonReplacer)}\nEOF`;
}

function jsonReplacer(_key: string, value: unknown): unknown {
	return isLosslessNumber(value) ? Number((value as {value: string}).value) : value;
}

const alreadyCovered = comment('The command of an earlier check above already makes this change.');

/** A role update: only the edited fields, computed from the role as read, plus the two fields Vault resets. */
function roleWrite(context: FixContext, edits: Edit[]): string[] {
	const role = context.role?.data ?? null;
	if (diffFields(role, desiredFields(role, edits)).length === 0) return [alreadyCovered];
	const body = writeBody({kind: 'role'}, role, desiredFields(role, edits));
	const command = withBody(vaultCommand(context, ['write', shellQuote(rolePath(context)), '-']), body);
	return context.roleFile
		? [
				comment(
					`Computed from ${context.roleFile}; check it still matches Vault first: vault read -format=json ${rolePath(context)}`,
				),
				command,
			]
		: [command];
}

/** A config update: Vault replaces the whole config on write, so every field read is sent again. */
function configWrite(context: FixContext, edits: Edit[]): string[] {
	const config = context.config?.data ?? null;
	if (diffFields(config, desiredFields(config, edits)).length === 0) return [alreadyCovered];
	const body = writeBody({kind: 'config'}, config, desiredFields(config, edits));
	const command = withBody(
		vaultCommand(context, ['write', shellQuote(`auth/${mountOf(context)}/config`), '-']),
		body,
	);
	const secret = configSecretRisk(context.config);
	if (!secret) return [command];
	return [
		comment(`${secret} Not to be run as it is: add "oidc_client_secret" to the body first.`),
		...command.split('\n').map(line => comment(line)),
	];
}

/** How to get a token with a given audience on the platform that minted this one. */
function requestAudience(platform: PlatformGuess | undefined, audience: string, role: string): string[] {
	return (
		tokenWithAudience(platform, audience, role) ?? [
			comment(`Request the token from the issuer with audience ${quoted(audience)}.`),
		]
	);
}

/**
Checks of Vault's own judgement (the login model, the issuer and Vault reads) may carry a role or config write.
The login attempt, the agreement, and the token's own checks only report what Vault or the platform said.
*/
const vaultSide = (check: Check) =>
	(check.id.startsWith('login.') &&
		!['login.attempt', 'login.agreement', 'login.model'].includes(check.id)) ||
	check.id.startsWith('issuer.') ||
	check.id.startsWith('vault.');

/** Problems whose fix takes a value from the token (its aud, sub, iss, alg or a claim). */
const claimDerived = new Set<ProblemId>([
	'audience-mismatch',
	'audience-unbound',
	'subject-mismatch',
	'bound-claim-mismatch',
	'issuer-mismatch',
	'algorithm-not-allowed',
	'config-missing',
	'config-unsupported',
]);

/** The bound_claims key a check is about: the model's bound-claim check names it, else Vault's own words. */
function failingClaim(check: Check): string | undefined {
	if (check.claim !== undefined) return check.claim;
	if (check.problem === 'audience-mismatch' || check.problem === 'audience-unbound') return 'aud';
	if (check.problem === 'subject-mismatch') return 'sub';
	const text = check.vaultMessage ?? check.message;
	return /claim "([^"]+)" (?:is missing|does not match)/.exec(text)?.[1];
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
	const audiences = tokenAudiences(claims);
	const boundAudiences = context.role?.boundAudiences ?? [];
	const trust = context.claimsTrust ?? 'unchecked';
	const roleKnown = Boolean(context.role) && Boolean(context.roleName);

	// Why no write is offered, if none may be: the check is not Vault's judgement, the role was not read, or the
	// value to bind would come from a token whose signature did not verify.
	const noWrite = !vaultSide(check)
		? 'not-vault-side'
		: claimDerived.has(problem) && trust !== 'verified'
			? trust
			: undefined;

	let change: Change | undefined;
	const role = (edits: Edit[]): string[] => {
		change = {kind: 'role', edits};
		return roleWrite(context, edits);
	};
	const config = (edits: Edit[]): string[] => {
		change = {kind: 'config', edits};
		return configWrite(context, edits);
	};
	const roleFix = (edits: Edit[], text: string): Fix =>
		roleKnown && !noWrite ? make(role(edits), text) : withoutRole(check, context, make, noWrite);

	const byProblem: Partial<Record<ProblemId, () => Fix>> = {
		'audience-mismatch': () => {
			const request =
				boundAudiences[0] ?? (check.id === 'token.audience' ? String(check.expected ?? '') : '');
			const tokenSide = request ? requestAudience(context.platform, request, roleOf(context)) : [];
			const text = `Request the token with audience ${boundAudiences.map(quoted).join(' or ') || quoted(request)}${roleKnown && !noWrite ? `, or bind ${audiences.map(quoted).join(', ') || 'its audience'} on the role` : ''}`;
			if (!context.role) return withoutRole(check, context, make, noWrite);
			if (!roleKnown || noWrite || audiences.length === 0) {
				const reason = noWrite === 'forged' || noWrite === 'unchecked' ? [trustComment(noWrite)] : [];
				return make([...tokenSide, ...reason], text);
			}
			return make(
				[
					...tokenSide,
					'# or, if this audience is meant for Vault, bind it on the role:',
					...role([{op: 'add', field: 'bound_audiences', values: audiences}]),
				],
				text,
			);
		},
		'audience-unbound': () =>
			roleFix(
				[{op: 'add', field: 'bound_audiences', values: audiences}],
				`Bind the token's audience ${audiences.map(quoted).join(', ')} on the role`,
			),
		'subject-mismatch': () =>
			roleFix(
				[{op: 'set', field: 'bound_subject', value: String(claims?.['sub'] ?? '')}],
				"Set bound_subject to the token's sub (or bind claims instead)",
			),
		'user-claim-missing': () =>
			roleFix(
				[{op: 'set', field: 'user_claim', value: 'sub'}],
				'Use a claim every token has as user_claim, such as sub',
			),
		'user-claim-type': () =>
			roleFix(
				[{op: 'set', field: 'user_claim', value: 'sub'}],
				'Use a string claim as user_claim, such as sub',
			),
		'groups-claim-missing': () =>
			roleFix(
				[{op: 'set', field: 'groups_claim', value: ''}],
				'Clear groups_claim, or point it at a claim the token has',
			),
		'groups-claim-type': () =>
			roleFix(
				[{op: 'set', field: 'groups_claim', value: ''}],
				'Clear groups_claim, or point it at a list of strings',
			),
		'claim-mapping-type': () =>
			roleFix(
				[{op: 'unmap-claims', claims: Object.keys((check.actual as Record<string, unknown>) ?? {})}],
				'Remove the mappings of claims that are not strings',
			),
		'role-type-oidc': () =>
			roleFix(
				[{op: 'set', field: 'role_type', value: 'jwt'}],
				'Set role_type to jwt (and send it on every later update)',
			),
		'token-not-yet-valid': () => {
			const fix = roleFix(
				[{op: 'set', field: 'clock_skew_leeway', value: 120}],
				'Absorb the clock difference, then fix the clocks',
			);
			return {...fix, commands: [...fix.commands, '# and fix the clock (NTP) on the Vault servers']};
		},
		'token-expired': () =>
			make(
				[
					'# Fetch the token right before the login, not at the start of the job',
					...requestAudience(context.platform, audiences[0] ?? boundAudiences[0] ?? 'vault', roleOf(context)),
				],
				'Use a fresh token',
			),
		'issuer-mismatch': () =>
			configFix(
				[{op: 'set', field: 'bound_issuer', value: String(claims?.['iss'] ?? '')}],
				"Set bound_issuer to the token's iss",
			),
		'discovery-issuer-mismatch': () =>
			configFix(
				[
					{
						op: 'set',
						field: 'oidc_discovery_url',
						value: typeof check.actual === 'string' ? check.actual : (context.config?.oidcDiscoveryUrl ?? ''),
					},
				],
				'Set oidc_discovery_url to exactly the issuer the discovery document names',
			),
		'algorithm-not-allowed': () => {
			const alg = typeof check.actual === 'string' ? check.actual : '';
			return alg && /^(?:RS|ES|PS)(?:256|384|512)$|^EdDSA$/.test(alg)
				? configFix([{op: 'add', field: 'jwt_supported_algs', values: [alg]}], summary)
				: make([
						'# Sign tokens with an asymmetric algorithm (RS256, ES256, ...); Vault never accepts HS256 or none.',
					]);
		},
		'config-unsupported': () =>
			noWrite
				? withoutRole(check, context, make, noWrite)
				: make(
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
			noWrite
				? withoutRole(check, context, make, noWrite)
				: make(
						[
							vaultCommand(context, [
								'write',
								shellQuote(`auth/${mountOf(context)}/config`),
								`oidc_discovery_url=${shellQuote(String(claims?.['iss'] ?? '<issuer>'))}`,
								`bound_issuer=${shellQuote(String(claims?.['iss'] ?? '<issuer>'))}`,
							]),
						],
						"Configure the mount to trust the token's issuer",
					),
		'role-not-found': () => roleNotFoundFix(context, make),
		'role-missing': () =>
			make(
				[
					'ona-vault-doctor --role <name>',
					vaultCommand(context, ['list', shellQuote(`auth/${mountOf(context)}/role`)]),
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
					comment(
						`Add the caller's egress address (as Vault sees it, after any proxy or NAT) to token_bound_cidrs, keeping ${quoted(context.role?.tokenBoundCidrs ?? [])}:`,
					),
					`${vaultCommand(context, ['read', '-field=token_bound_cidrs', shellQuote(rolePath(context))])}`,
				],
				"Allow the caller's egress address in token_bound_cidrs",
			),
		'permission-denied': () => {
			const target = check.path ?? '<path>';
			return make(
				policyAppend(context, target),
				`Grant read on ${target} in the role's policy (added to the policy, nothing in it replaced)`,
			);
		},
		'kv2-path': () =>
			make(
				policyAppend(context, String(check.expected)),
				'Write KV v2 policy paths with data/ (and metadata/ for list)',
			),
		'platform-no-token': () => make(noTokenSnippets(context.platform)),
	};
	const claim = failingClaim(check);
	if (claim !== undefined && problem.startsWith('bound-claim-'))
		byProblem[problem] = () => boundClaimFix(check, claim, context, make, roleFix);
	const wrongMount = wrongMountFix(problem, context, make);
	if (wrongMount) return wrongMount;
	const build = byProblem[problem];
	if (build) {
		const fix = build();
		// A token-side fix first (audience) is shown with the role alternative, never applied blindly.
		const applicable = change && problem !== 'audience-mismatch';
		return applicable ? {...fix, change} : fix;
	}

	const steps = catalogue.fix as {role?: readonly string[]; token?: readonly string[]};
	return make([...(steps.role ?? []), ...(steps.token ?? [])].map(step => comment(step)));

	function configFix(edits: Edit[], text: string): Fix {
		if (noWrite) return withoutRole(check, context, make, noWrite);
		if (!context.config)
			return make([comment('The config could not be read: ask a Vault admin to make this change.')], text);
		const fix = make(config(edits), text);
		// A config holding a client secret Vault never returns cannot be rewritten safely: no change to apply.
		if (configSecretRisk(context.config)) change = undefined;
		return fix;
	}
}

/** Reads the policy, adds the rule at its end, writes it back: nothing already in the policy is replaced. */
function policyAppend(context: FixContext, path: string): string[] {
	const policy = context.role?.tokenPolicies[0] ?? '<policy>';
	return policyAddCommands(
		policy,
		`path ${JSON.stringify(path)} {\n  capabilities = ["read"]\n}`,
		context.namespace,
	);
}

/**
The commands that add rules to a policy without losing what it has: Vault replaces a policy whole on write, so
it is read into a file (empty if it does not exist yet), the rules are appended, and the file is written back.
*/
export function policyAddCommands(policy: string, rules: string, namespace?: string): string[] {
	const context = namespace ? {namespace} : {};
	const file = shellQuote(`${policy}.hcl`);
	return [
		comment('Vault replaces a policy whole on write: read it, add the rules at its end, write it back.'),
		`${vaultCommand(context, ['policy', 'read', shellQuote(policy)])} > ${file} || : > ${file}`,
		`cat >> ${file} <<'EOF'\n${rules.replace(/\n+$/, '')}\nEOF`,
		vaultCommand(context, ['policy', 'write', shellQuote(policy), file]),
	];
}

const trustComment = (trust: 'forged' | 'unchecked') =>
	trust === 'forged'
		? comment("The token's signature does not verify: the doctor binds nothing from its claims.")
		: comment(
				"The token's signature was not checked (offline, or no keys): the doctor binds nothing from its claims.",
			);

/**
The fix when no role write may be offered: what failed, the token's value, and how to get the role read or the
change made by someone who can. Never a write of bound_claims.
*/
function withoutRole(
	check: Check,
	context: FixContext,
	make: (commands: string[], text?: string) => Fix,
	reason: string | undefined,
): Fix {
	const claim = failingClaim(check);
	const value = claim === undefined ? undefined : context.claims?.[claim];
	const path = rolePath(context);
	const lines: string[] = [];
	if (reason === 'forged' || reason === 'unchecked') lines.push(trustComment(reason));
	if (claim !== undefined)
		lines.push(
			comment(
				value === undefined
					? `Vault refused the claim ${quoted(claim)}: the token has no such claim.`
					: `Vault refused the claim ${quoted(claim)}: the token's value is ${quoted(value)}.`,
			),
		);
	if (!context.role) {
		lines.push(
			comment(`Ask a Vault admin to compare it with the role ${path}, or let the doctor read the role:`),
			comment(
				'a token whose policy has: path "auth/+/role/*" { capabilities = ["read"] }, or an exported role:',
			),
			`${vaultCommand(context, ['read', '-format=json', shellQuote(path)])} > role.json`,
			`ona-vault-doctor --mount ${shellQuote(mountOf(context))} --role ${shellQuote(roleOf(context))} --role-file role.json`,
		);
	}

	const what =
		claim === undefined
			? problems[check.problem!].title
			: `Vault refused the token's ${quoted(claim)}${value === undefined ? ' (the token has none)' : ` (${quoted(value)})`}`;
	return make(
		lines.length > 0 ? lines : [comment('See the failing checks of the role above for the change.')],
		what,
	);
}

/** A config write would erase what Vault never returns: the OIDC client secret. */
export function configSecretRisk(config: JwtConfig | null | undefined): string | undefined {
	return config?.oidcClientId
		? 'The config has oidc_client_id, and Vault never returns oidc_client_secret: a config write without it erases the secret.'
		: undefined;
}

function boundClaimFix(
	check: Check,
	key: string,
	context: FixContext,
	make: (commands: string[], text?: string) => Fix,
	roleFix: (edits: Edit[], text: string) => Fix,
): Fix {
	const actual = check.claim === undefined ? context.claims?.[key] : check.actual;
	if (check.problem === 'bound-claim-missing' || actual === undefined) {
		// Removing the binding would let every token without the claim in: the token must carry it instead.
		const commands = [
			comment(
				`The role requires ${quoted(key)} and the token has none; the binding stays. Get a token that carries it:`,
			),
		];
		const platformFix = missingClaimFix(key);
		if (platformFix) commands.push(platformFix);
		if (check.hint) commands.push(comment(check.hint));
		return make(commands, `Use a token that has ${quoted(key)}; the role keeps requiring it`);
	}

	if (
		check.problem === 'bound-claim-type' ||
		(typeof actual === 'object' && actual !== null && !Array.isArray(actual))
	)
		return make(
			[
				comment(
					`The token's ${quoted(key)} is not a value Vault can compare; bind a string inside it with a JSON pointer key (e.g. "/${key}/name").`,
				),
			],
			`Bind a string claim instead of ${quoted(key)}`,
		);
	return roleFix(
		[{op: 'bind-claim', claim: key, value: actual}],
		`Bind ${quoted(key)} to the token's value ${quoted(actual)} (or run the job from where the role expects)`,
	);
}

/** The mount does not trust the token's issuer but another one does: the fix is the mount, not the config. */
function wrongMountFix(
	problem: ProblemId,
	context: FixContext,
	make: (commands: string[], text?: string) => Fix,
): Fix | undefined {
	const other = context.issuerMount;
	if (!other || other === context.mount) return undefined;
	if (
		!['signature-invalid', 'issuer-mismatch', 'discovery-issuer-mismatch', 'jwks-unavailable'].includes(
			problem,
		)
	)
		return undefined;
	return make(
		[
			`ona-vault-doctor --mount ${shellQuote(other)}${context.roleName ? ` --role ${shellQuote(context.roleName)}` : ''}`,
			`# log in on auth/${other}/login, the mount whose config trusts this token's issuer:`,
			vaultCommand(context, [
				'write',
				shellQuote(`auth/${other}/login`),
				`role=${shellQuote(context.roleName || '<role>')}`,
				'jwt="$JWT"',
			]),
		],
		`Use --mount ${other} (auth/${other}/login): that mount trusts this token's issuer, auth/${context.mount ?? 'jwt'} does not`,
	);
}

/** A role that does not exist: the roles that do, the closest name, and the role finder. */
function roleNotFoundFix(context: FixContext, make: (commands: string[], text?: string) => Fix): Fix {
	const mount = mountOf(context);
	const commands: string[] = [];
	if (context.roles) {
		commands.push(`# Roles on auth/${mount}: ${context.roles.join(', ') || 'none'}`);
		if (context.closestRole)
			commands.push(
				`ona-vault-doctor --mount ${shellQuote(mount)} --role ${shellQuote(context.closestRole)}`,
			);
	} else {
		commands.push(vaultCommand(context, ['list', shellQuote(`auth/${mount}/role`)]));
	}

	commands.push(
		`ona-vault-doctor --mount ${shellQuote(mount)} --find-role   # which roles accept this token`,
	);
	return make(
		commands,
		context.closestRole
			? `Use an existing role: the closest name is "${context.closestRole}" (names are lowercase), or create it`
			: 'Use an existing role (names are lowercase), or create it',
	);
}
