import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {type SimulateLoginInput, simulateLogin} from '../source/core/login/simulate-login.js';
import {explainVaultError} from '../source/core/problems/explain-error.js';
import {createTestKey, type TestKey} from './helpers/keys.js';

const now = 1_800_000_000;
let key: TestKey;

before(async () => {
	key = await createTestKey('RS256', 'k1');
});

const claims = (extra: Record<string, unknown> = {}) => ({
	iss: 'https://issuer.example',
	sub: 'repo:octo/app:ref:refs/heads/main',
	aud: ['vault'],
	iat: now - 10,
	nbf: now - 10,
	exp: now + 290,
	repository: 'octo/app',
	...extra,
});

const role = (extra: Record<string, unknown> = {}) => ({
	role_type: 'jwt',
	user_claim: 'sub',
	bound_audiences: ['vault'],
	bound_claims: {repository: 'octo/app'},
	...extra,
});

async function login(
	overrides: Partial<SimulateLoginInput> & {
		claims?: Record<string, unknown>;
		header?: Record<string, unknown>;
	} = {},
) {
	const {claims: tokenClaims = claims(), header, ...rest} = overrides;
	return simulateLogin({
		token: await key.sign(tokenClaims, header),
		role: role(),
		config: {jwt_validation_pubkeys: [key.pem]},
		now,
		...rest,
	});
}

const failing = (result: Awaited<ReturnType<typeof simulateLogin>>) =>
	result.checks.filter(check => check.status === 'fail').map(check => check.id);

test('a good token passes every check and yields the identity Vault would create', async () => {
	const result = await login({roleName: 'deploy'});
	assert.equal(result.allowed, true);
	assert.equal(result.vaultError, null);
	assert.deepEqual(result.identity, {
		aliasName: 'repo:octo/app:ref:refs/heads/main',
		groupAliases: [],
		metadata: {role: 'deploy'},
	});
	assert.equal(result.checks.find(check => check.id === 'login.signature')?.status, 'pass');
});

test('every failure is listed while vaultError is the first in Vault order', async () => {
	const result = await login({
		claims: claims({
			aud: ['other'],
			exp: now - 3600,
			iat: now - 7200,
			nbf: now - 7200,
			repository: 'octo/fork',
		}),
		role: role({user_claim: 'email'}),
	});
	assert.equal(
		result.vaultError,
		'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
	);
	assert.deepEqual(failing(result), [
		'login.audience',
		'login.times',
		'login.user-claim',
		'login.bound-claims/repository',
	]);
	const audience = result.checks.find(check => check.id === 'login.audience')!;
	assert.deepEqual(
		[audience.expected, audience.actual, audience.problem],
		[['vault'], ['other'], 'audience-mismatch'],
	);
});

test('user_claim errors win over bound_claims errors', async () => {
	const result = await login({claims: claims({repository: 'x'}), role: role({user_claim: 'missing'})});
	assert.equal(result.vaultError, 'claim "missing" not found in token');
});

test('the strict audience rule follows the plugin version for string aud', async () => {
	const cases: Array<[string | undefined, boolean]> = [
		[undefined, false],
		['v0.21.0+builtin', false],
		['v0.20.3+builtin', false],
		['v0.20.2+builtin', true],
		['v0.20.4+builtin', true],
		['v0.17.5+builtin', false],
		['v2.1.0+builtin.bao', false],
	];
	for (const [pluginVersion, allowed] of cases) {
		const result = await login({
			claims: claims({aud: 'vault'}),
			role: role({bound_audiences: []}),
			...(pluginVersion ? {pluginVersion} : {}),
		});
		assert.equal(result.allowed, allowed, `${pluginVersion}`);
		const check = result.checks.find(item => item.id === 'login.audience-unbound')!;
		assert.equal(check.status, allowed ? 'warn' : 'fail', `${pluginVersion}`);
		if (!allowed)
			assert.equal(result.vaultError, 'audience claim found in JWT but no audiences bound to the role');
	}

	const list = await login({
		claims: claims({aud: ['vault']}),
		role: role({bound_audiences: []}),
		pluginVersion: 'v0.20.2+builtin',
	});
	assert.equal(list.vaultError, 'audience claim found in JWT but no audiences bound to the role');
});

