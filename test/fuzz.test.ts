/*
Property and fuzz tests for the parts of the doctor that read untrusted text: the token reader, the error explainer,
the login model and the glob matcher. Each property has a bounded number of runs, so the whole file stays well
under 20 s on a small machine. No assertion measures an absolute time (a loaded CI machine misses any such bound):
super-linear work is caught by how the cost grows with the input's size (`growth`), and timings live in
`npm run bench`. Set FUZZ_SEED to replay a reported failure.

Tests named "regression:" pin defects that fuzzing found (crashes, quadratic regexes, prototype keys, escaping
order) with the smallest input that showed each. A test marked `todo` is a defect still open: it runs, and its
failure is reported without failing the suite.
*/
import assert from 'node:assert/strict';
import {before, describe, test} from 'node:test';
import fc from 'fast-check';
import {exportSPKI, generateKeyPair, SignJWT} from 'jose';
import type {Check} from '../source/core/check.js';
import {goGlob} from '../source/core/login/glob.js';
import {
	type SimulateLoginInput,
	type SimulateLoginResult,
	simulateLogin,
} from '../source/core/login/simulate-login.js';
import {inspectToken, type TokenInspection} from '../source/core/login/token.js';
import {problemIds} from '../source/core/problems/catalogue.js';
import {explainVaultError} from '../source/core/problems/explain-error.js';
import {loadVectors} from './helpers/vectors.js';

const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : undefined;
const runs = (numRuns: number): fc.Parameters<unknown> => ({numRuns, ...(seed === undefined ? {} : {seed})});

const knownProblems = new Set<string>(problemIds);
const now = 1_800_000_000;
const oneMegabyte = 1024 * 1024;

/** The input grows by this factor between the two sizes `assertLinear` compares. */
const sizeFactor = 64;

