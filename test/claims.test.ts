import assert from 'node:assert/strict';
import {test} from 'node:test';
import {evaluateBoundClaims, getClaim, toBoundValue, toClaimValue} from '../source/core/login/claims.js';
import {GoNumber, goFloatText, goFormat, isGoMap} from '../source/core/login/go-values.js';
import {loadVectors, loadVectorsLossless, resolveMarkers} from './helpers/vectors.js';

type GetClaimVector = {
	name: string;
	claims: Record<string, unknown>;
	key: string;
	found: boolean;
	value?: unknown;
	valueType?: string;
};
type BoundClaimsVector = {
	name: string;
	source: string;
	boundClaimsType: 'string' | 'glob';
	boundClaims: Record<string, unknown>;
	claims: Record<string, unknown>;
	error: string | null;
	anyOfErrors?: string[];
	skip?: string;
};

const asClaims = (claims: Record<string, unknown>) => {
	const value = toClaimValue(claims);
	assert.ok(isGoMap(value));
	return value;
};

test('getClaim vectors (upstream TestGetClaim and derived cases)', () => {
	const vectors = loadVectors<GetClaimVector>('get-claim.json');
	assert.ok(vectors.length >= 10);
	for (const vector of vectors) {
		const value = getClaim(asClaims(vector.claims), vector.key, {numericClaims: true});
		assert.equal(value !== undefined, vector.found, `${vector.name}: found`);
		if (!vector.found) continue;
		if (vector.valueType === 'json.Number') {
			assert.ok(value instanceof GoNumber, `${vector.name}: json.Number`);
			assert.equal(value.text, String(vector.value), vector.name);
		} else {
			assert.deepEqual(value, vector.value, vector.name);
		}
	}
});

test('validateBoundClaims vectors (upstream TestValidateBoundClaims and derived cases)', () => {
	const vectors = loadVectorsLossless<BoundClaimsVector>('bound-claims.json');
	assert.ok(vectors.length >= 31);
	let evaluated = 0;
	for (const vector of vectors) {
		if (vector.skip) continue;
		const bound = toBoundValue(resolveMarkers(vector.boundClaims, 0));
		assert.ok(isGoMap(bound));
		const results = evaluateBoundClaims(
			bound,
			asClaims(resolveMarkers(vector.claims, 0) as Record<string, unknown>),
			{
				glob: vector.boundClaimsType === 'glob',
				numericClaims: true,
			},
		);
		const messages = results.map(result => result.message).filter(Boolean);
		if (vector.error === null) {
			assert.deepEqual(messages, [], `${vector.name}: expected success`);
		} else {
			const allowed = vector.anyOfErrors ?? [vector.error];
			assert.ok(messages.length > 0, `${vector.name}: expected ${vector.error}`);
			for (const message of messages)
				assert.ok(
					allowed.includes(message!),
					`${vector.name}: got ${message}, expected one of ${allowed.join(' | ')}`,
				);
		}

		evaluated++;
	}

	assert.ok(evaluated >= 31);
});

test('the panicking comparison is reported, not thrown', () => {
	const results = evaluateBoundClaims({a: [['x']]} as never, {a: [['x']]} as never, {
		glob: false,
		numericClaims: true,
	});
	assert.equal(results[0]!.outcome, 'panic');
});

test('every failing key is reported, not only the first', () => {
	const bound = toBoundValue({organization_id: 'org-1', project_id: 'proj-1', email: 'dev@example.com'});
	assert.ok(isGoMap(bound));
	const results = evaluateBoundClaims(bound, asClaims({organization_id: 'org-2', email: 'dev@example.com'}), {
		glob: false,
		numericClaims: true,
	});
	assert.deepEqual(
		results.map(result => [result.key, result.outcome]),
		[
			['organization_id', 'mismatch'],
			['project_id', 'missing'],
			['email', 'pass'],
		],
	);
});

test('number rules: text comparison for bound numbers, truncation for claims, nothing inside lists', () => {
	const check = (bound: unknown, claim: unknown) =>
		evaluateBoundClaims(toBoundValue({k: bound}) as never, asClaims({k: claim}), {
			glob: false,
			numericClaims: true,
		})[0]!.outcome;
	assert.equal(check(123, 123), 'pass');
	assert.equal(check(123, 123.9), 'pass');
	assert.equal(check('123', 123), 'mismatch');
	assert.equal(check(123, '123'), 'mismatch');
	assert.equal(check(new GoNumber('123.0'), 123), 'mismatch');
	assert.equal(check([1], [1, 2]), 'mismatch');
	assert.equal(check(true, true), 'pass');
	assert.equal(check('true', true), 'mismatch');
	assert.equal(check('x', {a: 'x'}), 'claim-type');
	assert.equal(check({a: 'x'}, 'x'), 'bound-type');
	const legacy = evaluateBoundClaims(toBoundValue({k: 123}) as never, asClaims({k: 123}), {
		glob: false,
		numericClaims: false,
	})[0]!;
	assert.equal(legacy.message, 'received claim is not a string or list: 123');
});

test('mismatch hints explain look-alike values', () => {
	const hint = (bound: unknown, claim: unknown, glob = false) =>
		evaluateBoundClaims(toBoundValue({k: bound}) as never, asClaims({k: claim}), {
			glob,
			numericClaims: true,
		})[0]!.hint ?? '';
	assert.match(hint('true', true), /different JSON types/);
	assert.match(hint('refs/heads/*', 'refs/heads/main'), /bound_claims_type=glob/);
	assert.match(hint('Main', 'main'), /letter case/);
	assert.match(hint('*', true, true), /only looks at strings/);
});

test("Go's %v formatting of decoded values", () => {
	assert.equal(goFloatText(123), '123');
	assert.equal(goFloatText(1_000_000), '1e+06');
	assert.equal(goFloatText(123_456_789), '1.23456789e+08');
	assert.equal(goFloatText(0.000_01), '1e-05');
	assert.equal(goFloatText(0.0001), '0.0001');
	assert.equal(goFloatText(1.5), '1.5');
	assert.equal(goFormat({b: 1, a: ['x', true, null]}), 'map[a:[x true <nil>] b:1]');
});