test('wording by version: go-jose import path and pre-v0.19 number rules', async () => {
	const old = await login({claims: claims({aud: 5}), pluginVersion: 'v0.15.0+builtin'});
	assert.equal(
		old.vaultError,
		'error validating token: square/go-jose/jwt: expected string or array value to unmarshal to Audience',
	);
	// cap moved to go-jose v3 in v0.15.1: the real v0.15.2 plugin (test/real-vault) says go-jose/go-jose.
	const patched = await login({claims: claims({aud: 5}), pluginVersion: 'v0.15.2+builtin'});
	assert.equal(
		patched.vaultError,
		'error validating token: go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience',
	);
	const current = await login({claims: claims({exp: '1800000000'})});
	assert.equal(
		current.vaultError,
		'error validating token: go-jose/go-jose/jwt: expected number value to unmarshal NumericDate',
	);
	const numeric = await login({
		claims: claims({run: 7}),
		role: role({bound_claims: {run: 7}}),
		pluginVersion: 'v0.18.0+builtin',
	});
	assert.equal(numeric.vaultError, 'error validating claims: received claim is not a string or list: 7');
	const numericNow = await login({claims: claims({run: 7.9}), role: role({bound_claims: {run: 7}})});
	assert.equal(numericNow.allowed, true);
});

test('Vault 1.6 and older (before cap) use go-jose wording and check the strict audience before times', async () => {
	const expired = await login({
		claims: claims({exp: now - 3600, iat: now - 7200, nbf: now - 7200}),
		pluginVersion: 'v0.8.2',
	});
	assert.equal(
		expired.vaultError,
		'error validating claims: square/go-jose/jwt: validation failed, token is expired (exp)',
	);
	const strict = await login({
		claims: claims({aud: 'vault', exp: now - 3600, iat: now - 7200, nbf: now - 7200}),
		role: role({bound_audiences: []}),
		pluginVersion: 'v0.8.2',
	});
	assert.equal(strict.vaultError, 'audience claim found in JWT but no audiences bound to the role');
	const oidcFlow = await login({
		config: {oidc_discovery_url: 'https://issuer.example', oidc_client_id: 'x'},
		pluginVersion: 'v0.8.2',
	});
	assert.deepEqual([oidcFlow.vaultError, oidcFlow.httpStatus], ['unhandled case during login', 500]);
});

test('validator: OIDC client credentials, discovery issuer mismatch, OpenBao 2.5', async () => {
	const flow = await login({config: {oidc_discovery_url: 'https://issuer.example', oidc_client_id: 'x'}});
	assert.equal(flow.vaultError, 'error configuring token validator: unsupported config type');
	const bao = await login({
		config: {oidc_discovery_url: 'https://issuer.example', oidc_client_id: 'x'},
		pluginVersion: 'v2.5.0+builtin.bao',
	});
	assert.notEqual(bao.checks.find(check => check.id === 'login.validator')?.status, 'fail');
	const slash = await login({
		config: {oidc_discovery_url: 'https://gitlab.example.com/'},
		issuer: {discoveryIssuer: 'https://gitlab.example.com'},
	});
	assert.equal(
		slash.vaultError,
		'error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "https://gitlab.example.com/" got "https://gitlab.example.com"',
	);
	assert.match(slash.checks.find(check => check.id === 'login.validator')!.message, /trailing slash/);
});

