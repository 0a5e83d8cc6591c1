import type {JWK} from 'jose';
import type {Check, CheckId} from '../check.js';
import {platformMissingClaimHint, platformSubjectHint} from '../platforms/advice.js';
import type {ProblemId} from '../problems/catalogue.js';
import {formatTime} from '../time-text.js';
import {readVaultData} from '../vault-data.js';
import {
	type BoundClaimResult,
	type Claims,
	evaluateBoundClaims,
	getClaim,
	normalizeList,
	toClaimValue,
} from './claims.js';
import {type JwtConfig, type KeySource, keySource, parseConfig} from './config.js';
import {type GoValue, goFormat, isGoMap, jsonTypeName} from './go-values.js';
import {type PluginBehaviour, pluginBehaviour} from './plugin-version.js';
import {decodeRegisteredClaims, type RegisteredClaims} from './registered-claims.js';
import {type JwtRole, parseRole} from './role.js';
import {
	defaultSupportedAlgorithms,
	type SignatureVerdict,
	verifyWithJwks,
	verifyWithPemKeys,
} from './signature.js';
import {evaluateTimes} from './times.js';
import {inspectToken} from './token.js';

export type TokenInput = string | {header?: Record<string, unknown>; claims: Record<string, unknown>};

export type SimulateLoginInput = {
	token: TokenInput;
	/** The `data` of GET auth/<mount>/role/<name>, the whole response, or its JSON text; null when Vault answered 404. */
	role: Record<string, unknown> | string | null;
	/** The `data` of GET auth/<mount>/config (same forms); null when the mount was never configured. */
	config?: Record<string, unknown> | string | null;
	/** Unix seconds on Vault's clock; default: this machine's clock. */
	now?: number;
	/** `running_plugin_version` from sys/auth, e.g. "v0.20.3+builtin"; default: current Vault. */
	pluginVersion?: string;
	/** The role name the login sends; '' to model a login without one. */
	roleName?: string;
	/** What a live probe learned from the issuer: the discovery document's issuer and the key set. */
	issuer?: {discoveryIssuer?: string; jwks?: {keys: JWK[]}};
};

export type SimulateLoginResult = {
	allowed: boolean;
	vaultError: string | null;
	/** The HTTP status Vault answers with for that error (400 for most, 403 for a CIDR binding, 500 for internal cases). */
	httpStatus: number | null;
	checks: Check[];
	/** On success, the identity Vault would create: entity alias, group aliases and token metadata. */
	identity: LoginIdentity | null;
	behaviour: PluginBehaviour;
};

export type LoginIdentity = {aliasName: string; groupAliases: string[]; metadata: Record<string, string>};

/** The same input with the role and config already parsed, as the doctor passes them on from where it read them. */
export type ParsedLoginInput = Omit<SimulateLoginInput, 'role' | 'config'> & {
	role: JwtRole | null;
	config?: JwtConfig | null;
};

type Context = {
	behaviour: PluginBehaviour;
	role: JwtRole | null;
	config: JwtConfig | null | undefined;
	roleName: string;
	now: number;
	source: KeySource | undefined;
	token: {
		compact?: string;
		header?: Record<string, unknown>;
		claims?: Claims;
		error?: ReturnType<typeof inspectToken>;
	};
	registered?: RegisteredClaims;
};

/** What the checks that read the role get: they run only once the role is known. */
type RoleContext = Context & {role: JwtRole};

const hasRole = (context: Context): context is RoleContext => context.role !== null;

const validating = 'error validating token: ';
const verifying = `${validating}error verifying token signature: `;

export async function simulateLogin(input: SimulateLoginInput): Promise<SimulateLoginResult> {
	const {role, config, ...rest} = input;
	const roleData = readVaultData(role);
	const configData = readVaultData(config);
	return simulateParsedLogin({
		...rest,
		role: roleData ? parseRole(roleData) : null,
		...(configData === undefined ? {} : {config: configData && parseConfig(configData)}),
	});
}

/** Vault's pathLogin, check by check in its order; only the first failure is what Vault answers. */
export async function simulateParsedLogin(input: ParsedLoginInput): Promise<SimulateLoginResult> {
	const behaviour = pluginBehaviour(input.pluginVersion);
	const config = input.config;
	const context: Context = {
		behaviour,
		role: input.role,
		config,
		roleName: (input.roleName ?? '').toLowerCase() || (config?.defaultRole ?? '').toLowerCase(),
		now: input.now ?? Date.now() / 1000,
		source: config ? keySource(config) : undefined,
		token: readToken(input.token),
	};

	const checks: Check[] = [];
	const add = (check: Check | Check[] | undefined) => {
		if (check) checks.push(...(Array.isArray(check) ? check : [check]));
	};

	add(checkConfig(context));
	add(checkRoleName(context, input.roleName));
	add(checkRoleExists(context));
	if (hasRole(context)) {
		add(checkRoleType(context));
		add(checkTokenPresent(input.token));
		add(checkCidr(context));
		add(checkValidator(context, input.issuer));
		add(await checkSignature(context, input.issuer));
		add(checkAlgorithm(context));
		add(checkRegisteredClaims(context));
		if (behaviour.preCap) {
			add(checkTimePresence(context));
			add(checkStrictAudience(context));
			add(checkIssuer(context));
			add(checkSubject(context));
			add(checkTimes(context));
			add(checkAudience(context));
		} else {
			add(checkIssuer(context));
			add(checkSubject(context));
			add(checkAudience(context));
			add(checkTimes(context));
			add(checkStrictAudience(context));
		}

		add(checkUserClaim(context));
		add(checkProvider(context));
		add(checkClaimMappings(context));
		add(checkGroupsClaim(context));
		add(checkBoundClaims(context));
	}

	const firstFailure = checks.find(check => check.status === 'fail');
	return {
		allowed: !firstFailure,
		vaultError: firstFailure?.vaultMessage ?? null,
		httpStatus: firstFailure ? statusFor(firstFailure) : null,
		checks,
		identity: firstFailure ? null : loginIdentity(context),
		behaviour,
	};
}

