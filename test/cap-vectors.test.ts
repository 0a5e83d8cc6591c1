import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {simulateLogin} from '../source/core/login/simulate-login.js';
import {createTestKey, type TestKey} from './helpers/keys.js';
import {loadVectors, resolveMarkers} from './helpers/vectors.js';

type CapVector = {
	name: string;
	function: string;
	expected: {
		issuer?: string;
		subject?: string;
		id?: string;
		audiences?: string[];
		signingAlgorithms?: string[];
		notBeforeLeeway?: number;
		expirationLeeway?: number;
		clockSkewLeeway?: number;
	};
	token: {raw?: string; header: Record<string, unknown>; claims: Record<string, unknown> | null};
	signatureValid?: boolean;
	error: string | null;
};

/** The checks that cap's Validator.Validate performs, in the plugin's pipeline. */
const capChecks = new Set([
	'login.signature',
	'login.algorithm',
	'login.claim-types',
	'login.issuer',
	'login.subject',
	'login.audience',
	'login.times',
]);
const now = 1_800_000_000;
const keys = new Map<string, {trusted: TestKey; stranger: TestKey}>();

before(async () => {
	for (const alg of ['RS256', 'RS512', 'PS384', 'ES256', 'ES384', 'EdDSA']) {
		keys.set(alg, {
			trusted: await createTestKey(alg, 'test-key'),
			stranger: await createTestKey(alg, 'test-key'),
		});
	}
});

test("cap's Validate vectors: signature, alg, iss, sub, aud and time checks with leeways", async () => {
	const vectors = loadVectors<CapVector>('cap-validate.json').filter(
		vector => vector.function === 'Validate' && !vector.expected.id,
	);
	assert.ok(vectors.length >= 25);
	for (const vector of vectors) {
		const alg = vector.token.raw ? 'RS256' : String(vector.token.header['alg']);
		const pair = keys.get(alg);
		assert.ok(pair, `no test key for ${alg}`);
		const signer = vector.signatureValid === false ? pair.stranger : pair.trusted;
		const claims = resolveMarkers(vector.token.claims ?? {}, now) as Record<string, unknown>;
		const {expected} = vector;
		const result = await simulateLogin({
			token: vector.token.raw ?? (await signer.sign(claims)),
			role: {
				role_type: 'jwt',
				user_claim: 'sub',
				bound_subject: expected.subject ?? '',
				bound_audiences: expected.audiences ?? [],
				expiration_leeway: expected.expirationLeeway ?? 0,
				not_before_leeway: expected.notBeforeLeeway ?? 0,
				clock_skew_leeway: expected.clockSkewLeeway ?? 0,
			},
			config: {
				jwks_url: 'https://issuer.test/keys',
				bound_issuer: expected.issuer ?? '',
				jwt_supported_algs: expected.signingAlgorithms ?? [],
			},
			issuer: {jwks: {keys: [pair.trusted.jwk]}},
			now,
		});
		const failure = result.checks.find(check => capChecks.has(check.id) && check.status === 'fail');
		const label = `${vector.name}`;
		if (vector.error === null)
			assert.equal(failure, undefined, `${label}: expected no cap failure, got ${failure?.vaultMessage}`);
		else assert.equal(failure?.vaultMessage, `error validating token: ${vector.error}`, label);
	}
});
