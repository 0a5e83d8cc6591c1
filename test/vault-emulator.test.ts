import assert from 'node:assert/strict';
import {createServer as createHttpServer, type IncomingMessage, type ServerResponse} from 'node:http';
import {createServer as createHttpsServer} from 'node:https';
import type {AddressInfo} from 'node:net';
import {after, before, describe, test} from 'node:test';
import {SignJWT} from 'jose';
import {Agent, fetch as undiciFetch} from 'undici';
import {createCertificateAuthority} from './fixtures/tls.js';
import {type EmulatorMount, startVaultEmulator, type VaultEmulator} from './fixtures/vault-emulator.js';
import {createTestKey, type TestKey} from './helpers/keys.js';

const NOW = 1_700_000_000;
const ISSUER = 'https://issuer.example';
const MULTIERROR_500 = '1 error occurred:\n\t* internal error\n\n';

type Answer = {status: number; body: Record<string, unknown>; text: string; contentType: string | null};

async function call(
	emulator: VaultEmulator,
	method: string,
	path: string,
	options: {token?: string; namespace?: string; body?: unknown; signal?: AbortSignal} = {},
): Promise<Answer> {
	const headers: Record<string, string> = {};
	if (options.token !== undefined) headers['X-Vault-Token'] = options.token;
	if (options.namespace !== undefined) headers['X-Vault-Namespace'] = options.namespace;
	if (options.body !== undefined) headers['Content-Type'] = 'application/json';
	const response = await fetch(`${emulator.url}/v1/${path}`, {
		method,
		headers,
		...(options.body === undefined ? {} : {body: JSON.stringify(options.body)}),
		...(options.signal ? {signal: options.signal} : {}),
	});
	const text = await response.text();
	let body: Record<string, unknown> = {};
	try {
		body = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
	} catch {
		// HTML and other non-JSON answers are checked through `text`.
	}
	return {status: response.status, body, text, contentType: response.headers.get('content-type')};
}

const login = (emulator: VaultEmulator, mount: string, body: unknown, namespace?: string) =>
	call(emulator, 'POST', `auth/${mount}/login`, {body, ...(namespace === undefined ? {} : {namespace})});

function assertError(answer: Answer, status: number, message: string) {
	assert.deepEqual({status: answer.status, body: answer.body}, {status, body: {errors: [message]}});
}

/** A tiny JSON server standing in for an issuer's discovery document and JWKS. */
async function startJsonServer(tls?: {key: string; cert: string}) {
	const routes = new Map<string, {status: number; body: string}>();
	const handler = (request: IncomingMessage, response: ServerResponse) => {
		const route = routes.get(new URL(request.url ?? '/', 'http://x').pathname);
		const status = route?.status ?? 404;
		response.writeHead(status, {'content-type': 'application/json'});
		response.end(route?.body ?? 'not found');
	};
	const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	return {
		url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
		set(path: string, body: unknown, status = 200) {
			routes.set(path, {status, body: typeof body === 'string' ? body : JSON.stringify(body)});
		},
		close: () =>
			new Promise<void>(resolve => {
				server.close(() => resolve());
				server.closeAllConnections();
			}),
	};
}