function loginIdentity({role, token, behaviour, roleName}: Context): LoginIdentity | null {
	const claims = token.claims;
	if (!claims) return null;
	const aliasName = userClaimValue(role, claims, behaviour).value;
	const groupsClaim = role?.groupsClaim ?? '';
	const groups = groupsClaim
		? normalizeList(getClaim(claims, groupsClaim, behaviour) ?? [], behaviour.numericClaims)
		: [];
	const metadata: Record<string, string> = {};
	for (const [source, target] of Object.entries(role?.claimMappings ?? {})) {
		const value = getClaim(claims, source, behaviour);
		if (typeof value === 'string') metadata[target] = value;
	}

	metadata['role'] = roleName;
	return {
		aliasName: typeof aliasName === 'string' ? aliasName : '',
		groupAliases: (groups ?? []).filter(
			(group): group is string => typeof group === 'string' && group !== '',
		),
		metadata,
	};
}

/** What a Go client sees when the plugin panics: Vault's HTTP server drops the connection without an answer. */
export const pluginPanic =
	'(no answer: the plugin panics comparing two lists or two objects, and the connection is closed: EOF)';

function statusFor(check: Check): number | null {
	if (check.vaultMessage === pluginPanic) return null;
	if (check.problem === 'cidr-denied') return 403;
	if (check.vaultMessage === 'unhandled case during login') return 500;
	return 400;
}

function readToken(token: TokenInput): Context['token'] {
	if (typeof token === 'string') {
		const inspection = inspectToken(token);
		if (!inspection.ok) return {error: inspection};
		return {compact: inspection.compact, header: inspection.header, claims: toClaims(inspection.claims)};
	}

	return {...(token.header ? {header: token.header} : {}), claims: toClaims(token.claims)};
}

function toClaims(claims: Record<string, unknown>): Claims {
	const value = toClaimValue(claims);
	return isGoMap(value) ? value : {};
}

function check(
	id: CheckId,
	title: string,
	status: Check['status'],
	message: string,
	extra: Partial<Omit<Check, 'id' | 'title' | 'status' | 'message'>> = {},
): Check {
	return {id, title, status, message, ...extra};
}

const fail = (
	id: CheckId,
	title: string,
	problem: ProblemId,
	message: string,
	vaultMessage: string,
	extra: Partial<Check> = {},
) => check(id, title, 'fail', message, {problem, vaultMessage, ...extra});

function checkConfig({config}: Context): Check {
	const title = 'Auth method configuration';
	if (config === undefined)
		return check(
			'vault.config',
			title,
			'skip',
			'The mount configuration was not given; checks that need it are skipped.',
		);
	if (config === null) {
		return fail(
			'vault.config',
			title,
			'config-missing',
			'The mount has no configuration (auth/<mount>/config was never written).',
			'could not load configuration',
		);
	}

	return check('vault.config', title, 'pass', 'The mount is configured.');
}

function checkRoleName(context: Context, given: string | undefined): Check {
	const title = 'Role name';
	const defaultRole = context.config?.defaultRole ?? '';
	if (given === undefined && context.role) {
		return check('login.role-name', title, 'pass', 'The role was given directly.');
	}

	if (!given) {
		if (defaultRole) {
			return check(
				'login.role-name',
				title,
				'pass',
				`No role was sent; Vault uses the mount's default_role "${defaultRole.toLowerCase()}".`,
			);
		}

		return fail(
			'login.role-name',
			title,
			'role-missing',
			'No role was sent and the mount has no default_role.',
			'missing role',
		);
	}

	if (given !== given.toLowerCase()) {
		return check(
			'login.role-name',
			title,
			'warn',
			`Vault lowercases role names: "${given}" is looked up as "${given.toLowerCase()}".`,
			{
				actual: given,
				expected: given.toLowerCase(),
			},
		);
	}

	return check('login.role-name', title, 'pass', `The login names role "${given}".`);
}

function checkRoleExists(context: Context): Check | undefined {
	const title = 'Role exists';
	if (!context.roleName && !context.role) return undefined;
	if (!context.role) {
		return fail(
			'vault.role',
			title,
			'role-not-found',
			`Role "${context.roleName}" does not exist on this mount.`,
			`role "${context.roleName}" could not be found`,
		);
	}

	return check(
		'vault.role',
		title,
		'pass',
		context.roleName ? `Role "${context.roleName}" exists.` : 'The role was given.',
	);
}