/**
Fails when the work grows quadratically (or worse) with the input: the best of several interleaved timings at
`bytes / 64` and at `bytes`. Linear work measures 60-350x here (caches and garbage collection cost more at 1 MB
than at 16 KB) and quadratic work about 4,096x, so the bound of 1,024x sits well clear of both. A ratio of two
timings taken side by side survives a loaded machine, where an absolute time does not.
*/
function assertLinear(
	what: string,
	bytes: number,
	make: (bytes: number) => string,
	work: (text: string) => void,
) {
	const small = make(Math.ceil(bytes / sizeFactor));
	const large = make(bytes);
	const best = {small: Number.POSITIVE_INFINITY, large: Number.POSITIVE_INFINITY};
	const time = (text: string) => {
		const start = performance.now();
		work(text);
		return performance.now() - start;
	};
	for (let round = 0; round < 3; round++) {
		best.small = Math.min(best.small, time(small), time(small));
		best.large = Math.min(best.large, time(large));
	}

	// A floor of 0.1 ms keeps a near-zero small timing from turning timer noise into a huge ratio.
	const ratio = best.large / Math.max(best.small, 0.1);
	assert.ok(
		ratio < sizeFactor * 16,
		`${what}: ${sizeFactor}x the input took ${ratio.toFixed(1)}x the time (${best.small.toFixed(2)} ms -> ${best.large.toFixed(2)} ms)`,
	);
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const base64url = (data: string | Uint8Array) => Buffer.from(data).toString('base64url');
const compactOf = (header: unknown, payload: unknown, signature = '') =>
	`${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${signature}`;

/** A token signed with a real key at test start, as an issuer would. */
let signedToken = '';
let signingPem = '';

before(async () => {
	const {privateKey, publicKey} = await generateKeyPair('ES256', {extractable: true});
	signingPem = await exportSPKI(publicKey);
	signedToken = await new SignJWT({
		sub: 'repo:octo/app:ref:refs/heads/main',
		aud: ['vault'],
		repository: 'octo/app',
		groups: ['dev', 'ops'],
		nested: {a: [1, 2, {b: 'c'}]},
	})
		.setProtectedHeader({alg: 'ES256', kid: 'k1', typ: 'JWT'})
		.setIssuer('https://issuer.example')
		.setIssuedAt(now - 10)
		.setExpirationTime(now + 290)
		.sign(privateKey);
});

// ---------------------------------------------------------------------------------------------------------------
// Shared arbitraries
// ---------------------------------------------------------------------------------------------------------------

const controlCharacter = fc.integer({min: 0, max: 0x1f}).map(code => String.fromCharCode(code));
const loneSurrogate = fc.integer({min: 0xd800, max: 0xdfff}).map(code => String.fromCharCode(code));
const trickyCharacter = fc.constantFrom(
	'.',
	'"',
	"'",
	'`',
	' ',
	'\n',
	'\r',
	'\t',
	'\u00a0',
	'\u2028',
	'\ufeff',
	'\u200b',
	'\u0000',
	'\x7f',
	'\u009b',
	'\\',
	'=',
	'+',
	'/',
	'-',
	'_',
	'%',
	'é',
	'😀',
);
const nastyUnit = fc.oneof(
	{weight: 3, arbitrary: fc.string({unit: 'binary', minLength: 1, maxLength: 1})},
	controlCharacter,
	loneSurrogate,
	{weight: 2, arbitrary: trickyCharacter},
);
/** Any text: full unicode, graphemes, control characters, lone surrogates, separators. */
const randomText = fc.oneof(
	fc.string({unit: 'binary', maxLength: 300}),
	fc.string({unit: 'grapheme', maxLength: 100}),
	fc.string({unit: nastyUnit, maxLength: 300}),
);
const base64urlCharacter = fc.constantFrom(
	...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split(''),
);
const tokenPart = fc.oneof(
	{weight: 4, arbitrary: fc.string({unit: base64urlCharacter, maxLength: 80})},
	fc.string({unit: fc.oneof(base64urlCharacter, nastyUnit), maxLength: 80}),
	fc.uint8Array({maxLength: 60}).map(bytes => base64url(bytes)),
);
const jsonValue = fc.jsonValue({maxDepth: 4});
const header = fc.oneof(
	jsonValue,
	fc.record(
		{
			alg: fc.oneof(fc.constantFrom('none', 'RS256', 'ES256', 'HS256', 'EdDSA', ''), jsonValue),
			kid: fc.oneof(fc.string(), jsonValue),
			typ: fc.constantFrom('JWT', 'at+jwt', 'JOSE'),
		},
		{requiredKeys: []},
	),
);

// ---------------------------------------------------------------------------------------------------------------
// 1. inspectToken
// ---------------------------------------------------------------------------------------------------------------

function inspectChecked(raw: string): TokenInspection {
	const result = inspectToken(raw);
	if (result.ok) {
		assert.ok(isPlainObject(result.header), 'header is an object');
		assert.ok(isPlainObject(result.claims), 'claims is an object');
		assert.ok(!/\s/.test(result.compact), 'the compact form has no white space');
		assert.equal(result.compact.split('.').length, 3);
		assert.equal(result.signaturePresent, result.compact.split('.')[2] !== '');
	} else {
		assert.equal(typeof result.reason, 'string');
		assert.ok(result.reason.trim().length > 0, 'a failure has a reason');
		assert.ok(knownProblems.has(result.problem), `unknown problem id ${result.problem}`);
		assert.ok(result.parseError.length > 0, 'a failure has a parse error');
	}

	return result;
}

describe('inspectToken never throws and always explains itself', () => {
	test('random strings: unicode, control characters, lone surrogates', () => {
		fc.assert(
			fc.property(randomText, raw => {
				inspectChecked(raw);
			}),
			runs(3000),
		);
	});

	test('random bytes decoded as latin1', () => {
		fc.assert(
			fc.property(fc.uint8Array({maxLength: 400}), bytes => {
				inspectChecked(Buffer.from(bytes).toString('latin1'));
			}),
			runs(800),
		);
	});

	test('three and five dot-separated random parts', () => {
		fc.assert(
			fc.property(
				fc.oneof(fc.constant(3), fc.constant(5), fc.integer({min: 1, max: 8})),
				fc.array(tokenPart, {minLength: 8, maxLength: 8}),
				(count, parts) => {
					const raw = parts.slice(0, count).join('.');
					const result = inspectChecked(raw);
					const dots = raw.replace(/\s+/g, '').split('.').length;
					if (
						!result.ok &&
						result.kind !== 'quoted' &&
						result.kind !== 'vault-token' &&
						result.kind !== 'empty'
					) {
						if (dots === 5) assert.equal(result.kind, 'jwe');
						else if (dots !== 3) assert.equal(result.kind, 'parts');
					}
					if (result.ok) assert.equal(dots, 3);
				},
			),
			runs(1500),
		);
	});

	test('valid base64url of random JSON values (objects, arrays, numbers, strings, null)', () => {
		fc.assert(
			fc.property(header, jsonValue, fc.oneof(fc.constant(''), tokenPart), (head, payload, signature) => {
				const raw = compactOf(head, payload, signature);
				const result = inspectChecked(raw);
				const signatureIsBase64 = /^[A-Za-z0-9_-]*$/.test(signature) && signature.length % 4 !== 1;
				if (!signatureIsBase64) return;
				// Everything is base64url, so the verdict depends only on the JSON types.
				if (isPlainObject(head) && isPlainObject(payload)) {
					assert.ok(result.ok, `expected a decoded token for ${raw}`);
					assert.deepEqual(result.claims, JSON.parse(JSON.stringify(payload)));
				} else {
					assert.ok(!result.ok);
					assert.equal(result.kind, isPlainObject(head) ? 'not-object' : 'json');
				}
			}),
			runs(1000),
		);
	});

	test('a real signed JWT cut at every length, from either end', () => {
		assert.ok(inspectChecked(signedToken).ok);
		for (let length = 0; length <= signedToken.length; length++) {
			inspectChecked(signedToken.slice(0, length));
			inspectChecked(signedToken.slice(length));
		}
	});

	test('quoted and white-space-wrapped tokens', () => {
		const whiteSpace = fc.string({
			unit: fc.constantFrom(' ', '\n', '\r\n', '\t', '\u00a0', '\u2028', '\ufeff'),
			maxLength: 6,
		});
		const quote = fc.constantFrom('', '"', "'", '`', '\\"');
		fc.assert(
			fc.property(quote, whiteSpace, whiteSpace, whiteSpace, quote, (open, lead, inside, trail, close) => {
				const cut = Math.floor(signedToken.length / 2);
				const token = `${signedToken.slice(0, cut)}${inside}${signedToken.slice(cut)}`;
				const raw = `${lead}${open}${token}${close}${trail}`;
				const result = inspectChecked(raw);
				if (open === '' && close === '') {
					assert.ok(result.ok, 'white space alone never spoils a token');
					assert.equal(result.compact, signedToken);
					assert.equal(result.notes.length > 0, raw !== signedToken);
				} else {
					assert.ok(!result.ok);
					assert.equal(result.problem, 'token-malformed');
				}
			}),
			runs(500),
		);
	});

	test('1 MB tokens (a few runs)', () => {
		const shapes = fc.constantFrom('claim', 'garbage', 'white-space', 'dots', 'base64', 'header');
		fc.assert(
			fc.property(shapes, fc.string({unit: nastyUnit, minLength: 1, maxLength: 64}), (shape, chunk) => {
				const filler = chunk.repeat(Math.ceil(oneMegabyte / chunk.length));
				// A JSON value whose base64url form is about 1 MB, whatever the chunk's UTF-8 and JSON-escaped size.
				const escapedBytes = Buffer.byteLength(JSON.stringify(chunk)) - 2;
				const payloadFiller = chunk.repeat(Math.ceil((oneMegabyte * 0.75) / escapedBytes));
				const raw = {
					claim: () => compactOf({alg: 'RS256'}, {sub: 's', big: payloadFiller}, 'c2ln'),
					garbage: () => filler,
					'white-space': () =>
						`${' \n'.repeat(oneMegabyte / 4)}${signedToken}${'\t'.repeat(oneMegabyte / 2)}`,
					dots: () => '.'.repeat(oneMegabyte),
					base64: () => `${'A'.repeat(oneMegabyte / 2)}.${'B'.repeat(oneMegabyte / 2)}.c2ln`,
					header: () => compactOf({alg: 'RS256', x5c: [payloadFiller]}, {}, ''),
				}[shape]();
				const result = inspectChecked(raw);
				if (shape === 'claim' || shape === 'white-space' || shape === 'header') assert.ok(result.ok);
			}),
			runs(12),
		);
	});

	test('deeply nested claims and headers (depth 65+, built iteratively) are refused with the reason, never a crash', () => {
		fc.assert(
			fc.property(
				fc.integer({min: 65, max: 100_000}),
				fc.constantFrom('[', '{"a":'),
				fc.boolean(),
				(depth, opener, inHeader) => {
					const closer = opener === '[' ? ']' : '}';
					const deep = `${opener.repeat(depth)}null${closer.repeat(depth)}`;
					const headerJson = inHeader ? `{"alg":"RS256","deep":${deep}}` : '{"alg":"RS256"}';
					const raw = `${base64url(headerJson)}.${base64url(`{"sub":"s","deep":${deep}}`)}.c2ln`;
					const result = inspectChecked(raw);
					assert.ok(!result.ok && result.kind === 'bounds', 'deeper than 64 levels: refused');
					assert.match(result.reason, /more than 64 levels deep/);
				},
			),
			runs(15),
		);
	});

	test('alg none and unsigned tokens', () => {
		const payload = fc.dictionary(fc.string({maxLength: 10}), jsonValue, {maxKeys: 6});
		fc.assert(
			fc.property(
				fc.constantFrom('none', 'None', 'NONE', ''),
				payload,
				fc.boolean(),
				(alg, claims, dropDot) => {
					const unsigned = compactOf({alg, typ: 'JWT'}, claims);
					const result = inspectChecked(dropDot ? unsigned.slice(0, -1) : unsigned);
					if (dropDot) {
						assert.ok(!result.ok);
						assert.equal(result.kind, 'parts');
					} else {
						assert.ok(result.ok);
						assert.equal(result.signaturePresent, false);
						assert.equal(result.header['alg'], alg);
					}
				},
			),
			runs(300),
		);
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 2. explainVaultError
// ---------------------------------------------------------------------------------------------------------------

function explainChecked(text: string) {
	const explanation = explainVaultError(text);
	assert.ok(knownProblems.has(explanation.problem), `unknown problem id ${explanation.problem}`);
	assert.ok(explanation.alternatives.length <= 3);
	for (const alternative of explanation.alternatives) {
		assert.ok(knownProblems.has(alternative), `unknown alternative ${alternative}`);
		assert.notEqual(alternative, explanation.problem);
	}

	assert.equal(explanation.matched === null, explanation.problem === 'unknown');
	assert.ok(
		explanation.suspect === null || explanation.problem === 'unknown',
		'a suspect line only for unknown',
	);
	return explanation;
}

const ansiSequence = fc.constantFrom(
	'\x1b[0m',
	'\x1b[31m',
	'\x1b[1;31m',
	'\x1b[38;5;196m',
	'\x1b[38;2;255;0;0m',
	'\x1b[2K',
	'\x1b[1G',
	'\x1b[?25l',
	'\x1b]8;;https://vault.example\x07',
	'\x1b]8;;\x1b\\',
	'\u009b31m',
	'\x1b',
	'\x1b[',
);

/** Real messages as Vault, its CLI and its clients print them, in every wording generation. */
type ErrorText = {text: string; problem: string; name: string};
const corpus = loadVectors<ErrorText>('error-texts.json');
const bareMessages = [
	'could not load configuration',
	'missing role',
	'role "deploy" could not be found',
	'role with oidc role_type is not allowed',
	'missing token',
	'error configuring token validator: unsupported config type',
	'unhandled case during login',
	'error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "https://x/" got "https://x"',
	'error validating token: error verifying token signature: no known key successfully validated the token signature',
	'error validating token: error verifying token signature: fetching keys oidc: get keys failed: 404 Not Found',
	'error validating token: error verifying token signature: go-jose/go-jose: compact JWS format must have three parts',
	'error parsing token: square/go-jose: compact JWS format must have three parts',
	'error validating token: token missing kid header parameter',
	'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
	'error validating token: invalid issuer (iss) claim',
	'error validating token: invalid subject (sub) claim',
	'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
	'audience claim found in JWT but no audiences bound to the role',
	'error validating token: go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience',
	'error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token',
	'error validating token: invalid not before (nbf) claim: token not yet valid',
	'error validating token: invalid expiration time (exp) claim: token is expired',
	'error validating token: invalid issued at (iat) claim: token issued in the future',
	'claim "email" not found in token',
	'claim "context-ids" could not be converted to string',
	"error converting claim 'run' to string",
	'failed to fetch groups: "groups" claim not found in token',
	'"groups" claim could not be converted to string list',
	'error validating claims: claim "project_id" is missing',
	'error validating claims: claim "project_id" does not match any associated bound claim values',
	'error validating claims: received claim is not a string, bool, int or list: map[a:x]',
	'request originated from invalid CIDR',
	'Code: 503. Errors:\n\n* Vault is sealed',
	'Code: 429. Errors:\n\n* request path "auth/jwt/login": rate limit quota exceeded',
	'Code: 404. Errors:\n\n* no handler for route "auth/x/login". route entry not found.',
	'Code: 403. Errors:\n\n* permission denied',
	'Put "https://vault.example.com:8200/v1/auth/jwt/login": dial tcp 203.0.113.10:8200: connect: connection refused',
	// A TLS error counts as Vault's only next to a sign of Vault (here the API path).
	'Get "https://vault.example.com:8200/v1/sys/health": x509: certificate signed by unknown authority',
];
const realMessages = [...bareMessages, ...corpus.map(entry => entry.text)];

/** A log line that cannot by itself name a problem: random text, then a line break. */
const logLine = fc
	.string({
		unit: fc.oneof(
			{weight: 6, arbitrary: fc.string({unit: 'binary', minLength: 1, maxLength: 1})},
			trickyCharacter,
		),
		maxLength: 60,
	})
	.filter(line => explainVaultError(line).problem === 'unknown');

type Wrapper = (text: string) => string;
const wrappers: Record<string, Wrapper> = {
	plain: text => text,
	'json string': text => JSON.stringify(text),
	'json log': text => JSON.stringify({level: 'error', '@message': text, time: '2024-01-01T00:00:00Z'}),
	'json log, escaped again': text => JSON.stringify(JSON.stringify({level: 'error', msg: text})),
	'json string, escaped twice': text => JSON.stringify(JSON.stringify(text)),
	'ansi colour': text => `\x1b[31;1m${text}\x1b[0m`,
	'ansi colour per line': text =>
		text
			.split('\n')
			.map(line => `\x1b[2K\x1b[1G\x1b[31m${line}\x1b[0m`)
			.join('\n'),
	crlf: text => text.replace(/\n/g, '\r\n'),
	'html entities': text =>
		text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;').replace(/</g, '&lt;'),
	// Docker's json-file driver: colour codes end up as \u001b inside a JSON string.
	'colour inside a JSON log': text => JSON.stringify({log: `\x1b[31m${text}\x1b[0m\n`, stream: 'stderr'}),
	'JSON log inside HTML entities': text =>
		JSON.stringify({msg: text}).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;'),
};

describe('explainVaultError never throws and names a known problem', () => {
	test('random text', () => {
		fc.assert(
			fc.property(randomText, text => {
				explainChecked(text);
			}),
			runs(3000),
		);
	});

	test('random JSON, JSON-escaped once, twice or three times', () => {
		fc.assert(
			fc.property(fc.jsonValue({maxDepth: 4}), fc.integer({min: 1, max: 3}), (value, times) => {
				let text = JSON.stringify(value);
				for (let pass = 1; pass < times; pass++) text = JSON.stringify(text);
				explainChecked(text);
			}),
			runs(800),
		);
	});

	test('ANSI escapes mixed into text', () => {
		fc.assert(
			fc.property(fc.array(fc.oneof(randomText, ansiSequence), {maxLength: 20}), pieces => {
				explainChecked(pieces.join(''));
			}),
			runs(600),
		);
	});

	test('1 MB inputs are explained, in time far from quadratic in their size', {timeout: 180_000}, () => {
		const shapes = fc.constantFrom('repeat', 'repeat + message', 'escapes', 'ansi', 'one line');
		fc.assert(
			fc.property(
				shapes,
				fc.string({unit: nastyUnit, minLength: 1, maxLength: 2000}),
				fc.constantFrom(...bareMessages),
				(shape, chunk, message) => {
					const make = (bytes: number) => {
						const filler = chunk.repeat(Math.ceil(bytes / chunk.length)).slice(0, bytes);
						return {
							repeat: () => filler,
							'repeat + message': () => `${filler}\n${message}\n${filler}`,
							escapes: () => '\\\\\\"\\n\\u00'.repeat(Math.ceil(bytes / 12)),
							ansi: () => `\x1b[31m${chunk}\x1b[0m`.repeat(Math.ceil(bytes / (chunk.length + 9))),
							'one line': () => `${'x'.repeat(bytes)} ${message}`,
						}[shape]();
					};
					const explanation = explainChecked(make(oneMegabyte));
					if (shape === 'one line') assert.equal(explanation.problem, explainVaultError(message).problem);
					assertLinear(`explainVaultError (${shape})`, oneMegabyte, make, text => explainVaultError(text));
				},
			),
			runs(10),
		);
	});

	test('real Vault messages keep their problem inside log lines, JSON escaping, ANSI colour and entities', () => {
		const expected = new Map(realMessages.map(message => [message, explainVaultError(message).problem]));
		for (const message of bareMessages) assert.notEqual(expected.get(message), 'unknown', message);
		fc.assert(
			fc.property(
				fc.constantFrom(...realMessages),
				fc.array(logLine, {maxLength: 3}),
				fc.array(logLine, {maxLength: 3}),
				fc.constantFrom(...Object.keys(wrappers)),
				(message, linesBefore, linesAfter, wrapperName) => {
					const logged = [...linesBefore, message, ...linesAfter].join('\n');
					const text = wrappers[wrapperName]!(logged);
					assert.equal(
						explainChecked(text).problem,
						expected.get(message),
						`${wrapperName}: ${JSON.stringify(text).slice(0, 300)}`,
					);
				},
			),
			runs(3000),
		);
	});

	test('regression: colour codes and entities inside JSON escaping are undone before matching', () => {
		// Found by fuzzing: normalize() stripped colours before undoing JSON escapes and decoded entities after.
		assert.equal(explainChecked('{"log":"\\u001b[31mmissing role\\u001b[0m"}').problem, 'role-missing');
		assert.equal(
			explainChecked('{&quot;msg&quot;:&quot;role \\&quot;deploy\\&quot; could not be found&quot;}').problem,
			'role-not-found',
		);
	});

	test('regression: adversarial repetitions of rule keywords (1 MB) take time linear in their size', {
		timeout: 120_000,
	}, () => {
		// Found by fuzzing: unbounded `[^\n]*` / `.*` between two keywords backtracked quadratically (1 MB of
		// "sealed " took about 3 minutes). A 16 KiB probe first, so a quadratic matcher fails fast instead of hanging.
		const words = [
			'sealed ',
			'503 ',
			'openid-configuration ',
			'CIRCLE_OIDC_TOKEN ',
			'request path ',
			'oidc token ',
			'token expired ',
			'login ',
			'auth/',
			'jwt=                   x',
			'\\u001b',
			'&quot;\\"',
			'role "',
			"claim '",
			"CEL role '",
			'token mac for ',
			'\n',
			'x\n',
			'\\n',
			'permission denied\n',
			'Code: 403\n\n',
		];
		for (const word of words) {
			const make = (bytes: number) =>
				`permission denied missing client token ${word.repeat(Math.ceil(bytes / word.length))}`;
			explainChecked(make(oneMegabyte / sizeFactor));
			assertLinear(`explainVaultError (${JSON.stringify(word)})`, oneMegabyte, make, text =>
				explainChecked(text),
			);
		}
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 3. simulateLogin
// ---------------------------------------------------------------------------------------------------------------

const edgeNumber = fc.constantFrom(
	1e308,
	-1e308,
	-0,
	0,
	2 ** 53 + 1,
	-(2 ** 53) - 1,
	Number.MAX_SAFE_INTEGER,
	Number.MIN_VALUE,
	-Number.MIN_VALUE,
	2 ** 63,
	-(2 ** 63),
	0.1,
	1.5,
	-1,
);
const anyNumber = fc.oneof(edgeNumber, fc.double({noNaN: true, noDefaultInfinity: true}), fc.integer());
const claimName = fc.oneof(
	{
		weight: 3,
		arbitrary: fc.constantFrom(
			'iss',
			'sub',
			'aud',
			'jti',
			'email',
			'groups',
			'repository',
			'project_id',
			'org',
			'creator_email',
			'oidc.circleci.com/context-ids',
			'a.b',
			'/groups',
			'/groups/0',
			'/nested/a/0x1',
			'/',
			'',
			'constructor',
			'__proto__',
		),
	},
	fc.string({maxLength: 8}),
);
const scalar = fc.oneof(fc.string({maxLength: 12}), anyNumber, fc.boolean(), fc.constant(null));
const {value: claimValue} = fc.letrec(tie => ({
	value: fc.oneof(
		{depthSize: 'small', withCrossShrink: true},
		scalar,
		fc.array(tie('value'), {maxLength: 4}),
		fc.dictionary(claimName, tie('value'), {maxKeys: 4}),
	),
}));
/** exp, nbf and iat: near now, anywhere a Date can print (±8.64e12 s), beyond it, and of the wrong type. */
const timeValue = fc.oneof(
	fc.integer({min: now - 100_000, max: now + 100_000}),
	fc.double({min: -8.6e12, max: 8.6e12, noNaN: true}),
	fc.constantFrom(0, -0, 1, now, null),
	edgeNumber,
	fc.string({maxLength: 6}),
	fc.boolean(),
	fc.array(scalar, {maxLength: 2}),
);
const timeClaims = fc.record({exp: timeValue, nbf: timeValue, iat: timeValue}, {requiredKeys: []});
const audience = fc.oneof(fc.constantFrom('vault', 'https://vault.example/'), fc.string({maxLength: 8}));
const claims = fc
	.tuple(
		fc.dictionary(
			claimName.filter(name => !['exp', 'nbf', 'iat'].includes(name)),
			claimValue,
			{maxKeys: 8},
		),
		fc.record(
			{
				iss: fc.oneof(fc.constant('https://issuer.example'), scalar),
				sub: fc.oneof(fc.constant('repo:octo/app'), scalar),
				aud: fc.oneof(audience, fc.array(audience, {maxLength: 3}), scalar),
			},
			{requiredKeys: []},
		),
		timeClaims,
	)
	.map(([random, registered, times]) => ({...random, ...registered, ...times}));

const boundValue = fc.oneof(
	fc.string({maxLength: 10}),
	fc.constantFrom('repo:*', '*', 'octo/*', 'dev', 'vault', ''),
	anyNumber,
	fc.boolean(),
	fc.constant(null),
	fc.array(fc.oneof(scalar, fc.constantFrom('*', 'dev')), {maxLength: 4}),
	fc.dictionary(fc.string({maxLength: 4}), scalar, {maxKeys: 3}),
	fc.array(
		fc.oneof(
			fc.array(scalar, {maxLength: 2}),
			fc.dictionary(fc.string({maxLength: 3}), scalar, {maxKeys: 2}),
		),
		{
			maxLength: 2,
		},
	),
);
const leeway = fc.oneof(
	anyNumber,
	fc.constantFrom('90s', '-1s', '1h30m', '1.5h', '0', '-5', '1e3', 'abc', '', ' 45 ', '9007199254740993'),
	fc.string({maxLength: 6}),
);
const role = fc.record(
	{
		role_type: fc.constantFrom('jwt', 'oidc', '', 'JWT'),
		user_claim: claimName,
		user_claim_json_pointer: fc.oneof(fc.boolean(), fc.constant('true')),
		bound_audiences: fc.oneof(fc.array(audience, {maxLength: 3}), audience),
		bound_subject: fc.oneof(fc.constantFrom('repo:octo/app', 'repo:*'), fc.string({maxLength: 8})),
		bound_claims: fc.dictionary(claimName, boundValue, {maxKeys: 4}),
		bound_claims_type: fc.oneof(fc.constantFrom('string', 'glob'), fc.string({maxLength: 4})),
		groups_claim: fc.oneof(fc.constantFrom('groups', '/groups', ''), claimName),
		claim_mappings: fc.dictionary(claimName, fc.string({maxLength: 6}), {maxKeys: 3}),
		expiration_leeway: leeway,
		not_before_leeway: leeway,
		clock_skew_leeway: leeway,
		token_bound_cidrs: fc.array(fc.constantFrom('10.0.0.0/8', '192.168.0.1/32'), {maxLength: 2}),
	},
	{requiredKeys: []},
);
const config = fc.oneof(
	fc.constant(undefined),
	fc.constant(null),
	fc.record(
		{
			bound_issuer: fc.oneof(fc.constant('https://issuer.example'), fc.string({maxLength: 8})),
			jwt_supported_algs: fc.oneof(
				fc.array(fc.constantFrom('RS256', 'ES256', 'HS256', 'none', 'EdDSA'), {maxLength: 3}),
				fc.constant('RS256,ES256'),
			),
			oidc_discovery_url: fc.constantFrom('https://issuer.example', ''),
			oidc_client_id: fc.constantFrom('', 'vault'),
			jwks_url: fc.constantFrom('', 'https://issuer.example/jwks'),
			jwt_validation_pubkeys: fc.constantFrom([], ['not a pem'], ['static']),
			default_role: fc.oneof(fc.constant('Deploy'), fc.string({maxLength: 4})),
			provider_config: fc.constantFrom({}, {provider: 'azure'}),
		},
		{requiredKeys: []},
	),
);
const pluginVersion = fc.oneof(
	fc.constant(undefined),
	fc.constantFrom(
		'',
		'v0.5.0',
		'v0.8.2+builtin',
		'v0.9.0',
		'v0.16.1',
		'v0.17.6',
		'v0.19.0',
		'v0.20.3+builtin',
		'v0.26.3',
		'1.4.0',
		'1.16.3',
		'v2.1.0+builtin.bao',
		'2.5.0-bao',
		'v999999999999999999999.0.0',
	),
	fc.string({maxLength: 16}),
);

/**
The first failure decides the verdict: allowed exactly when there is no Vault error, and that error is the first
failing check's message. Only a Go panic (two lists or two objects compared) has no HTTP status: Vault answers
nothing.
*/
function assertVerdict(result: SimulateLoginResult): Check | undefined {
	assert.ok(Array.isArray(result.checks) && result.checks.length > 0, 'there are always checks');
	for (const check of result.checks) {
		assert.ok(['pass', 'warn', 'fail', 'skip'].includes(check.status));
		if (check.problem !== undefined) assert.ok(knownProblems.has(check.problem), check.problem);
		if (check.status === 'fail') {
			assert.ok(check.problem !== undefined, `${check.id} fails without a problem`);
			assert.ok(check.vaultMessage, `${check.id} fails without a Vault message`);
		}
	}

	const first = result.checks.find(check => check.status === 'fail');
	assert.equal(result.allowed, first === undefined);
	assert.equal(result.allowed, result.vaultError === null, 'allowed exactly when there is no Vault error');
	assert.equal(result.vaultError, first?.vaultMessage ?? null);
	assert.ok(result.identity === null || result.allowed, 'no identity for a refused login');
	if (result.allowed) assert.equal(result.httpStatus, null);
	else if (result.httpStatus === null) assert.match(first!.id, /^login\.bound-claims\//);
	return first;
}

describe('simulateLogin never throws and its verdict is its first failing check', () => {
	test('random claims, roles, configs and plugin versions', async () => {
		await fc.assert(
			fc.asyncProperty(
				claims,
				role,
				config,
				pluginVersion,
				fc.option(fc.string({maxLength: 8}), {nil: undefined}),
				fc.constantFrom('object', 'role json text', 'envelope'),
				async (tokenClaims, roleData, configData, version, roleName, roleForm) => {
					const roleInput: SimulateLoginInput['role'] =
						roleForm === 'object'
							? roleData
							: roleForm === 'envelope'
								? {request_id: 'x', data: roleData}
								: JSON.stringify(roleData);
					const result = await simulateLogin({
						token: {claims: tokenClaims},
						role: roleInput,
						config: configData,
						now,
						...(version === undefined ? {} : {pluginVersion: version}),
						...(roleName === undefined ? {} : {roleName}),
					});
					assertVerdict(result);
				},
			),
			runs(1500),
		);
	});

	test('compact tokens (random, unsigned and really signed) against static keys', async () => {
		const token = fc.oneof(
			fc.constant('signed'),
			randomText,
			fc.tuple(header, claims).map(([head, payload]) => compactOf(head, payload, 'c2ln')),
		);
		await fc.assert(
			fc.asyncProperty(token, role, pluginVersion, fc.boolean(), async (raw, roleData, version, withKey) => {
				const result = await simulateLogin({
					token: raw === 'signed' ? signedToken : raw,
					role: roleData,
					config: {
						jwt_validation_pubkeys: withKey ? [signingPem] : ['junk'],
						bound_issuer: 'https://issuer.example',
					},
					now,
					...(version === undefined ? {} : {pluginVersion: version}),
				});
				assertVerdict(result);
			}),
			runs(400),
		);
	});

	test('regression: comparing two lists (a Go panic) still gives a Vault error', async () => {
		// Found by fuzzing: the panic case failed the login with vaultError null.
		const result = await simulateLogin({
			token: {claims: {sub: 's', iat: now - 10, exp: now + 300, x: [['a']]}},
			role: {role_type: 'jwt', user_claim: 'sub', bound_claims: {x: [['a']]}},
			now,
		});
		assert.equal(result.allowed, false);
		assert.notEqual(result.vaultError, null);
		assertVerdict(result);
	});

	test('regression: time claims outside the Date range (±1e308, 2^53+1) do not crash the model', async () => {
		// Found by fuzzing: formatTime threw RangeError: Invalid time value.
		for (const name of ['exp', 'nbf', 'iat']) {
			for (const value of [1e308, -1e308, 2 ** 53 + 1, 8.64e12 + 1, -1e13]) {
				assertVerdict(
					await simulateLogin({
						token: {claims: {sub: 's', iat: now - 10, exp: now + 100, [name]: value}},
						role: {role_type: 'jwt', user_claim: 'sub'},
						now,
					}),
				);
			}
		}
	});

	const deepToken = (opener: string, closer: string) =>
		`${base64url('{"alg":"RS256"}')}.${base64url(`{"sub":"s","iat":${now - 10},"deep":${opener.repeat(5000)}1${closer.repeat(5000)}}`)}.c2ln`;
	const deepShapes = [
		['[', ']'],
		['{"a":', '}'],
	] as const;

	test('regression: claims nested 5,000 deep (Go decodes up to 10,000) do not overflow the stack', async () => {
		// Found by fuzzing: toClaimValue recursed, and about 2,600 levels overflowed the stack.
		for (const [opener, closer] of deepShapes) {
			const result = await simulateLogin({
				token: deepToken(opener, closer),
				role: {role_type: 'jwt', user_claim: 'sub', claim_mappings: {deep: 'deep'}, bound_claims: {sub: 's'}},
				now,
			});
			assertVerdict(result);
		}
	});

	test('a role that reads a claim nested 5,000 deep (bound_claims, groups_claim) does not overflow the stack', async () => {
		for (const [opener, closer] of deepShapes) {
			for (const extra of [
				{bound_claims: {deep: 'x'}},
				{bound_claims: {'/deep/0': 'x'}},
				{groups_claim: 'deep'},
			]) {
				assertVerdict(
					await simulateLogin({
						token: deepToken(opener, closer),
						role: {role_type: 'jwt', user_claim: 'sub', ...extra},
						now,
					}),
				);
			}
		}
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 4. Unicode look-alike claim names
// ---------------------------------------------------------------------------------------------------------------

const baseNames = ['sub', 'iss', 'aud', 'email', 'groups', 'repository', 'project_id', 'kid'];
const lookAlike = fc.tuple(fc.constantFrom(...baseNames), fc.nat()).map(([name, pick]) => {
	const variants = [
		name.replace('s', 'ſ'), // LATIN SMALL LETTER LONG S: uppercases to S
		name.replace('k', '\u212a'), // KELVIN SIGN
		[...name.toUpperCase()].map(character => String.fromCharCode(character.charCodeAt(0) + 0xfee0)).join(''), // ＩＳＳ
		[...name].map(character => String.fromCharCode(character.charCodeAt(0) + 0xfee0)).join(''),
		`${name}\u200b`,
		`\u200d${name}`,
		`${name}\ufeff`,
		name.replace('i', 'ı'), // dotless i
		name.replace('e', 'е').replace('o', 'о').replace('a', 'а').replace('p', 'р'), // Cyrillic
		`${name.slice(0, 1)}\u0301${name.slice(1)}`, // combining acute accent
		name.replace('u', 'ü').normalize('NFD'),
		name.toUpperCase(),
		` ${name}`,
		`${name} `,
		name.normalize('NFKD') === name ? `${name}\u00ad` : name.normalize('NFKD'), // soft hyphen
	].filter(variant => variant !== name);
	return {name, variant: variants[pick % variants.length]!};
});

describe('Unicode look-alike claim names are distinct literal keys', () => {
	test('a binding on a name never matches a token that only has a look-alike (and the reverse)', async () => {
		await fc.assert(
			fc.asyncProperty(
				lookAlike,
				fc.boolean(),
				fc.string({minLength: 1, maxLength: 8}),
				async ({name, variant}, reverse, value) => {
					const [tokenKey, boundKey] = reverse ? [name, variant] : [variant, name];
					const tokenClaims: Record<string, unknown> = {
						exp: now + 300,
						iat: now - 10,
						uid: 'u',
						[tokenKey]: value,
					};
					const result = await simulateLogin({
						token: {claims: tokenClaims},
						role: {role_type: 'jwt', user_claim: 'uid', bound_claims: {[boundKey]: value}},
						now,
						pluginVersion: 'v0.26.3',
					});
					assertVerdict(result);
					const binding = result.checks.find(check => check.id === `login.bound-claims/${boundKey}`);
					assert.equal(binding?.status, 'fail');
					assert.equal(binding?.problem, 'bound-claim-missing');
					assert.equal(result.allowed, false);

					const asUserClaim = await simulateLogin({
						token: {claims: tokenClaims},
						role: {role_type: 'jwt', user_claim: boundKey},
						now,
					});
					assert.equal(
						asUserClaim.checks.find(check => check.id === 'login.user-claim')?.problem,
						'user-claim-missing',
					);

					const decoded = inspectToken(compactOf({alg: 'RS256'}, tokenClaims, 'c2ln'));
					assert.ok(decoded.ok);
					assert.ok(Object.hasOwn(decoded.claims, tokenKey));
					assert.ok(!Object.hasOwn(decoded.claims, boundKey));
				},
			),
			runs(300),
		);
	});

	test('a look-alike of a registered claim is not that claim', async () => {
		await fc.assert(
			fc.asyncProperty(
				lookAlike.filter(({name}) => name === 'sub' || name === 'iss' || name === 'aud'),
				async ({name, variant}) => {
					const result = await simulateLogin({
						token: {claims: {exp: now + 300, uid: 'u', [variant]: name === 'aud' ? ['vault'] : 'x'}},
						role: {role_type: 'jwt', user_claim: 'uid', bound_subject: 'x', bound_audiences: ['vault']},
						config: {bound_issuer: 'x', jwt_validation_pubkeys: ['static']},
						now,
					});
					const id = {sub: 'login.subject', iss: 'login.issuer', aud: 'login.audience'}[name]!;
					assert.equal(
						result.checks.find(check => check.id === id)?.status,
						'fail',
						`${JSON.stringify(variant)} counted as ${name}`,
					);
				},
			),
			runs(100),
		);
	});

	test('regression: a user_claim named like an Object.prototype member is missing when the token lacks it', async () => {
		// Found by fuzzing: token.claims[userClaim] read inherited members, so "toString" was a non-string claim.
		for (const userClaim of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
			const result = await simulateLogin({
				token: {claims: {sub: 's', iat: now - 10, exp: now + 300}},
				role: {role_type: 'jwt', user_claim: userClaim},
				now,
			});
			assert.equal(
				result.checks.find(check => check.id === 'login.user-claim')?.problem,
				'user-claim-missing',
				userClaim,
			);
		}
	});
});

// ---------------------------------------------------------------------------------------------------------------
// 5. goGlob against an independent oracle
// ---------------------------------------------------------------------------------------------------------------

function oracle(pattern: string, subject: string): boolean {
	const source = pattern
		.split('*')
		.map(part => part.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))
		.join('[\\s\\S]*');
	return new RegExp(`^${source}$`).test(subject);
}

describe('goGlob', () => {
	const alphabet = fc.constantFrom('a', 'b', 'ab', '*', '?', '[', ']', '.', '\n', '\\', '^', '$', '😀');
	const text = fc.string({unit: alphabet, maxLength: 12});

	test('agrees with a regex oracle on random patterns and subjects', () => {
		fc.assert(
			fc.property(text, text, (pattern, subject) => {
				assert.equal(goGlob(pattern, subject), oracle(pattern, subject));
			}),
			runs(5000),
		);
	});

	test('agrees with the oracle on subjects built to match (each * filled in)', () => {
		fc.assert(
			fc.property(text, fc.array(text, {minLength: 13, maxLength: 13}), text, (pattern, fillings, noise) => {
				let index = 0;
				const subject = pattern.replace(/\*/g, () => fillings[index++] ?? '');
				assert.ok(
					goGlob(pattern, subject),
					`${JSON.stringify(pattern)} should match ${JSON.stringify(subject)}`,
				);
				assert.equal(oracle(pattern, subject), true);
				const spoiled = `${subject}${noise}`;
				assert.equal(goGlob(pattern, spoiled), oracle(pattern, spoiled));
			}),
			runs(3000),
		);
	});
});
