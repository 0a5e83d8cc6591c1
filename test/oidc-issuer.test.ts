import assert from 'node:assert/strict';
import {execFile} from 'node:child_process';
import {mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {delimiter, join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {createLocalJWKSet, decodeProtectedHeader, importSPKI, jwtVerify} from 'jose';
import {Agent} from 'undici';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';

const claims = {sub: 'project:abc', aud: 'vault', iat: 1_700_000_000, exp: 4_100_000_000};

const getJson = async (url: string) => {
	const response = await fetch(url);
	return {response, body: (await response.json()) as Record<string, unknown>};
};

describe('oidc issuer fixture over http with a path', () => {
	let issuer: TestIssuer;
	before(async () => {
		issuer = await startIssuer({path: '/org/abc', kid: 'k1'});
	});
	after(() => issuer.close());

	test('serves discovery and a JWKS of the signing key', async () => {
		assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+\/org\/abc$/);
		assert.equal(issuer.discoveryUrl, `${issuer.issuer}/.well-known/openid-configuration`);
		const discovery = await getJson(issuer.discoveryUrl);
		assert.equal(discovery.response.headers.get('content-type'), 'application/json');
		assert.deepEqual(discovery.body, {
			issuer: issuer.issuer,
			jwks_uri: `${issuer.issuer}/.well-known/jwks.json`,
			response_types_supported: ['id_token'],
			subject_types_supported: ['public'],
			id_token_signing_alg_values_supported: ['RS256'],
			claims_supported: discovery.body['claims_supported'],
		});
		const jwks = await getJson(issuer.jwksUrl);
		assert.deepEqual(jwks.body, issuer.publicJwks());
		const [key] = issuer.publicJwks().keys;
		assert.equal(key?.['kid'], 'k1');
		assert.equal(key?.['alg'], 'RS256');
		assert.equal(key?.['use'], 'sig');
		assert.equal(key?.['kty'], 'RSA');
		assert.equal(key?.['d'], undefined, 'no private parts');
		assert.deepEqual(issuer.requests.slice(-2), [
			'/org/abc/.well-known/openid-configuration',
			'/org/abc/.well-known/jwks.json',
		]);
	});

	test('sign() makes tokens that verify against the JWKS and the PEM', async () => {
		const token = await issuer.sign({...claims, iss: issuer.issuer});
		assert.deepEqual(decodeProtectedHeader(token), {alg: 'RS256', kid: 'k1'});
		const {payload} = await jwtVerify(token, createLocalJWKSet(issuer.publicJwks()), {
			issuer: issuer.issuer,
			audience: 'vault',
		});
		assert.equal(payload.sub, 'project:abc');
		await jwtVerify(token, await importSPKI(await issuer.publicKeyPem(), 'RS256'));
		const custom = await issuer.sign(claims, {kid: null, header: {typ: 'JWT'}});
		assert.deepEqual(decodeProtectedHeader(custom), {alg: 'RS256', typ: 'JWT'});
		const ps = await issuer.sign(claims, {alg: 'PS256'});
		assert.equal(decodeProtectedHeader(ps).alg, 'PS256');
		assert.match(await issuer.sign(claims, {alg: 'none'}), /^eyJ[\w-]+\.eyJ[\w-]+\.$/);
	});

	test('rotated serves only a new key, so old tokens no longer verify', async () => {
		const token = await issuer.sign(claims);
		issuer.faults.rotated = true;
		try {
			const [key] = issuer.publicJwks().keys;
			assert.equal(key?.['kid'], 'k1-next');
			await assert.rejects(jwtVerify(token, createLocalJWKSet(issuer.publicJwks())), {
				code: 'ERR_JWKS_NO_MATCHING_KEY',
			});
		} finally {
			issuer.faults = {};
		}
	});

	test('omitKid drops kid from the JWKS', async () => {
		issuer.faults.omitKid = true;
		try {
			const {body} = await getJson(issuer.jwksUrl);
			const keys = body['keys'] as Array<Record<string, unknown>>;
			assert.equal(keys.length, 1);
			assert.equal('kid' in (keys[0] ?? {}), false);
			await jwtVerify(await issuer.sign(claims, {kid: null}), createLocalJWKSet(issuer.publicJwks()));
		} finally {
			issuer.faults = {};
		}
	});

	test('discovery and JWKS faults', async () => {
		try {
			issuer.faults = {issuerOverride: 'https://elsewhere.example', jwksNotJson: true};
			assert.equal((await getJson(issuer.discoveryUrl)).body['issuer'], 'https://elsewhere.example');
			const notJson = await fetch(issuer.jwksUrl);
			assert.equal(notJson.status, 200);
			await assert.rejects(notJson.json(), SyntaxError);

			issuer.faults = {discoveryStatus: 404, jwksStatus: 503};
			const missing = await fetch(issuer.discoveryUrl);
			assert.equal(missing.status, 404);
			assert.match(missing.headers.get('content-type') ?? '', /^text\/html/);
			assert.match(await missing.text(), /<html>.*Not Found/);
			const unavailable = await fetch(issuer.jwksUrl);
			assert.equal(unavailable.status, 503);
			assert.match(await unavailable.text(), /Service Unavailable/);

			issuer.faults = {discoveryHtml: true};
			const login = await fetch(issuer.discoveryUrl);
			assert.equal(login.status, 200);
			assert.match(login.headers.get('content-type') ?? '', /^text\/html/);
			assert.match(await login.text(), /<form/);

			issuer.faults = {wrongContentType: true};
			const plain = await getJson(issuer.discoveryUrl);
			assert.match(plain.response.headers.get('content-type') ?? '', /^text\/plain/);
			assert.equal(plain.body['issuer'], issuer.issuer);

			issuer.faults = {hugeBodyBytes: 200_000};
			const huge = await fetch(issuer.discoveryUrl);
			assert.equal(huge.headers.get('content-length'), '200000');
			assert.equal(((await huge.json()) as {issuer: string}).issuer, issuer.issuer);

			issuer.faults = {redirectTo: 'https://login.example/sso'};
			const redirect = await fetch(issuer.discoveryUrl, {redirect: 'manual'});
			assert.equal(redirect.status, 302);
			assert.equal(redirect.headers.get('location'), 'https://login.example/sso');

			issuer.faults = {redirectLoop: true};
			const loop = await fetch(issuer.discoveryUrl, {redirect: 'manual'});
			assert.equal(loop.headers.get('location'), issuer.discoveryUrl);
			await assert.rejects(fetch(issuer.discoveryUrl), TypeError);

			issuer.faults = {};
			issuer.jwksUrl = 'https://keys.example/jwks';
			assert.equal((await getJson(issuer.discoveryUrl)).body['jwks_uri'], 'https://keys.example/jwks');
		} finally {
			issuer.faults = {};
			issuer.jwksUrl = `${issuer.issuer}/.well-known/jwks.json`;
		}
	});

	test('delayMs holds every answer', async () => {
		issuer.faults.delayMs = 300;
		try {
			// Ordering, not timing: a timer started after the request, for half the delay, fires first.
			const first = await Promise.race([
				getJson(issuer.jwksUrl).then(() => 'answer'),
				new Promise(resolve => setTimeout(resolve, 150, 'timer')),
			]);
			assert.equal(first, 'timer');
		} finally {
			issuer.faults = {};
		}
	});
});

test('other algorithms sign and verify', async () => {
	for (const alg of ['ES256', 'EdDSA'] as const) {
		const issuer = await startIssuer({alg});
		try {
			const {keys} = (await getJson(issuer.jwksUrl)).body as {keys: Array<Record<string, unknown>>};
			assert.equal(keys[0]?.['alg'], alg);
			assert.equal(keys[0]?.['kid'], issuer.kid);
			await jwtVerify(await issuer.sign(claims), createLocalJWKSet({keys}));
			await jwtVerify(await issuer.sign(claims), await importSPKI(await issuer.publicKeyPem(), alg));
		} finally {
			await issuer.close();
		}
	}
});

// The 10 s guard, against a request held for 30 s, is what shows that close() does not wait for it.
test('neverEnd is cut by an AbortSignal and close() does not wait for hanging requests', {
	timeout: 10_000,
}, async () => {
	const issuer = await startIssuer();
	issuer.faults.neverEnd = true;
	const response = await fetch(issuer.discoveryUrl, {signal: AbortSignal.timeout(300)});
	assert.equal(response.status, 200);
	await assert.rejects(response.text(), (error: Error) => /abort|timeout/i.test(error.name));
	issuer.faults.delayMs = 30_000;
	void fetch(issuer.jwksUrl).catch(() => {});
	await new Promise(resolve => setTimeout(resolve, 50));
	await issuer.close();
});

describe('oidc issuer fixture over https', () => {
	let issuer: TestIssuer;
	let agent: Agent;
	before(async () => {
		issuer = await startIssuer({tls: true, path: 'tenant/'});
		assert.ok(issuer.caPem);
		agent = new Agent({connect: {ca: issuer.caPem}});
	});
	after(async () => {
		await agent.close();
		await issuer.close();
	});

	test('works with the CA and fails without it', async () => {
		assert.match(issuer.issuer, /^https:\/\/127\.0\.0\.1:\d+\/tenant$/);
		const response = await fetch(issuer.discoveryUrl, {dispatcher: agent} as RequestInit);
		assert.equal(((await response.json()) as {issuer: string}).issuer, issuer.issuer);
		await assert.rejects(fetch(issuer.discoveryUrl), (error: Error & {cause?: {code?: string}}) => {
			assert.match(String(error.cause?.code), /CERT|VERIFY|SELF_SIGNED/);
			return true;
		});
	});
});

describe('stub executables', () => {
	const bin = fileURLToPath(new URL('./fixtures/bin', import.meta.url));
	let directory: string;
	before(async () => {
		directory = await mkdtemp(join(tmpdir(), 'vault-doctor-stubs-'));
	});
	after(() => rm(directory, {recursive: true, force: true}));

	const run = (command: string, args: string[], env: Record<string, string>, timeout = 5000) =>
		new Promise<{code: number | null; stdout: string; stderr: string; signal: string | null}>(resolve => {
			execFile(
				command,
				args,
				{env: {...process.env, PATH: `${bin}${delimiter}${process.env['PATH'] ?? ''}`, ...env}, timeout},
				(error, stdout, stderr) => {
					const failure = error as (Error & {code?: number; signal?: string}) | null;
					resolve({
						code: failure ? (typeof failure.code === 'number' ? failure.code : null) : 0,
						signal: failure?.signal ?? null,
						stdout,
						stderr,
					});
				},
			);
		});

	test('ona prints the token, records its arguments and fails like the real CLI', async () => {
		const argsFile = join(directory, 'ona-args');
		const env = {ONA_STUB_TOKEN: 'eyJ.ona.token', ONA_STUB_ARGS_FILE: argsFile};
		const ok = await run('ona', ['idp', 'token', '--audience', 'vault', '--decode'], env);
		assert.deepEqual(ok, {code: 0, signal: null, stdout: 'eyJ.ona.token\n', stderr: ''});
		const notLoggedIn = await run('ona', ['idp', 'token', '--audience', 'x y'], {
			...env,
			ONA_STUB_MODE: 'not-logged-in',
		});
		assert.equal(notLoggedIn.code, 1);
		assert.equal(notLoggedIn.stdout, '');
		assert.equal(notLoggedIn.stderr, 'Error: not logged in. Run "ona login" first.\n');
		const noEnv = await run('ona', ['idp', 'token'], {...env, ONA_STUB_MODE: 'no-env'});
		assert.equal(noEnv.code, 1);
		assert.equal(noEnv.stderr, 'Error: not running in an Ona environment\n');
		assert.equal(
			await readFile(argsFile, 'utf8'),
			'idp token --audience vault --decode\nidp token --audience x y\nidp token\n',
		);
	});

	test('ona hang mode hangs until killed', {timeout: 20_000}, async () => {
		const hung = await run('ona', ['idp', 'token'], {ONA_STUB_MODE: 'hang'}, 300);
		assert.equal(hung.signal, 'SIGTERM');
	});

	test('circleci and buildkite-agent print their tokens and record arguments', async () => {
		const circleArgs = join(directory, 'circleci-args');
		const circle = await run('circleci', ['run', 'oidc', 'get', '--claims', '{"aud":"vault"}'], {
			CIRCLECI_STUB_TOKEN: 'eyJ.circle.token',
			CIRCLECI_STUB_ARGS_FILE: circleArgs,
		});
		assert.deepEqual(circle, {code: 0, signal: null, stdout: 'eyJ.circle.token\n', stderr: ''});
		assert.equal(await readFile(circleArgs, 'utf8'), 'run oidc get --claims {"aud":"vault"}\n');
		const outside = await run('circleci', ['run', 'oidc', 'get'], {CIRCLECI_STUB_MODE: 'outside-job'});
		assert.equal(outside.code, 1);
		assert.equal(outside.stderr, 'Error: this command can only be run inside a CircleCI job\n');

		const buildkiteArgs = join(directory, 'buildkite-args');
		const buildkite = await run('buildkite-agent', ['oidc', 'request-token', '--audience', 'vault'], {
			BUILDKITE_STUB_TOKEN: 'eyJ.buildkite.token',
			BUILDKITE_STUB_ARGS_FILE: buildkiteArgs,
		});
		assert.deepEqual(buildkite, {code: 0, signal: null, stdout: 'eyJ.buildkite.token\n', stderr: ''});
		assert.equal(await readFile(buildkiteArgs, 'utf8'), 'oidc request-token --audience vault\n');
	});
});