function checkRoleType({role}: RoleContext): Check {
	const title = 'role_type is jwt';
	const roleType = role.roleType;
	if (roleType === 'oidc') {
		return fail(
			'login.role-type',
			title,
			'role-type-oidc',
			'The role is an OIDC (browser login) role; JWT login needs role_type "jwt".',
			'role with oidc role_type is not allowed',
			{
				expected: 'jwt',
				actual: 'oidc',
			},
		);
	}

	if (!role.roleTypeGiven) {
		return check(
			'login.role-type',
			title,
			'warn',
			'The role data has no role_type; Vault reads a stored empty role_type as "jwt", but a role written without role_type=jwt becomes "oidc".',
			{
				expected: 'jwt',
			},
		);
	}

	return check('login.role-type', title, 'pass', `role_type is "${roleType}".`);
}

function checkTokenPresent(token: TokenInput): Check {
	const title = 'Token present';
	if (typeof token === 'string' && token.trim() === '') {
		return fail('token.present', title, 'platform-no-token', 'The token is empty.', 'missing token');
	}

	return check('token.present', title, 'pass', 'A token was sent.');
}

function checkCidr({role}: RoleContext): Check {
	const title = 'Caller address (token_bound_cidrs)';
	const cidrs = role.tokenBoundCidrs;
	if (cidrs.length === 0)
		return check('login.cidr', title, 'pass', 'The role does not restrict caller addresses.');
	return check(
		'login.cidr',
		title,
		'skip',
		`The role only accepts callers from ${cidrs.join(', ')}. Vault compares the address it sees (after proxies and NAT), which cannot be checked offline; a mismatch is a 403 "permission denied" before any token check.`,
		{problem: 'cidr-denied', expected: cidrs, vaultMessage: 'permission denied'},
	);
}

function checkValidator(context: Context, issuer: SimulateLoginInput['issuer']): Check {
	const title = 'Token validator';
	const {config, source, behaviour} = context;
	if (config === undefined || source === undefined)
		return check('login.validator', title, 'skip', 'Needs the mount configuration.');
	if (config === null) return check('login.validator', title, 'skip', 'The mount has no configuration.');
	const preCap = behaviour.preCap;
	if (source === 'oidc-flow' && !behaviour.oidcFlowLogin) {
		return fail(
			'login.validator',
			title,
			'config-unsupported',
			'The mount has oidc_client_id set (browser OIDC flow); Vault cannot do JWT login on such a mount.',
			preCap ? 'unhandled case during login' : 'error configuring token validator: unsupported config type',
			{actual: {oidc_client_id: config.oidcClientId}},
		);
	}

	if (source === 'none') {
		return check(
			'login.validator',
			title,
			'skip',
			'The configuration given names no key source (jwt_validation_pubkeys, jwks_url, jwks_pairs or oidc_discovery_url); Vault requires exactly one, so this is a partial configuration.',
		);
	}

	if (source === 'discovery' || source === 'oidc-flow') {
		const configured = config.oidcDiscoveryUrl;
		if (issuer?.discoveryIssuer === undefined) {
			return check(
				'login.validator',
				title,
				'skip',
				`Vault builds its validator from ${configured}/.well-known/openid-configuration; the live probe checks that document.`,
			);
		}

		if (issuer.discoveryIssuer !== configured) {
			return fail(
				'login.validator',
				title,
				'discovery-issuer-mismatch',
				`The discovery document's issuer differs from oidc_discovery_url${trailingSlashHint(configured, issuer.discoveryIssuer)}.`,
				`error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "${configured}" got "${issuer.discoveryIssuer}"`,
				{expected: configured, actual: issuer.discoveryIssuer},
			);
		}

		return check(
			'login.validator',
			title,
			'pass',
			`The discovery document's issuer equals oidc_discovery_url (${configured}).`,
		);
	}

	return check(
		'login.validator',
		title,
		'pass',
		`Keys come from ${{static: 'jwt_validation_pubkeys', jwks: 'jwks_url', 'jwks-pairs': 'jwks_pairs'}[source]}.`,
	);
}

function trailingSlashHint(a: string, b: string): string {
	return a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
		? ' (only a trailing slash differs, and that matters)'
		: '';
}

