import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {type RealVault, rootToken, startRealVault} from './fixtures/real-vault.js';
import {startVaultEmulator, type VaultEmulator} from './fixtures/vault-emulator.js';
import {onaRole} from './helpers/world.js';
import {availableBuilds} from './real-vault/binaries.js';

/*
The emulator's API against the real plugin's, request by request: the same config, role and login calls sent to
both (the emulator as the newest plugin), and every answer equal, status and body, but for request ids. Where
this found a difference, the emulator was fixed (its header lists them).
*/

const newest = availableBuilds().builds.at(-1);
let issuer: TestIssuer;
let real: RealVault;
let emulator: VaultEmulator;

before(async () => {
	if (!newest) return;
	issuer = await startIssuer();
	real = await startRealVault({version: newest.version, mounts: {jwt: {}}});
	emulator = await startVaultEmulator({
		tokens: {[rootToken]: {policies: ['root']}},
		mounts: {jwt: {pluginVersion: `${newest.version}+builtin`}},
	});
});

after(async () => {
	if (!newest) return;
	await real.close();
	await emulator.close();
	await issuer.close();
});

async function call(url: string, method: string, path: string, body?: unknown) {
	const response = await fetch(`${url}/v1/${path}`, {
		method,
		headers: {
			'x-vault-token': rootToken,
			...(body === undefined ? {} : {'content-type': 'application/json'}),
		},
		...(body === undefined ? {} : {body: JSON.stringify(body)}),
	});
	const text = await response.text();
	const parsed = text === '' ? '' : (JSON.parse(text) as Record<string, unknown>);
	if (typeof parsed === 'object') delete parsed['request_id'];
	return {status: response.status, body: parsed};
}

test('the emulator answers config, role and login calls as the real plugin does', {
	skip: newest ? false : 'no real-Vault binary: npm run vault:build',
	timeout: 60_000,
}, async t => {
	const steps: Array<[string, string, unknown?]> = [
		['GET', 'auth/jwt/config'],
		['LIST', 'auth/jwt/role'],
		['GET', 'auth/jwt/role/nope'],
		['POST', 'auth/jwt/login', {role: 'x', jwt: 'a'}],
		['POST', 'auth/jwt/config', {oidc_discovery_url: issuer?.issuer, default_role: 'Ona-Project'}],
		['GET', 'auth/jwt/config'],
		['POST', 'auth/jwt/login', {jwt: 'a'}],
		['POST', 'auth/jwt/role/ona-project', onaRole],
		['GET', 'auth/jwt/role/ONA-project'],
		['LIST', 'auth/jwt/role'],
		['GET', 'auth/jwt/role?list=true'],
		['POST', 'auth/jwt/role/ona-project', {token_ttl: '2h'}],
		['POST', 'auth/jwt/role/ona-project', {token_ttl: 'abc'}],
		['POST', 'auth/jwt/role/ona-project', {bound_claims: 'x'}],
		['POST', 'auth/jwt/role/r2', {role_type: 'jwt'}],
		['POST', 'auth/jwt/role/r3', {role_type: 'jwt', user_claim: 'sub'}],
		[
			'POST',
			'auth/jwt/role/r4',
			{role_type: 'jwt', user_claim: 'sub', bound_claims_type: 'glob', bound_claims: {a: 5}},
		],
		['POST', 'auth/jwt/role/r6', {role_type: 'oidc', user_claim: 'sub'}],
		['POST', 'auth/jwt/role/r7', {role_type: 'bogus', user_claim: 'sub'}],
		['POST', 'auth/jwt/role/r9', {role_type: 'jwt', user_claim: 'sub', claim_mappings: {a: 'x', b: 'x'}}],
		[
			'POST',
			'auth/jwt/role/r11',
			{role_type: 'jwt', user_claim: 'sub', bound_cidrs: ['10.0.0.0/8'], policies: ['p'], ttl: 60},
		],
		['GET', 'auth/jwt/role/r11'],
		['POST', 'auth/jwt/role/r12', {role_type: 'jwt', user_claim: 'sub', token_bound_cidrs: ['nonsense']}],
		[
			'PUT',
			'auth/jwt/role/r13',
			{role_type: 'jwt', user_claim: 'sub', bound_audiences: [], expiration_leeway: -1},
		],
		['POST', 'auth/jwt/config', {jwks_url: issuer?.jwksUrl, oidc_discovery_url: issuer?.issuer}],
		['POST', 'auth/jwt/config', {}],
		['POST', 'auth/jwt/config', {oidc_discovery_url: 'http://127.0.0.1:9'}],
		['POST', 'auth/jwt/config', {oidc_discovery_url: issuer?.issuer, oidc_client_id: 'x'}],
		['POST', 'auth/jwt/config', {oidc_discovery_url: issuer?.issuer, jwt_supported_algs: ['XX256']}],
		['POST', 'auth/jwt/config', {oidc_discovery_url: issuer?.issuer, jwt_supported_algs: 'RS256,ES256'}],
		['GET', 'auth/jwt/config'],
		['DELETE', 'auth/jwt/role/r11'],
		['DELETE', 'auth/jwt/role/nope'],
		['GET', 'auth/jwt/login'],
		['GET', 'auth/jwt/nope'],
		['LIST', 'auth/jwt/role/ona-project'],
	];
	for (const [method, path, body] of steps) {
		await t.test(
			`${method} ${path} ${body === undefined ? '' : JSON.stringify(body).slice(0, 60)}`,
			async () => {
				const answer = await call(real.url, method, path, body);
				assert.deepEqual(await call(emulator.url, method, path, body), answer);
			},
		);
	}
});