describe('vault emulator', () => {
	let emulator: VaultEmulator;
	let key: TestKey;
	let otherKey: TestKey;
	let jwksKey: TestKey;
	let clock = NOW;
	let jsonServer: Awaited<ReturnType<typeof startJsonServer>>;

	const claims = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
		iss: ISSUER,
		sub: 'alice',
		aud: 'vault',
		iat: NOW - 10,
		exp: NOW + 300,
		project: 'p1',
		...extra,
	});
	const without = (record: Record<string, unknown>, ...keys: string[]) =>
		Object.fromEntries(Object.entries(record).filter(([name]) => !keys.includes(name)));

	before(async () => {
		key = await createTestKey('ES256');
		otherKey = await createTestKey('ES256');
		jwksKey = await createTestKey('RS256', 'kid-1');
		jsonServer = await startJsonServer();
		jsonServer.set('/jwks', {keys: [jwksKey.jwk]});
		const staticConfig = {jwt_validation_pubkeys: [key.pem], bound_issuer: ISSUER};
		const jwtMount: EmulatorMount = {
			config: staticConfig,
			roles: {
				ci: {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: ['vault'],
					bound_claims: {project: 'p1'},
					claim_mappings: {project: 'project'},
					token_policies: ['ci-read'],
					token_ttl: 600,
				},
				web: {role_type: 'oidc', user_claim: 'sub', allowed_redirect_uris: ['https://app.example/cb']},
				cidr: {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: ['vault'],
					token_bound_cidrs: ['10.0.0.0/8'],
				},
				local: {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: ['vault'],
					token_bound_cidrs: ['127.0.0.0/8'],
				},
				subject: {role_type: 'jwt', user_claim: 'sub', bound_subject: 'alice'},
				email: {role_type: 'jwt', user_claim: 'email', bound_audiences: ['vault']},
				groups: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], groups_claim: 'groups'},
				typed: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], bound_claims: {run: 1}},
				glob: {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: ['vault'],
					bound_claims_type: 'glob',
					bound_claims: {ref: ['refs/heads/*', 'refs/tags/v*']},
				},
				pointer: {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: ['vault'],
					bound_claims: {'/nested/team': 'blue'},
				},
				leeway: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], not_before_leeway: 3600},
			},
		};
		emulator = await startVaultEmulator({
			now: () => clock,
			mounts: {
				jwt: jwtMount,
				old: {
					pluginVersion: 'v0.20.5+builtin',
					config: staticConfig,
					roles: {subject: {...jwtMount.roles?.['subject']}},
				},
				rsonly: {
					config: {...staticConfig, jwt_supported_algs: ['RS256']},
					roles: {ci: {...jwtMount.roles?.['ci']}},
				},
				unconfigured: {roles: {}},
				'ci/jwt': {
					type: 'oidc',
					config: {oidc_discovery_url: ISSUER, oidc_client_id: 'vault', oidc_client_secret: 's3cret'},
					roles: {r: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault']}},
				},
				jwks: {
					config: {jwks_url: `${jsonServer.url}/jwks`},
					roles: {r: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault']}},
				},
				defaulted: {
					config: {...staticConfig, default_role: 'Subject'},
					roles: {subject: {role_type: 'jwt', user_claim: 'sub', bound_subject: 'alice'}},
				},
			},
			namespaces: {
				team: {
					'team-jwt': {
						config: staticConfig,
						roles: {
							r: {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault'], token_policies: ['t']},
						},
					},
				},
			},
			tokens: {
				'root-token': {policies: ['root']},
				'reader-token': {policies: ['default', 'reader']},
				'team-token': {policies: ['reader'], namespace: 'team'},
				'short-token': {policies: ['reader'], ttl: 60},
			},
			policies: {
				reader: {
					'sys/auth': ['read'],
					'auth/+/config': ['read'],
					'auth/ci/jwt/config': ['read'],
					'auth/jwt/role': ['list'],
					'auth/jwt/role/*': ['read'],
					'auth/jwt/role/secret*': ['deny'],
				},
				'ci-read': {'secret/data/ci/*': ['read', 'list']},
			},
		});
	});

	after(async () => {
		await emulator?.close();
		await jsonServer?.close();
	});

	test('sys/health answers unauthenticated with the server clock and version', async () => {
		const answer = await call(emulator, 'GET', 'sys/health');
		assert.equal(answer.status, 200);
		assert.equal(answer.contentType, 'application/json');
		assert.equal(answer.body['server_time_utc'], NOW);
		assert.equal(answer.body['version'], '1.17.3');
		assert.equal(answer.body['sealed'], false);
		assert.equal(answer.body['cluster_name'], 'vault-cluster-emulator');
	});

	test('a successful login, lookup-self, capabilities-self and revoke-self', async () => {
		const answer = await login(emulator, 'jwt', {role: 'CI', jwt: await key.sign(claims())});
		assert.equal(answer.status, 200, answer.text);
		assert.equal(answer.body['data'], null);
		assert.equal(answer.body['mount_type'], 'jwt');
		const auth = answer.body['auth'] as Record<string, unknown>;
		const clientToken = String(auth['client_token']);
		assert.match(clientToken, /^hvs\.emu[A-Za-z0-9]{24}$/);
		assert.deepEqual(auth['policies'], ['ci-read', 'default']);
		assert.deepEqual(auth['token_policies'], ['ci-read', 'default']);
		assert.deepEqual(auth['metadata'], {role: 'ci', project: 'p1'});
		assert.equal(auth['lease_duration'], 600);
		assert.equal(auth['renewable'], true);
		assert.equal(auth['orphan'], true);
		assert.equal(auth['token_type'], 'service');
		assert.equal(emulator.tokens.get(clientToken)?.accessor, auth['accessor']);

		const lookup = await call(emulator, 'GET', 'auth/token/lookup-self', {token: clientToken});
		assert.equal(lookup.status, 200);
		const data = lookup.body['data'] as Record<string, unknown>;
		assert.equal(data['id'], clientToken);
		assert.equal(data['path'], 'auth/jwt/login');
		assert.equal(data['display_name'], 'jwt-alice');
		assert.deepEqual(data['meta'], {role: 'ci', project: 'p1'});
		assert.deepEqual(data['policies'], ['ci-read', 'default']);
		assert.equal(data['ttl'], 600);
		assert.equal(data['entity_id'], auth['entity_id']);

		const one = await call(emulator, 'POST', 'sys/capabilities-self', {
			token: clientToken,
			body: {paths: ['secret/data/ci/app']},
		});
		assert.equal(one.status, 200);
		assert.deepEqual((one.body['data'] as Record<string, unknown>)['secret/data/ci/app'], ['list', 'read']);
		assert.deepEqual((one.body['data'] as Record<string, unknown>)['capabilities'], ['list', 'read']);
		assert.deepEqual(one.body['capabilities'], ['list', 'read']);
		const two = await call(emulator, 'PUT', 'sys/capabilities-self', {
			token: clientToken,
			body: {paths: ['secret/data/ci/app', 'secret/data/other']},
		});
		assert.deepEqual(two.body['data'], {
			'secret/data/ci/app': ['list', 'read'],
			'secret/data/other': ['deny'],
		});
		const legacy = await call(emulator, 'POST', 'sys/capabilities-self', {
			token: clientToken,
			body: {path: 'auth/token/lookup-self'},
		});
		assert.deepEqual(legacy.body['capabilities'], ['read']);

		const revoke = await call(emulator, 'POST', 'auth/token/revoke-self', {token: clientToken});
		assert.equal(revoke.status, 204);
		assert.ok(emulator.revoked.has(clientToken));
		assert.equal(emulator.tokens.has(clientToken), false);
		assertError(
			await call(emulator, 'GET', 'auth/token/lookup-self', {token: clientToken}),
			403,
			'permission denied',
		);
	});

	test('login failures come back with Vault’s status and exact text', async () => {
		const badKeyToken = await otherKey.sign(claims());
		const cases: Array<[string, string, Record<string, unknown>, number, string]> = [
			['no config', 'unconfigured', {role: 'x', jwt: 'a.b.c'}, 400, 'could not load configuration'],
			['no role', 'jwt', {jwt: 'a.b.c'}, 400, 'missing role'],
			['unknown role', 'jwt', {role: 'NoPe', jwt: 'a.b.c'}, 400, 'role "nope" could not be found'],
			['oidc role', 'jwt', {role: 'web', jwt: 'a.b.c'}, 400, 'role with oidc role_type is not allowed'],
			['no jwt', 'jwt', {role: 'ci', jwt: ''}, 400, 'missing token'],
			['cidr', 'jwt', {role: 'cidr', jwt: 'not-even-a-jwt'}, 403, 'permission denied'],
			[
				'oidc flow config',
				'ci/jwt',
				{role: 'r', jwt: 'a.b.c'},
				400,
				'error configuring token validator: unsupported config type',
			],
			[
				'wrong key',
				'jwt',
				{role: 'ci', jwt: badKeyToken},
				400,
				'error validating token: error verifying token signature: no known key successfully validated the token signature',
			],
			[
				'malformed',
				'jwt',
				{role: 'ci', jwt: 'abc.def'},
				400,
				'error validating token: error verifying token signature: go-jose/go-jose: compact JWS format must have three parts',
			],
		];
		for (const [name, mount, body, status, message] of cases) {
			const answer = await login(emulator, mount, body);
			assert.deepEqual([name, answer.status, answer.body], [name, status, {errors: [message]}]);
		}
	});

	test('token validation failures in cap’s order', async () => {
		const sign = (extra: Record<string, unknown>, base = claims()) => key.sign({...base, ...extra});
		const cases: Array<[string, string, string, Promise<string>, string]> = [
			[
				'alg',
				'rsonly',
				'ci',
				sign({}),
				'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
			],
			['iss', 'jwt', 'ci', sign({iss: `${ISSUER}/`}), 'error validating token: invalid issuer (iss) claim'],
			[
				'sub',
				'jwt',
				'subject',
				sign({sub: 'bob', aud: undefined}),
				'error validating token: invalid subject (sub) claim',
			],
			[
				'aud',
				'jwt',
				'ci',
				sign({aud: ['other', 'Vault'], exp: NOW - 1000}),
				'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
			],
			[
				'expired',
				'jwt',
				'ci',
				sign({iat: NOW - 1000, exp: NOW - 61}),
				'error validating token: invalid expiration time (exp) claim: token is expired',
			],
			[
				'not yet valid',
				'jwt',
				'ci',
				sign({iat: NOW + 61, exp: NOW + 600}),
				'error validating token: invalid not before (nbf) claim: token not yet valid',
			],
			[
				'only a far exp',
				'jwt',
				'ci',
				sign({}, without(claims({exp: NOW + 3600}), 'iat')),
				'error validating token: invalid not before (nbf) claim: token not yet valid',
			],
			[
				'iat in the future',
				'jwt',
				'ci',
				sign({nbf: NOW - 10, iat: NOW + 100}),
				'error validating token: invalid issued at (iat) claim: token issued in the future',
			],
			[
				'no times',
				'jwt',
				'ci',
				sign({}, without(claims(), 'iat', 'exp')),
				'error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token',
			],
			[
				'string exp',
				'jwt',
				'ci',
				sign({exp: String(NOW + 60)}),
				'error validating token: go-jose/go-jose/jwt: expected number value to unmarshal NumericDate',
			],
			[
				'strict aud, array',
				'jwt',
				'subject',
				sign({aud: ['vault']}),
				'audience claim found in JWT but no audiences bound to the role',
			],
			[
				'strict aud, string',
				'jwt',
				'subject',
				sign({aud: 'vault'}),
				'audience claim found in JWT but no audiences bound to the role',
			],
			['user claim missing', 'jwt', 'email', sign({}), 'claim "email" not found in token'],
			[
				'user claim number',
				'jwt',
				'email',
				sign({email: 5}),
				'claim "email" could not be converted to string',
			],
			['claim mapping', 'jwt', 'ci', sign({project: 5}), "error converting claim 'project' to string"],
			['groups', 'jwt', 'groups', sign({}), 'failed to fetch groups: "groups" claim not found in token'],
			[
				'groups element',
				'jwt',
				'groups',
				sign({groups: ['a', 1234567]}),
				'value 1.234567e+06 in groups claim could not be parsed as string',
			],
			[
				'bound claim missing',
				'jwt',
				'ci',
				sign({project: null}),
				'error validating claims: claim "project" is missing',
			],
			[
				'bound claim mismatch',
				'jwt',
				'ci',
				sign({project: 'p2'}),
				'error validating claims: claim "project" does not match any associated bound claim values',
			],
			[
				'string vs number',
				'jwt',
				'typed',
				sign({run: '1'}),
				'error validating claims: claim "run" does not match any associated bound claim values',
			],
			[
				'number in a list',
				'jwt',
				'typed',
				sign({run: [1]}),
				'error validating claims: claim "run" does not match any associated bound claim values',
			],
			[
				'object claim',
				'jwt',
				'typed',
				sign({run: {b: 2, a: 'x'}}),
				'error validating claims: received claim is not a string, bool, int or list: map[a:x b:2]',
			],
			[
				'glob',
				'jwt',
				'glob',
				sign({ref: 'refs/pull/1'}),
				'error validating claims: claim "ref" does not match any associated bound claim values',
			],
			[
				'pointer',
				'jwt',
				'pointer',
				sign({nested: {team: 'red'}}),
				'error validating claims: claim "/nested/team" does not match any associated bound claim values',
			],
		];
		for (const [name, mount, role, jwt, message] of cases) {
			const answer = await login(emulator, mount, {role, jwt: await jwt});
			assert.deepEqual([name, answer.status, answer.body], [name, 400, {errors: [message]}]);
		}
	});

	test('logins the rules allow', async () => {
		const sign = (extra: Record<string, unknown>, base = claims()) => key.sign({...base, ...extra});
		const cases: Array<[string, string, Record<string, unknown>]> = [
			['old plugin, string aud', 'old', {role: 'subject', jwt: await sign({})}],
			['default role', 'defaulted', {jwt: await sign({aud: undefined})}],
			['cidr', 'jwt', {role: 'local', jwt: await sign({})}],
			['number truncation', 'jwt', {role: 'typed', jwt: await sign({run: 1.9})}],
			['glob', 'jwt', {role: 'glob', jwt: await sign({ref: 'refs/tags/v1.2'})}],
			['pointer', 'jwt', {role: 'pointer', jwt: await sign({nested: {team: 'blue'}})}],
			['exp within the skew', 'jwt', {role: 'ci', jwt: await sign({iat: NOW - 1000, exp: NOW - 59})}],
			['no exp', 'jwt', {role: 'ci', jwt: await sign({}, without(claims({iat: NOW - 200}), 'exp'))}],
			[
				'not_before_leeway',
				'jwt',
				{role: 'leeway', jwt: await sign({}, without(claims({exp: NOW + 3600}), 'iat'))},
			],
			['groups', 'jwt', {role: 'groups', jwt: await sign({groups: ['a', 'b']})}],
		];
		for (const [name, mount, body] of cases) {
			const answer = await login(emulator, mount, body);
			assert.equal(answer.status, 200, `${name}: ${answer.text}`);
		}
	});

	test('JWKS: kid selection, fetch failures and malformed tokens', async () => {
		const prefix = 'error validating token: error verifying token signature: ';
		const good = await jwksKey.sign(claims());
		assert.equal((await login(emulator, 'jwks', {role: 'r', jwt: good})).status, 200);
		const wrongKid = await jwksKey.sign(claims(), {kid: 'kid-2'});
		assertError(
			await login(emulator, 'jwks', {role: 'r', jwt: wrongKid}),
			400,
			`${prefix}failed to verify id token signature`,
		);
		assertError(
			await login(emulator, 'jwks', {role: 'r', jwt: 'x.y'}),
			400,
			`${prefix}oidc: malformed jwt: go-jose/go-jose: compact JWS format must have three parts`,
		);
		const hs256 = await new SignJWT(claims()).setProtectedHeader({alg: 'HS256'}).sign(new Uint8Array(32));
		assertError(
			await login(emulator, 'jwks', {role: 'r', jwt: hs256}),
			400,
			`${prefix}oidc: malformed jwt: go-jose/go-jose: unexpected signature algorithm "HS256"; expected ["RS256" "RS384" "RS512" "ES256" "ES384" "ES512" "PS256" "PS384" "PS512" "EdDSA"]`,
		);
		jsonServer.set('/jwks', 'gone', 404);
		try {
			assertError(
				await login(emulator, 'jwks', {role: 'r', jwt: good}),
				400,
				`${prefix}fetching keys oidc: get keys failed: 404 Not Found gone`,
			);
		} finally {
			jsonServer.set('/jwks', {keys: [jwksKey.jwk]});
		}
	});

	test('OIDC discovery over HTTPS: CA, issuer match, then the JWKS', async () => {
		const authority = await createCertificateAuthority();
		const issuer = await startJsonServer(authority.issue(['127.0.0.1', 'localhost']));
		try {
			issuer.set('/.well-known/openid-configuration', {issuer: issuer.url, jwks_uri: `${issuer.url}/keys`});
			issuer.set('/keys', {keys: [jwksKey.jwk]});
			const mounts = emulator.mounts();
			const role = {role_type: 'jwt', user_claim: 'sub', bound_audiences: ['vault']};
			mounts['discovery'] = {
				config: {oidc_discovery_url: issuer.url, oidc_discovery_ca_pem: authority.caPem},
				roles: {r: role},
			};
			mounts['discovery-slash'] = {
				config: {oidc_discovery_url: `${issuer.url}/`, oidc_discovery_ca_pem: authority.caPem},
				roles: {r: role},
			};
			mounts['discovery-untrusted'] = {config: {oidc_discovery_url: issuer.url}, roles: {r: role}};
			const jwt = await jwksKey.sign(claims());
			assert.equal((await login(emulator, 'discovery', {role: 'r', jwt})).status, 200);
			assertError(
				await login(emulator, 'discovery-slash', {role: 'r', jwt}),
				400,
				`error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "${issuer.url}/" got "${issuer.url}"`,
			);
			assertError(
				await login(emulator, 'discovery-untrusted', {role: 'r', jwt}),
				400,
				`error configuring token validator: keyset configuration error: Get "${issuer.url}/.well-known/openid-configuration": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
			);
		} finally {
			await issuer.close();
		}
	});

	test('sealed: 503 everywhere, sys/health says sealed', async () => {
		emulator.state.sealed = true;
		try {
			const health = await call(emulator, 'GET', 'sys/health');
			assert.equal(health.status, 503);
			assert.equal(health.body['sealed'], true);
			assertError(await login(emulator, 'jwt', {role: 'ci', jwt: 'x'}), 503, 'Vault is sealed');
			assertError(await call(emulator, 'GET', 'sys/auth', {token: 'root-token'}), 503, 'Vault is sealed');
		} finally {
			emulator.state.sealed = false;
		}
	});

	test('rate limited: 429 except sys/health', async () => {
		emulator.state.rateLimited = true;
		try {
			assertError(
				await login(emulator, 'jwt', {role: 'ci', jwt: 'x'}),
				429,
				'request path "auth/jwt/login": rate limit quota exceeded',
			);
			assert.equal((await call(emulator, 'GET', 'sys/health')).status, 200);
		} finally {
			emulator.state.rateLimited = false;
		}
	});

	test('a missing mount: 403 without a token, 404 with a valid one', async () => {
		assertError(await login(emulator, 'nope', {role: 'ci', jwt: 'x'}), 403, 'permission denied');
		assertError(
			await call(emulator, 'POST', 'auth/nope/login', {token: 'bogus', body: {role: 'ci', jwt: 'x'}}),
			403,
			'permission denied',
		);
		assertError(
			await call(emulator, 'POST', 'auth/nope/login', {token: 'reader-token', body: {role: 'ci', jwt: 'x'}}),
			404,
			'no handler for route "auth/nope/login". route entry not found.',
		);
		assertError(
			await call(emulator, 'GET', 'sys/nothing-here', {token: 'root-token'}),
			404,
			'no handler for route "sys/nothing-here". route entry not found.',
		);
		// A login path's route error comes back without go-multierror (real plugin server, test/real-vault).
		assertError(await call(emulator, 'GET', 'auth/jwt/login'), 405, 'unsupported operation');
	});

	test('policies decide sys/auth, config and role reads', async () => {
		const auth = await call(emulator, 'GET', 'sys/auth', {token: 'reader-token'});
		assert.equal(auth.status, 200);
		const data = auth.body['data'] as Record<string, Record<string, unknown>>;
		assert.equal(data['jwt/']?.['type'], 'jwt');
		assert.equal(data['jwt/']?.['running_plugin_version'], 'v0.21.0+builtin');
		assert.match(String(data['jwt/']?.['accessor']), /^auth_jwt_[0-9a-f]{8}$/);
		assert.equal(data['old/']?.['running_plugin_version'], 'v0.20.5+builtin');
		assert.equal(data['ci/jwt/']?.['type'], 'oidc');
		assert.equal(data['token/']?.['type'], 'token');
		assert.deepEqual(auth.body['jwt/'], data['jwt/']);

		const config = await call(emulator, 'GET', 'auth/ci/jwt/config', {token: 'reader-token'});
		assert.equal(config.status, 200);
		const configData = config.body['data'] as Record<string, unknown>;
		assert.equal(configData['oidc_client_id'], 'vault');
		assert.equal('oidc_client_secret' in configData, false);
		assert.deepEqual(configData['jwt_validation_pubkeys'], []);
		assert.equal(configData['jwks_url'], '');
		assert.deepEqual(
			await call(emulator, 'GET', 'auth/unconfigured/config', {token: 'reader-token'}).then(a => [
				a.status,
				a.body,
			]),
			[404, {errors: []}],
		);

		const list = await call(emulator, 'LIST', 'auth/jwt/role', {token: 'reader-token'});
		assert.equal(list.status, 200);
		assert.deepEqual((list.body['data'] as Record<string, unknown>)['keys'], [
			'ci',
			'cidr',
			'email',
			'glob',
			'groups',
			'leeway',
			'local',
			'pointer',
			'subject',
			'typed',
			'web',
		]);
		const again = await call(emulator, 'GET', 'auth/jwt/role?list=true', {token: 'reader-token'});
		assert.deepEqual(again.body['data'], list.body['data']);
		assertError(
			await call(emulator, 'LIST', 'auth/old/role', {token: 'reader-token'}),
			403,
			'permission denied',
		);

		const role = await call(emulator, 'GET', 'auth/jwt/role/Subject', {token: 'reader-token'});
		assert.equal(role.status, 200);
		const roleData = role.body['data'] as Record<string, unknown>;
		assert.equal(roleData['role_type'], 'jwt');
		assert.equal(roleData['bound_claims_type'], 'string');
		assert.equal(roleData['clock_skew_leeway'], 0);
		assert.equal(roleData['bound_audiences'], null);
		assert.deepEqual(roleData['token_policies'], []);
		assertError(
			await call(emulator, 'GET', 'auth/jwt/role/secretive', {token: 'reader-token'}),
			403,
			'permission denied',
		);
		assertError(await call(emulator, 'GET', 'auth/jwt/role/ci'), 403, 'permission denied');
		assertError(
			await call(emulator, 'POST', 'auth/jwt/role/x', {token: 'reader-token', body: {user_claim: 'sub'}}),
			403,
			'permission denied',
		);
		assert.deepEqual(
			await call(emulator, 'GET', 'auth/jwt/role/absent', {token: 'reader-token'}).then(a => a.body),
			{
				errors: [],
			},
		);

		const caps = await call(emulator, 'POST', 'sys/capabilities-self', {
			token: 'reader-token',
			body: {paths: ['auth/jwt/role/ci', 'auth/jwt/role/secret-x', 'auth/other/config', 'auth/a/b/config']},
		});
		assert.deepEqual(caps.body['data'], {
			'auth/jwt/role/ci': ['read'],
			'auth/jwt/role/secret-x': ['deny'],
			'auth/other/config': ['read'],
			'auth/a/b/config': ['deny'],
		});
		const root = await call(emulator, 'POST', 'sys/capabilities-self', {
			token: 'root-token',
			body: {paths: ['x']},
		});
		assert.deepEqual(root.body['capabilities'], ['root']);
	});

	test('an expired Vault token is refused', async () => {
		assert.equal((await call(emulator, 'GET', 'sys/auth', {token: 'short-token'})).status, 200);
		clock = NOW + 61;
		try {
			assertError(await call(emulator, 'GET', 'sys/auth', {token: 'short-token'}), 403, 'permission denied');
		} finally {
			clock = NOW;
		}
	});

	test('role writes merge, but reset role_type and bound_claims_type; config writes replace the config', async () => {
		const write = (name: string, body: Record<string, unknown>) =>
			call(emulator, 'POST', `auth/jwt/role/${name}`, {token: 'root-token', body});
		const read = async (name: string) =>
			(await call(emulator, 'GET', `auth/jwt/role/${name}`, {token: 'root-token'})).body['data'] as Record<
				string,
				unknown
			>;
		assert.equal(
			(
				await write('MyRole', {
					role_type: 'jwt',
					user_claim: 'sub',
					bound_audiences: 'vault,other',
					bound_claims_type: 'glob',
					bound_claims: {ref: 'refs/*'},
					clock_skew_leeway: '90s',
				})
			).status,
			204,
		);
		const created = await read('myrole');
		assert.equal(created['role_type'], 'jwt');
		assert.equal(created['bound_claims_type'], 'glob');
		assert.deepEqual(created['bound_audiences'], ['vault', 'other']);
		assert.equal(created['clock_skew_leeway'], 90);

		assertError(
			await write('myrole', {bound_subject: 'alice'}),
			400,
			"'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
		);
		assert.equal((await write('myrole', {allowed_redirect_uris: ['https://app.example/cb']})).status, 204);
		const updated = await read('myrole');
		assert.equal(updated['role_type'], 'oidc');
		assert.equal(updated['bound_claims_type'], 'string');
		assert.deepEqual(updated['bound_audiences'], ['vault', 'other']);
		assertError(
			await login(emulator, 'jwt', {role: 'myrole', jwt: await key.sign(claims())}),
			400,
			'role with oidc role_type is not allowed',
		);

		assertError(
			await write('nobound', {role_type: 'jwt', user_claim: 'sub'}),
			400,
			'must have at least one bound constraint when creating/updating a role',
		);
		assertError(
			await write('noclaim', {role_type: 'jwt', bound_audiences: ['vault']}),
			400,
			'a user claim must be defined on the role',
		);
		assertError(
			await write('badglob', {
				role_type: 'jwt',
				user_claim: 'sub',
				bound_claims_type: 'glob',
				bound_claims: {n: 5},
			}),
			400,
			'claim is not a string: 5',
		);
		assert.equal((await call(emulator, 'DELETE', 'auth/jwt/role/myrole', {token: 'root-token'})).status, 204);
		assert.equal((await call(emulator, 'GET', 'auth/jwt/role/myrole', {token: 'root-token'})).status, 404);

		const configWrite = await call(emulator, 'PUT', 'auth/unconfigured/config', {
			token: 'root-token',
			body: {jwt_validation_pubkeys: [key.pem], bound_issuer: ISSUER},
		});
		assert.equal(configWrite.status, 204);
		assert.equal(emulator.mounts()['unconfigured']?.config?.['bound_issuer'], ISSUER);
		// The plugin replaces the whole config on write (checked against the real plugin, test/real-vault): a
		// body without a key source is refused, and a full body drops what it does not name.
		assertError(
			await call(emulator, 'POST', 'auth/unconfigured/config', {
				token: 'root-token',
				body: {default_role: 'r'},
			}),
			400,
			"exactly one of 'jwt_validation_pubkeys', 'jwks_url', 'jwks_pairs' or 'oidc_discovery_url' must be set",
		);
		await call(emulator, 'POST', 'auth/unconfigured/config', {
			token: 'root-token',
			body: {jwt_validation_pubkeys: [key.pem], default_role: 'R'},
		});
		const config = await call(emulator, 'GET', 'auth/unconfigured/config', {token: 'root-token'});
		assert.equal((config.body['data'] as Record<string, unknown>)['bound_issuer'], '');
		assert.equal((config.body['data'] as Record<string, unknown>)['default_role'], 'r');
	});

	test('namespaces: mounts and tokens are per namespace', async () => {
		const jwt = await key.sign(claims());
		assertError(await login(emulator, 'team-jwt', {role: 'r', jwt}), 403, 'permission denied');
		const answer = await login(emulator, 'team-jwt', {role: 'r', jwt}, 'team');
		assert.equal(answer.status, 200, answer.text);
		const clientToken = String((answer.body['auth'] as Record<string, unknown>)['client_token']);
		assert.equal(emulator.tokens.get(clientToken)?.namespace, 'team');
		assertError(
			await call(emulator, 'GET', 'auth/token/lookup-self', {token: clientToken}),
			403,
			'permission denied',
		);
		const lookup = await call(emulator, 'GET', 'auth/token/lookup-self', {
			token: clientToken,
			namespace: 'team/',
		});
		assert.equal(lookup.status, 200);

		const teamAuth = await call(emulator, 'GET', 'sys/auth', {token: 'team-token', namespace: 'team'});
		assert.deepEqual(Object.keys(teamAuth.body['data'] as Record<string, unknown>), ['team-jwt/', 'token/']);
		assertError(await call(emulator, 'GET', 'sys/auth', {token: 'team-token'}), 403, 'permission denied');
		// A root-namespace token sees the namespace's paths prefixed with the namespace.
		assertError(
			await call(emulator, 'GET', 'sys/auth', {token: 'reader-token', namespace: 'team'}),
			403,
			'permission denied',
		);
		assert.equal(
			(await call(emulator, 'GET', 'sys/auth', {token: 'root-token', namespace: 'team'})).status,
			200,
		);
		assert.ok(emulator.mounts('team')['team-jwt']);
		assert.equal(emulator.requests.at(-1)?.namespace, 'team');
	});

	test('failNext, delayMs and blackHole', async () => {
		emulator.state.failNext.push(
			{path: /auth\/jwt\/login/, status: 500, body: JSON.stringify({errors: [MULTIERROR_500]})},
			{
				path: /^sys\/health$/,
				status: 502,
				body: '<html><body>Bad Gateway</body></html>',
				contentType: 'text/html',
			},
		);
		assertError(await login(emulator, 'jwt', {role: 'ci', jwt: 'x'}), 500, MULTIERROR_500);
		assertError(await login(emulator, 'jwt', {role: 'ci', jwt: ''}), 400, 'missing token');
		const html = await call(emulator, 'GET', 'sys/health');
		assert.equal(html.status, 502);
		assert.equal(html.contentType, 'text/html');
		assert.match(html.text, /Bad Gateway/);
		assert.equal(emulator.state.failNext.length, 0);

		emulator.state.delayMs = 200;
		try {
			// Ordering, not timing: a timer started after the request, for half the delay, fires first.
			const answer = call(emulator, 'GET', 'sys/health');
			const first = await Promise.race([
				answer.then(() => 'answer'),
				new Promise(resolve => setTimeout(resolve, 100, 'timer')),
			]);
			assert.equal(first, 'timer');
			assert.equal((await answer).status, 200);
		} finally {
			emulator.state.delayMs = 0;
		}

		emulator.state.blackHole = true;
		try {
			await assert.rejects(call(emulator, 'GET', 'sys/health', {signal: AbortSignal.timeout(300)}), {
				name: 'TimeoutError',
			});
		} finally {
			emulator.state.blackHole = false;
		}
		assert.equal((await call(emulator, 'GET', 'sys/health')).status, 200);
	});

	test('the request log never holds token values', async () => {
		await call(emulator, 'GET', 'auth/token/lookup-self', {token: 'root-token'});
		const last = emulator.requests.at(-1);
		assert.deepEqual(last, {method: 'GET', path: 'auth/token/lookup-self', hasToken: true});
		const logged = JSON.stringify(emulator.requests);
		assert.equal(logged.includes('root-token'), false);
		assert.equal(logged.includes('hvs.emu'), false);
		assert.equal(logged.includes('eyJ'), false);
		assert.ok(emulator.requests.some(entry => entry.method === 'LIST'));
	});
});

describe('vault emulator over HTTPS', () => {
	let emulator: VaultEmulator;
	let agent: Agent;
	before(async () => {
		const authority = await createCertificateAuthority();
		emulator = await startVaultEmulator({
			tls: authority.issue(['127.0.0.1', 'localhost']),
			version: '1.16.2',
		});
		agent = new Agent({connect: {ca: authority.caPem}});
	});
	after(async () => {
		await emulator?.close();
		await agent?.close();
	});

	test('serves sys/health with a certificate from the test CA', async () => {
		assert.match(emulator.url, /^https:\/\/127\.0\.0\.1:\d+$/);
		const response = await undiciFetch(`${emulator.url}/v1/sys/health`, {dispatcher: agent});
		assert.equal(response.status, 200);
		assert.equal(((await response.json()) as Record<string, unknown>)['version'], '1.16.2');
		const list = await undiciFetch(`${emulator.url}/v1/auth/jwt/role`, {method: 'LIST', dispatcher: agent});
		assert.deepEqual([list.status, await list.json()], [403, {errors: ['permission denied']}]);
	});
});