async function checkSignature(context: Context, issuer: SimulateLoginInput['issuer']): Promise<Check> {
	const title = 'Signature';
	const {token, source, behaviour, config} = context;
	const preCap = behaviour.preCap;
	const lib = behaviour.joseLibPrefix;
	if (token.error && !token.error.ok) {
		const parseError = token.error.parseError.replace('go-jose/go-jose', lib);
		let vaultMessage: string;
		if (preCap) vaultMessage = `error parsing token: ${parseError}`;
		else if (source === 'static' || source === undefined) vaultMessage = `${verifying}${parseError}`;
		else vaultMessage = `${verifying}oidc: malformed jwt: ${parseError}`;
		if (token.error.problem === 'platform-no-token') {
			return check('login.signature', title, 'skip', 'There is no token to check.');
		}

		return fail('login.signature', title, token.error.problem, token.error.reason, vaultMessage);
	}

	if (!token.compact)
		return check(
			'login.signature',
			title,
			'skip',
			'Claims were given without a signed token, so there is no signature to verify.',
		);
	if (source === undefined || config === undefined || config === null)
		return check(
			'login.signature',
			title,
			'skip',
			'Needs the mount configuration to know which keys Vault trusts.',
		);

	const alg = typeof token.header?.['alg'] === 'string' ? token.header['alg'] : '';
	const kid = typeof token.header?.['kid'] === 'string' ? token.header['kid'] : undefined;
	const remote =
		source === 'jwks' || source === 'discovery' || source === 'jwks-pairs' || source === 'oidc-flow';

	if (
		remote &&
		behaviour.oidcAlgorithmAllowList &&
		!(defaultSupportedAlgorithms as readonly string[]).includes(alg)
	) {
		const expected = defaultSupportedAlgorithms.map(name => `"${name}"`).join(' ');
		return fail(
			'login.signature',
			title,
			'algorithm-not-allowed',
			`The token is signed with "${alg}", which Vault's key-set verifier refuses before it even looks for a key (only asymmetric algorithms are accepted).`,
			`${verifying}oidc: malformed jwt: ${lib}: unexpected signature algorithm "${alg}"; expected [${expected}]`,
			{expected: [...defaultSupportedAlgorithms], actual: alg},
		);
	}

	if (source === 'jwks-pairs' && behaviour.jwksPairsByKid && !kid) {
		return fail(
			'login.signature',
			title,
			'signature-invalid',
			'The token has no kid header, and with jwks_pairs Vault finds the key by kid.',
			`${validating}token missing kid header parameter`,
		);
	}

	let verdict: SignatureVerdict | undefined;
	if (source === 'static') {
		verdict = await verifyWithPemKeys(token.compact, alg, config.jwtValidationPubkeys);
	} else if (issuer?.jwks) {
		verdict = await verifyWithJwks(token.compact, alg, kid, issuer.jwks.keys);
	}

	if (!verdict) {
		return check(
			'login.signature',
			title,
			'skip',
			"Vault verifies the signature with the issuer's keys; the live probe fetches them and verifies it.",
		);
	}

	if (verdict.verdict === 'verified')
		return check('login.signature', title, 'pass', `The signature verifies with ${verdict.by}.`);
	if (verdict.verdict === 'unverifiable')
		return check(
			'login.signature',
			title,
			'skip',
			`The signature could not be checked here: ${verdict.reason}.`,
		);

	let vaultMessage: string;
	if (source === 'static') {
		vaultMessage = preCap
			? 'no known key successfully validated the token signature'
			: `${verifying}no known key successfully validated the token signature`;
	} else if (source === 'jwks-pairs' && behaviour.jwksPairsByKid) {
		vaultMessage = `${validating}error searching for key set with kid ${kid}: no key found with kid ${kid} in any JWKS endpoint`;
	} else if (preCap) {
		vaultMessage =
			source === 'discovery'
				? 'error validating signature: failed to verify signature: failed to verify id token signature'
				: 'error verifying token: failed to verify id token signature';
	} else {
		vaultMessage = `${verifying}failed to verify id token signature`;
	}

	return fail(
		'login.signature',
		title,
		'signature-invalid',
		`The signature does not verify: ${verdict.reason}.`,
		vaultMessage,
		{
			...(kid ? {actual: {kid, alg}} : {actual: {alg}}),
		},
	);
}

function supportedAlgorithms(context: Context): string[] {
	const configured = context.config?.jwtSupportedAlgs ?? [];
	if (configured.length > 0) return configured;
	return context.behaviour.emptyAlgorithmsMeansRs256 ? ['RS256'] : [...defaultSupportedAlgorithms];
}

function checkAlgorithm(context: Context): Check {
	const title = 'Signing algorithm (jwt_supported_algs)';
	const {token, config} = context;
	if (!token.header) return check('login.algorithm', title, 'skip', 'The token header was not given.');
	if (config === undefined || config === null)
		return check('login.algorithm', title, 'skip', 'Needs the mount configuration.');
	const alg = typeof token.header['alg'] === 'string' ? token.header['alg'] : '';
	const allowed = supportedAlgorithms(context);
	const invalid = allowed.find(name => !(defaultSupportedAlgorithms as readonly string[]).includes(name));
	const prefix = `${validating}invalid algorithm (alg) header parameter: `;
	if (invalid) {
		return fail(
			'login.algorithm',
			title,
			'algorithm-not-allowed',
			`jwt_supported_algs contains "${invalid}", which Vault does not support.`,
			`${prefix}unsupported signing algorithm "${invalid}"`,
			{
				expected: [...defaultSupportedAlgorithms],
				actual: allowed,
			},
		);
	}

	if (!allowed.includes(alg)) {
		return fail(
			'login.algorithm',
			title,
			'algorithm-not-allowed',
			`The token is signed with "${alg}", which is not in jwt_supported_algs.`,
			`${prefix}token signed with unexpected algorithm`,
			{
				expected: allowed,
				actual: alg,
			},
		);
	}

	return check('login.algorithm', title, 'pass', `"${alg}" is allowed.`, {expected: allowed, actual: alg});
}