test('JWKS verification follows go-oidc: kid must match, alg allow-list before any key', async () => {
	const other = await createTestKey('RS256', 'k2');
	const config = {oidc_discovery_url: 'https://issuer.example'};
	const issuer = {discoveryIssuer: 'https://issuer.example', jwks: {keys: [key.jwk]}};
	const good = await login({config, issuer});
	assert.equal(good.allowed, true);
	const rotated = await simulateLogin({token: await other.sign(claims()), role: role(), config, issuer, now});
	assert.equal(
		rotated.vaultError,
		'error validating token: error verifying token signature: failed to verify id token signature',
	);
	assert.match(
		rotated.checks.find(check => check.id === 'login.signature')!.message,
		/no key in the JWKS has kid "k2"/,
	);
	const hs256 = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
	const symmetric = await simulateLogin({token: hs256, role: role(), config, now});
	assert.match(
		symmetric.vaultError ?? '',
		/^error validating token: error verifying token signature: oidc: malformed jwt: go-jose\/go-jose: unexpected signature algorithm "HS256"; expected \["RS256" /,
	);
	assert.equal(
		symmetric.checks.find(check => check.id === 'login.signature')?.problem,
		'algorithm-not-allowed',
	);
});

test('static keys: a token signed by another key fails, alg is checked after the signature', async () => {
	const stranger = await createTestKey('RS256');
	const result = await simulateLogin({
		token: await stranger.sign(claims()),
		role: role(),
		config: {jwt_validation_pubkeys: [key.pem]},
		now,
	});
	assert.equal(
		result.vaultError,
		'error validating token: error verifying token signature: no known key successfully validated the token signature',
	);
	const restricted = await login({
		config: {jwt_validation_pubkeys: [key.pem], jwt_supported_algs: ['ES256']},
	});
	assert.equal(
		restricted.vaultError,
		'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
	);
});

test('malformed tokens get their own clear reason and the parse error Vault prints', async () => {
	const config = {jwt_validation_pubkeys: [key.pem]};
	const cases: Array<[string, RegExp, string]> = [
		['a.b.c.d.e', /encrypted token \(JWE/, 'go-jose/go-jose: compact JWS format must have three parts'],
		[
			'hvs.CAESIGqFz2AuSl4FbPZ5dJ0Wq2L8Xo',
			/Vault token/,
			'go-jose/go-jose: compact JWS format must have three parts',
		],
		['"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln"', /quotes/, 'illegal base64 data at input byte 0'],
		[
			'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0',
			/2 parts/,
			'go-jose/go-jose: compact JWS format must have three parts',
		],
	];
	for (const [token, reason, parseError] of cases) {
		const result = await simulateLogin({token, role: role(), config, now});
		const signature = result.checks.find(check => check.id === 'login.signature')!;
		assert.equal(signature.problem, 'token-malformed', token);
		assert.match(signature.message, reason, token);
		assert.equal(
			result.vaultError,
			`error validating token: error verifying token signature: ${parseError}`,
			token,
		);
	}

	const empty = await simulateLogin({token: '  ', role: role(), config, now});
	assert.deepEqual(
		[empty.vaultError, empty.checks.find(check => check.status === 'fail')?.problem],
		['missing token', 'platform-no-token'],
	);
});

test('role and config lookups: missing config, missing role, default_role, role_type oidc, lowercased names', async () => {
	assert.equal((await login({config: null})).vaultError, 'could not load configuration');
	assert.equal(
		(await login({role: null, roleName: 'Deploy'})).vaultError,
		'role "deploy" could not be found',
	);
	assert.equal((await login({role: null, roleName: ''})).vaultError, 'missing role');
	const byDefault = await login({
		roleName: '',
		config: {jwt_validation_pubkeys: [key.pem], default_role: 'Deploy'},
	});
	assert.match(
		byDefault.checks.find(check => check.id === 'login.role-name')!.message,
		/default_role "deploy"/,
	);
	assert.equal(
		(await login({role: role({role_type: 'oidc'})})).vaultError,
		'role with oidc role_type is not allowed',
	);
	const upper = await login({roleName: 'Deploy'});
	assert.equal(upper.checks.find(check => check.id === 'login.role-name')?.status, 'warn');
});

test('token_bound_cidrs cannot be checked offline and is said so', async () => {
	const result = await login({role: role({token_bound_cidrs: ['10.0.0.0/8']})});
	const cidr = result.checks.find(check => check.id === 'login.cidr')!;
	assert.deepEqual([cidr.status, cidr.problem, result.allowed], ['skip', 'cidr-denied', true]);
});

test('role input forms: the whole response envelope, raw JSON text keeping number literals, duration strings', async () => {
	const envelope = await login({role: {request_id: 'r', lease_id: '', data: role()}});
	assert.equal(envelope.allowed, true);
	const text = JSON.stringify(role({bound_claims: {run: 0}})).replace('"run":0', '"run":7.0');
	const literal = await login({claims: claims({run: 7}), role: text});
	assert.equal(
		literal.vaultError,
		'error validating claims: claim "run" does not match any associated bound claim values',
	);
	const skew = await login({
		claims: claims({nbf: now + 80, iat: now + 80}),
		role: role({clock_skew_leeway: '90s'}),
	});
	assert.equal(skew.allowed, true);
	const noSkew = await login({claims: claims({nbf: now + 80, iat: now + 80})});
	assert.equal(
		noSkew.vaultError,
		'error validating token: invalid not before (nbf) claim: token not yet valid',
	);
});

test('a token with only a long exp is not yet valid, and the check says why', async () => {
	const result = await login({
		claims: {iss: 'x', sub: 's', aud: ['vault'], repository: 'octo/app', exp: now + 3600},
	});
	const times = result.checks.find(check => check.id === 'login.times')!;
	assert.equal(times.problem, 'token-not-yet-valid');
	assert.match(times.message, /only exp/);
});

test('missing bound claims explain pointer vs literal keys and platform token versions', async () => {
	const nested = await login({
		claims: claims({'kubernetes.io': {namespace: 'ci'}}),
		role: role({bound_claims: {'kubernetes.io.namespace': 'ci'}}),
	});
	assert.match(
		nested.checks.find(check => check.id === 'login.bound-claims/kubernetes.io.namespace')!.hint!,
		/JSON pointer such as "\/kubernetes.io\/namespace"/,
	);
	const pointer = await login({
		claims: claims({'oidc.circleci.com/project-id': 'p'}),
		role: role({bound_claims: {'/oidc.circleci.com/project-id': 'p'}}),
	});
	assert.match(
		pointer.checks.find(check => check.id === 'login.bound-claims//oidc.circleci.com/project-id')!.hint!,
		/drop the leading \//,
	);
	const v2 = await login({
		claims: claims({org: 'o1', gsub: {principal: 'environment'}}),
		role: role({bound_claims: {organization_id: 'o1'}}),
	});
	assert.match(
		v2.checks.find(check => check.id === 'login.bound-claims/organization_id')!.hint!,
		/Ona V2 token/,
	);
});

test('groups_claim and claim_mappings follow the plugin: prefixes, element types, skipped nulls', async () => {
	assert.equal(
		(await login({role: role({groups_claim: 'groups'})})).vaultError,
		'failed to fetch groups: "groups" claim not found in token',
	);
	assert.equal(
		(await login({claims: claims({groups: {a: 1}}), role: role({groups_claim: 'groups'})})).vaultError,
		'"groups" claim could not be converted to string list',
	);
	assert.equal(
		(await login({claims: claims({groups: 5}), role: role({groups_claim: 'groups'})})).vaultError,
		'value 5 in groups claim could not be parsed as string',
	);
	assert.equal(
		(await login({claims: claims({run: 5}), role: role({claim_mappings: {run: 'run', absent: 'x'}})}))
			.vaultError,
		"error converting claim 'run' to string",
	);
	const groups = await login({
		claims: claims({groups: ['a', '', 'b']}),
		role: role({groups_claim: 'groups'}),
	});
	assert.deepEqual(groups.identity?.groupAliases, ['a', 'b']);
});

test('each failing check names a problem that explainVaultError finds again in its Vault message', async () => {
	const scenarios = [
		await login({
			claims: claims({aud: ['other'], exp: now - 3600, iat: now - 7200, nbf: now - 7200, repository: 'x'}),
			role: role({user_claim: 'email', bound_subject: 'nope', groups_claim: 'g', claim_mappings: {n: 'n'}}),
		}),
		await login({
			claims: claims({iat: now + 600, nbf: now - 600}),
			config: {jwt_validation_pubkeys: [key.pem], bound_issuer: 'https://other'},
		}),
		await login({
			claims: claims({n: 5}),
			role: role({claim_mappings: {n: 'n'}, bound_claims: {repository: {a: 1}}}),
		}),
		await login({config: null}),
		await login({role: role({role_type: 'oidc'})}),
		await login({claims: {iss: 'x', aud: ['vault'], sub: 's'}}),
	];
	let compared = 0;
	for (const result of scenarios) {
		for (const check of result.checks.filter(item => item.status === 'fail' && item.vaultMessage)) {
			assert.equal(explainVaultError(check.vaultMessage!).problem, check.problem, check.vaultMessage);
			compared++;
		}
	}

	assert.ok(compared >= 12, `compared ${compared}`);
});

test('a partial configuration without a key source still checks bound_issuer', async () => {
	const result = await login({config: {bound_issuer: 'https://other'}});
	assert.equal(result.checks.find(check => check.id === 'login.validator')?.status, 'skip');
	assert.equal(result.vaultError, 'error validating token: invalid issuer (iss) claim');
});

test('a Vault server version maps to its plugin behaviour', async () => {
	const cases: Array<[string, boolean]> = [
		['1.16.3', false],
		['1.16.4', true],
		['1.15.9', false],
		['1.17.0', false],
		['1.14.0', true],
	];
	for (const [pluginVersion, allowed] of cases) {
		const result = await login({
			claims: claims({aud: 'vault'}),
			role: role({bound_audiences: []}),
			pluginVersion,
		});
		assert.equal(result.allowed, allowed, pluginVersion);
	}
});
