import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {simulateLogin} from '../source/core/login/simulate-login.js';
import {createTestKey, type TestKey} from './helpers/keys.js';
import {loadVectors, resolveMarkers} from './helpers/vectors.js';

type LoginVector = {
	name: string;
	source: string;
	config: Record<string, unknown>;
	role: Record<string, unknown>;
	roleName: string;
	storedRoleName: string;
	token: {header: {alg: string}; claims: Record<string, unknown>} | null;
	signatureValid: boolean;
	error: string | null;
	errorAnyOf?: string[];
	result?: {aliasName: string; groupAliases: string[]; metadata: Record<string, string>};
};

const now = 1_800_000_000;
const vectors = loadVectors<LoginVector>('login.json');
let trusted: TestKey;
let stranger: TestKey;

before(async () => {
	trusted = await createTestKey('ES256');
	stranger = await createTestKey('ES256');
});

/** Builds what a live Vault would hold: the vector's config with the real test key in place of the placeholder. */
function realConfig(config: Record<string, unknown>) {
	const usesJwks = typeof config['jwks_url'] === 'string' && config['jwks_url'] !== '';
	return {
		config: {
			...config,
			jwt_validation_pubkeys: usesJwks ? [] : [trusted.pem],
			...(usesJwks ? {jwks_url: 'https://issuer.test/certs'} : {}),
		},
		issuer: usesJwks ? {jwks: {keys: [{...trusted.jwk, alg: undefined, use: undefined}]}} : undefined,
	};
}

test('login vectors from the plugin test suites reproduce Vault verdict, first message and identity', async () => {
	assert.ok(vectors.length >= 100);
	for (const vector of vectors) {
		const claims = resolveMarkers(vector.token?.claims ?? {}, now) as Record<string, unknown>;
		const signer = vector.signatureValid ? trusted : stranger;
		const jwt = vector.token ? await signer.sign(claims, vector.token.header) : '';
		const sentName = vector.roleName || String(vector.config['default_role'] ?? '');
		const roleExists = sentName.toLowerCase() === vector.storedRoleName;
		const {config, issuer} = realConfig(vector.config);
		const result = await simulateLogin({
			token: jwt,
			role: roleExists ? vector.role : null,
			config,
			roleName: vector.roleName,
			now,
			...(issuer ? {issuer} : {}),
		});
		const label = `${vector.name} (${vector.source})`;
		if (vector.error === null) {
			assert.equal(result.vaultError, null, `${label}: expected success`);
			assert.equal(result.allowed, true, label);
			if (vector.result) assert.deepEqual(result.identity, vector.result, `${label}: identity`);
		} else {
			assert.equal(result.allowed, false, `${label}: expected ${vector.error}`);
			assert.ok(
				(vector.errorAnyOf ?? [vector.error]).includes(result.vaultError!),
				`${label}: got ${result.vaultError}`,
			);
		}
	}
});