function checkRegisteredClaims(context: Context): Check | undefined {
	const title = 'Registered claim types';
	if (!context.token.claims) return undefined;
	const decoded = decodeRegisteredClaims(context.token.claims, `${context.behaviour.joseLibPrefix}`);
	if (!decoded.ok) {
		return fail(
			'login.claim-types',
			title,
			'token-claim-type',
			'A registered claim has the wrong JSON type (aud must be a string or list of strings; exp, nbf and iat numbers).',
			`${validating}${decoded.error}`,
		);
	}

	context.registered = decoded.claims;
	return check(
		'login.claim-types',
		title,
		'pass',
		'iss, sub, aud, exp, nbf and iat have the types Vault expects.',
	);
}

function checkIssuer(context: Context): Check | undefined {
	const title = 'Issuer (bound_issuer)';
	const {registered, config, behaviour} = context;
	if (!registered) return undefined;
	if (config === undefined || config === null)
		return check('login.issuer', title, 'skip', 'Needs the mount configuration.', {actual: registered.iss});
	const bound = config.boundIssuer;
	const preCapDiscovery = behaviour.preCap && context.source === 'discovery';
	if (preCapDiscovery) {
		return check(
			'login.issuer',
			title,
			'skip',
			"This Vault compares iss with the discovery document's issuer; the live probe reads it.",
			{actual: registered.iss},
		);
	}

	if (!bound) {
		return check(
			'login.issuer',
			title,
			'pass',
			`The mount sets no bound_issuer, so Vault does not compare iss ("${registered.iss}").`,
			{actual: registered.iss},
		);
	}

	if (bound !== registered.iss) {
		return fail(
			'login.issuer',
			title,
			'issuer-mismatch',
			`The token's iss differs from the mount's bound_issuer${trailingSlashHint(bound, registered.iss)}.`,
			behaviour.preCap
				? `error validating claims: ${behaviour.joseLibPrefix}/jwt: validation failed, invalid issuer claim (iss)`
				: `${validating}invalid issuer (iss) claim`,
			{expected: bound, actual: registered.iss},
		);
	}

	return check('login.issuer', title, 'pass', `iss equals bound_issuer "${bound}".`, {
		expected: bound,
		actual: registered.iss,
	});
}

function checkSubject(context: RoleContext): Check | undefined {
	const title = 'Subject (bound_subject)';
	const {registered, role, behaviour} = context;
	if (!registered) return undefined;
	const bound = role.boundSubject;
	if (!bound)
		return check('login.subject', title, 'pass', 'The role sets no bound_subject.', {actual: registered.sub});
	if (bound === registered.sub)
		return check('login.subject', title, 'pass', `sub equals bound_subject.`, {
			expected: bound,
			actual: registered.sub,
		});
	let vaultMessage = `${validating}invalid subject (sub) claim`;
	if (behaviour.preCap) {
		vaultMessage =
			context.source === 'discovery'
				? 'sub claim does not match bound subject'
				: `error validating claims: ${behaviour.joseLibPrefix}/jwt: validation failed, invalid subject claim (sub)`;
	}

	return fail(
		'login.subject',
		title,
		'subject-mismatch',
		"The token's sub differs from the role's bound_subject.",
		vaultMessage,
		{
			expected: bound,
			actual: registered.sub,
			...(subjectHint(bound, registered.sub) ? {hint: subjectHint(bound, registered.sub)} : {}),
		},
	);
}

function subjectHint(bound: string, sub: string): string | undefined {
	if (bound.includes('*'))
		return 'bound_subject is compared exactly; `*` is not a wildcard there (use bound_claims with bound_claims_type=glob on "sub").';
	const platformHint = platformSubjectHint(bound, sub);
	if (platformHint) return platformHint;
	if (bound.toLowerCase() === sub.toLowerCase())
		return 'The values differ only in letter case; Vault compares exactly.';
	return undefined;
}

function checkAudience(context: RoleContext): Check | undefined {
	const title = 'Audience (bound_audiences)';
	const {registered, role, behaviour} = context;
	if (!registered) return undefined;
	const bound = role.boundAudiences;
	const actual = registered.aud ?? [];
	if (bound.length === 0) {
		return check(
			'login.audience',
			title,
			'pass',
			'The role sets no bound_audiences, so Vault does not match aud here.',
			{actual: registered.aud},
		);
	}

	if (bound.some(audience => actual.includes(audience))) {
		return check('login.audience', title, 'pass', `aud matches bound_audiences.`, {
			expected: bound,
			actual: registered.aud,
		});
	}

	const vaultMessage = behaviour.preCap
		? 'error validating claims: aud claim does not match any bound audience'
		: `${validating}invalid audience (aud) claim: audience claim does not match any expected audience`;
	const near = bound.find(audience =>
		actual.some(
			value => value.toLowerCase().replace(/\/+$/, '') === audience.toLowerCase().replace(/\/+$/, ''),
		),
	);
	return fail(
		'login.audience',
		title,
		'audience-mismatch',
		actual.length === 0
			? 'The token has no aud claim, but the role requires one of bound_audiences.'
			: "None of the token's audiences is in the role's bound_audiences.",
		vaultMessage,
		{
			expected: bound,
			actual: registered.aud,
			...(near
				? {hint: 'The values differ only in letter case or a trailing slash; Vault compares exactly.'}
				: {}),
		},
	);
}

function checkTimePresence(context: Context): Check | undefined {
	const {registered} = context;
	if (!registered) return undefined;
	if (!registered.exp && !registered.nbf && !registered.iat) {
		return fail(
			'login.times',
			'Token lifetime',
			'token-no-time-claims',
			'The token has none of iat, nbf and exp.',
			context.source === 'discovery'
				? 'error validating signature: oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)'
				: 'no issue time, notbefore, or expiration time encoded in token',
		);
	}

	return undefined;
}

function checkTimes(context: RoleContext): Check | undefined {
	const title = 'Token lifetime (exp, nbf, iat and leeways)';
	const {registered, role, now, behaviour} = context;
	if (!registered) return undefined;
	if (behaviour.preCap && !registered.exp && !registered.nbf && !registered.iat) return undefined;
	const evaluation = evaluateTimes(registered, role.leeways, now);
	const window = {
		now: formatTime(now),
		...(registered.iat ? {iat: formatTime(registered.iat)} : {}),
		...(registered.nbf ? {nbf: formatTime(registered.nbf)} : {}),
		...(registered.exp ? {exp: formatTime(registered.exp)} : {}),
		clock_skew_leeway: evaluation.effective.clockSkew,
	};
	const jose = behaviour.joseLibPrefix;
	const preCap = behaviour.preCap;
	switch (evaluation.verdict) {
		case 'no-time-claims': {
			return fail(
				'login.times',
				title,
				'token-no-time-claims',
				'The token has none of iat, nbf and exp (or they are 0).',
				`${validating}no issued at (iat), not before (nbf), or expiration time (exp) claims in token`,
				{actual: window},
			);
		}

		case 'not-yet-valid': {
			const derived =
				evaluation.notBeforeDerived === 'exp-minus-leeway'
					? ` The token has only exp, so Vault takes nbf = exp − not_before_leeway (${evaluation.effective.notBefore} s).`
					: '';
			return fail(
				'login.times',
				title,
				'token-not-yet-valid',
				`The token becomes valid at ${formatTime(evaluation.notBefore!)}, ${describeDelta(evaluation.notBefore! - now)} Vault's clock, beyond the ${evaluation.effective.clockSkew} s clock_skew_leeway.${derived}`,
				preCap
					? `error validating claims: ${jose}/jwt: validation failed, token not valid yet (nbf)`
					: `${validating}invalid not before (nbf) claim: token not yet valid`,
				{
					expected: `now + ${evaluation.effective.clockSkew} s ≥ ${formatTime(evaluation.notBefore!)}`,
					actual: window,
				},
			);
		}

		case 'expired': {
			const derived = evaluation.expiryDerived
				? ` The token has no exp, so Vault takes exp = issue time + expiration_leeway (${evaluation.effective.expiration} s).`
				: '';
			return fail(
				'login.times',
				title,
				'token-expired',
				`The token expired at ${formatTime(evaluation.expiry!)}, ${describeDelta(now - evaluation.expiry!, 'ago')}, beyond the ${evaluation.effective.clockSkew} s clock_skew_leeway.${derived}`,
				preCap
					? `error validating claims: ${jose}/jwt: validation failed, token is expired (exp)`
					: `${validating}invalid expiration time (exp) claim: token is expired`,
				{
					expected: `now − ${evaluation.effective.clockSkew} s ≤ ${formatTime(evaluation.expiry!)}`,
					actual: window,
				},
			);
		}

		case 'issued-in-future': {
			return fail(
				'login.times',
				title,
				'token-not-yet-valid',
				`The token's iat (${formatTime(registered.iat!)}) is ${describeDelta(registered.iat! - now)} Vault's clock, beyond the clock_skew_leeway: the issuer's clock is ahead of Vault's.`,
				preCap
					? `error validating claims: ${jose}/jwt: validation field, token issued in the future (iat)`
					: `${validating}invalid issued at (iat) claim: token issued in the future`,
				{actual: window},
			);
		}

		default: {
			const remaining = evaluation.expiry! + evaluation.effective.clockSkew - now;
			if (remaining < 60) {
				return check(
					'login.times',
					title,
					'warn',
					`The token is valid but expires ${describeDelta(remaining, 'from now')}; fetch it right before the login.`,
					{actual: window, problem: 'token-expired'},
				);
			}

			return check(
				'login.times',
				title,
				'pass',
				`The token is valid now and expires ${describeDelta(evaluation.expiry! - now, 'from now')}.`,
				{actual: window},
			);
		}
	}
}

function describeDelta(seconds: number, suffix = 'ahead of'): string {
	const absolute = Math.abs(Math.round(seconds));
	const parts: string[] = [];
	const hours = Math.floor(absolute / 3600);
	const minutes = Math.floor((absolute % 3600) / 60);
	const rest = absolute % 60;
	if (hours) parts.push(`${hours} h`);
	if (minutes) parts.push(`${minutes} min`);
	if (rest || parts.length === 0) parts.push(`${rest} s`);
	return `${parts.join(' ')} ${suffix}`;
}

function checkStrictAudience(context: RoleContext): Check | undefined {
	const title = 'Audience bound when the token has one';
	const {registered, role, behaviour, token} = context;
	if (!registered || !token.claims) return undefined;
	if (role.boundAudiences.length > 0) return undefined;
	const aud = getClaim(token.claims, 'aud', behaviour);
	const isList = Array.isArray(aud) && aud.length > 0;
	const isString = typeof aud === 'string' && aud !== '';
	const preCapDiscovery = behaviour.preCap && context.source === 'discovery';
	const message = 'The token carries aud but the role has no bound_audiences.';
	const vaultMessage = 'audience claim found in JWT but no audiences bound to the role';
	if ((isList || (isString && (behaviour.strictStringAudience || behaviour.preCap))) && !preCapDiscovery) {
		return fail('login.audience-unbound', title, 'audience-unbound', message, vaultMessage, {
			expected: 'bound_audiences set',
			actual: aud,
		});
	}

	if (isString || isList) {
		return check(
			'login.audience-unbound',
			title,
			'warn',
			`The token carries aud "${goFormat(aud)}" and the role has no bound_audiences. ${behaviour.label} accepts this, but Vault 1.17+ rejects it ("${vaultMessage}"); set bound_audiences before upgrading.`,
			{problem: 'audience-unbound', actual: aud},
		);
	}

	return check('login.audience-unbound', title, 'pass', 'The token has no aud and the role binds none.');
}

/**
The user claim as createIdentity reads it: a JSON pointer only with user_claim_json_pointer (plugin v0.13.0+),
otherwise a literal top-level key; null is the same as missing.
*/
function userClaimValue(role: JwtRole | null, claims: Claims, behaviour: PluginBehaviour) {
	const name = role?.userClaim ?? '';
	const pointer = (role?.userClaimJsonPointer ?? false) && behaviour.userClaimJsonPointer;
	const value = pointer
		? getClaim(claims, name, behaviour)
		: nullToUndefined(Object.hasOwn(claims, name) ? claims[name] : undefined);
	return {name, pointer, value};
}

function checkUserClaim(context: RoleContext): Check | undefined {
	const title = 'user_claim';
	const {role, token, behaviour} = context;
	if (!token.claims) return undefined;
	const {name: userClaim, pointer, value} = userClaimValue(role, token.claims, behaviour);
	if (value === undefined) {
		const hint =
			userClaim.startsWith('/') && !pointer
				? 'user_claim looks like a JSON pointer but user_claim_json_pointer is false, so Vault looks for a top-level claim literally named that.'
				: userClaim === 'email' && token.claims['creator_email'] !== undefined
					? 'This is an environment token: it has creator_email, not email.'
					: undefined;
		return fail(
			'login.user-claim',
			title,
			'user-claim-missing',
			`The token has no "${userClaim}" claim for user_claim.`,
			`claim "${userClaim}" not found in token`,
			{
				expected: userClaim,
				...(hint ? {hint} : {}),
			},
		);
	}

	if (typeof value !== 'string') {
		return fail(
			'login.user-claim',
			title,
			'user-claim-type',
			`user_claim "${userClaim}" is a ${jsonTypeName(value)} in the token; it must be a string.`,
			`claim "${userClaim}" could not be converted to string`,
			{
				actual: value,
			},
		);
	}

	return check('login.user-claim', title, 'pass', `user_claim "${userClaim}" is "${value}".`, {
		actual: value,
	});
}

function nullToUndefined(value: GoValue | undefined): GoValue | undefined {
	return value === null ? undefined : value;
}

function checkProvider({config}: Context): Check | undefined {
	const provider = config?.providerConfig ?? {};
	if (Object.keys(provider).length === 0) return undefined;
	return check(
		'login.provider',
		'Provider-specific config',
		'warn',
		`The mount has provider_config (${String(provider['provider'] ?? 'custom')}), which fetches data during login and may change groups and claims; the doctor cannot reproduce it offline.`,
		{problem: 'provider-config'},
	);
}

function checkClaimMappings(context: RoleContext): Check | undefined {
	const title = 'claim_mappings';
	const {role, token, behaviour} = context;
	if (!token.claims) return undefined;
	const keys = Object.keys(role.claimMappings);
	if (keys.length === 0) return undefined;
	const bad = keys.filter(key => {
		const value = getClaim(token.claims!, key, behaviour);
		return value !== undefined && typeof value !== 'string';
	});
	if (bad.length > 0) {
		const vaultMessage = `error converting claim '${bad[0]}' to string`;
		return fail(
			'login.claim-mappings',
			title,
			'claim-mapping-type',
			`claim_mappings source${bad.length > 1 ? 's' : ''} ${bad.map(key => `"${key}"`).join(', ')} ${bad.length > 1 ? 'are' : 'is'} not a string in the token.`,
			vaultMessage,
			{
				actual: Object.fromEntries(bad.map(key => [key, getClaim(token.claims!, key, behaviour)])),
				...(bad.length > 1 ? {hint: 'Vault reports one of them, picked at random.'} : {}),
			},
		);
	}

	return check('login.claim-mappings', title, 'pass', 'Every mapped claim that is present is a string.');
}

function checkGroupsClaim(context: RoleContext): Check | undefined {
	const title = 'groups_claim';
	const {role, token, behaviour} = context;
	if (!token.claims) return undefined;
	const groupsClaim = role.groupsClaim;
	if (!groupsClaim) return undefined;
	const value = getClaim(token.claims, groupsClaim, behaviour);
	if (value === undefined) {
		return fail(
			'login.groups-claim',
			title,
			'groups-claim-missing',
			`groups_claim is "${groupsClaim}" but the token has no such claim.`,
			`failed to fetch groups: "${groupsClaim}" claim not found in token`,
		);
	}

	const list = normalizeList(value, behaviour.numericClaims);
	if (!list) {
		return fail(
			'login.groups-claim',
			title,
			'groups-claim-type',
			`groups_claim "${groupsClaim}" is a ${jsonTypeName(value)}; it must be a string or a list of strings.`,
			`"${groupsClaim}" claim could not be converted to string list`,
			{actual: value},
		);
	}

	const element = list.find(item => typeof item !== 'string');
	if (element !== undefined) {
		return fail(
			'login.groups-claim',
			title,
			'groups-claim-type',
			`groups_claim "${groupsClaim}" holds a ${jsonTypeName(element)} (${goFormat(element)}); every element must be a string.`,
			`value ${goFormat(element)} in groups claim could not be parsed as string`,
			{actual: value},
		);
	}

	return check(
		'login.groups-claim',
		title,
		'pass',
		`groups_claim "${groupsClaim}" gives ${list.filter(item => item !== '').length} group(s).`,
		{actual: value},
	);
}

function checkBoundClaims(context: RoleContext): Check[] | undefined {
	const {role, token, behaviour} = context;
	if (!token.claims) return undefined;
	const entries = role.boundClaims;
	if (Object.keys(entries).length === 0) {
		return [check('login.bound-claims', 'bound_claims', 'pass', 'The role sets no bound_claims.')];
	}

	const glob = role.boundClaimsType === 'glob' && behaviour.globClaims;
	const results = evaluateBoundClaims(entries, token.claims, {glob, numericClaims: behaviour.numericClaims});
	const failures = results.filter(result => result.outcome !== 'pass').length;
	return results.map(result => boundClaimCheck(result, glob, failures, token.claims!));
}

const boundClaimProblems: Record<Exclude<BoundClaimResult['outcome'], 'pass'>, ProblemId> = {
	missing: 'bound-claim-missing',
	'claim-type': 'bound-claim-type',
	'bound-type': 'bound-claim-type',
	'glob-type': 'bound-claim-type',
	mismatch: 'bound-claim-mismatch',
	panic: 'bound-claim-type',
};

function boundClaimCheck(result: BoundClaimResult, glob: boolean, failures: number, claims: Claims): Check {
	const id = `login.bound-claims/${result.key}` as const;
	const title = `bound_claims "${result.key}"`;
	const values = {
		claim: result.key,
		expected: result.expected,
		...(result.actual === undefined ? {} : {actual: result.actual}),
	};
	if (result.outcome === 'pass') {
		return check(id, title, 'pass', `"${result.key}" matches${glob ? ' (glob)' : ''}.`, values);
	}

	const several = failures > 1 ? ' Vault checks keys in random order and names only one failing key.' : '';
	const messages: Record<Exclude<BoundClaimResult['outcome'], 'pass'>, string> = {
		missing: result.key.startsWith('/')
			? `The token has nothing at JSON pointer "${result.key}".`
			: `The token has no claim "${result.key}".`,
		'claim-type': `The token's "${result.key}" is a ${jsonTypeName(result.actual)}; Vault compares only strings, booleans, integers and lists.`,
		'bound-type': `The role's bound value for "${result.key}" is a ${jsonTypeName(result.expected)}; Vault compares only strings, booleans, integers and lists.`,
		'glob-type': `bound_claims_type is glob but the bound value for "${result.key}" is not a string.`,
		mismatch: `The token's "${result.key}" matches none of the bound values.`,
		panic: `Comparing "${result.key}" would crash Vault's plugin (two lists or two objects compared).`,
	};
	const missingHint = result.outcome === 'missing' ? missingClaimHint(result.key, claims) : undefined;
	const hint = result.hint ?? missingHint;
	return check(id, title, 'fail', messages[result.outcome] + several, {
		problem: boundClaimProblems[result.outcome],
		vaultMessage: result.message ? `error validating claims: ${result.message}` : pluginPanic,
		...values,
		...(hint ? {hint} : {}),
	});
}

/** Why a bound claim key finds nothing, when the token shows it: pointer vs literal keys, platform token versions. */
function missingClaimHint(key: string, claims: Claims): string | undefined {
	if (key.startsWith('/')) {
		const literal = key.slice(1);
		if (Object.hasOwn(claims, literal)) {
			return `The token has a top-level claim "${literal}"; a key starting with / is a JSON pointer, so drop the leading / (or write ${key.replaceAll('/', '~1').replace(/^~1/, '/')}).`;
		}
	} else {
		for (const [index, character] of [...key].entries()) {
			if (character !== '.' && character !== '/') continue;
			const head = key.slice(0, index);
			if (isGoMap(claims[head])) {
				const pointer = `/${head.replaceAll('~', '~0').replaceAll('/', '~1')}/${key.slice(index + 1).replaceAll('.', '/')}`;
				return `"${head}" is an object in the token; keys without a leading / are literal names, so reach inside with a JSON pointer such as "${pointer}".`;
			}
		}
	}

	return platformMissingClaimHint(key, claims);
}
