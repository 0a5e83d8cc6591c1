import assert from 'node:assert/strict';
import {after, before, beforeEach, test} from 'node:test';
import type {Check} from '../source/core/check.js';
import {reachIssuer} from '../source/core/doctor/steps/issuer.js';
import {parseConfig} from '../source/core/login/config.js';
import {defaultHttpSettings, type HttpSettings} from '../source/core/probes/http.js';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';

let plain: TestIssuer;
let secure: TestIssuer;
const http: HttpSettings = {...defaultHttpSettings, timeoutMs: 1500};
const now = () => Math.floor(Date.now() / 1000);

before(async () => {
	plain = await startIssuer({path: '/org/7d1f'});
	secure = await startIssuer({tls: true, alg: 'ES256'});
});

after(async () => {
	await plain.close();
	await secure.close();
});

beforeEach(() => {
	plain.faults = {};
	secure.faults = {};
});

async function probe(
	issuer: TestIssuer,
	options: {config?: Record<string, unknown>; kid?: string | null; settings?: HttpSettings} = {},
) {
	const token = await issuer.sign(
		{iss: issuer.issuer, sub: 's', exp: now() + 300},
		{...(options.kid === undefined ? {} : {kid: options.kid})},
	);
	const [header] = token.split('.');
	return reachIssuer({
		iss: issuer.issuer,
		header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
		compact: token,
		...(options.config ? {config: parseConfig(options.config)} : {}),
		http: options.settings ?? http,
	});
}

const find = (checks: Check[], id: string) => {
	const check = checks.find(item => item.id === id);
	assert.ok(check, `no check ${id} in ${checks.map(item => item.id).join(', ')}`);
	return check;
};

test('a healthy issuer: discovery, JWKS with the kid, signature verified, in two requests', async () => {
	const result = await probe(plain, {config: {oidc_discovery_url: plain.issuer}});
	assert.deepEqual(
		result.checks.filter(check => check.status === 'fail'),
		[],
	);
	assert.equal(find(result.checks, 'issuer.signature').status, 'pass');
	assert.equal(result.discoveryIssuer, plain.issuer);
	assert.equal(result.urls.length, 2);
	assert.equal(find(result.checks, 'issuer.from-vault').status, 'skip');
	assert.match(
		find(result.checks, 'issuer.from-vault').message,
		/On a Vault server run: curl -sS http:\/\/127\.0\.0\.1:\d+\/org\/7d1f\/\.well-known\/openid-configuration/,
	);
});

test('HTTPS with the issuer CA given; without it the failure is discovery-tls', async () => {
	const trusted = await probe(secure, {settings: {...http, extraCa: [secure.caPem!]}});
	assert.equal(find(trusted.checks, 'issuer.signature').status, 'pass');
	const untrusted = await probe(secure);
	const discovery = find(untrusted.checks, 'issuer.discovery');
	assert.deepEqual([discovery.status, discovery.problem], ['fail', 'discovery-tls']);
	assert.match(discovery.hint ?? '', /--ca-file/);
	const viaVaultCa = await probe(secure, {
		config: {oidc_discovery_url: secure.issuer, oidc_discovery_ca_pem: secure.caPem},
	});
	assert.equal(
		find(viaVaultCa.checks, 'issuer.discovery').status,
		'pass',
		'the CA Vault is configured with is trusted too',
	);
});

test('the discovery document names another issuer: a trailing slash is called out', async () => {
	plain.faults.issuerOverride = `${plain.issuer}/`;
	const result = await probe(plain, {config: {oidc_discovery_url: plain.issuer}});
	const discovery = find(result.checks, 'issuer.discovery');
	assert.deepEqual([discovery.status, discovery.problem], ['fail', 'discovery-issuer-mismatch']);
	assert.match(discovery.message, /only a trailing slash differs/);
	assert.equal(
		discovery.vaultMessage,
		`error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "${plain.issuer}" got "${plain.issuer}/"`,
	);
});

test('HTML instead of JSON, a 404 page, and a JWKS that is not JSON', async () => {
	plain.faults.discoveryHtml = true;
	assert.match(
		find((await probe(plain)).checks, 'issuer.discovery').message,
		/answered 200 but with an HTML page/,
	);
	plain.faults = {discoveryStatus: 404};
	const notFound = find((await probe(plain)).checks, 'issuer.discovery');
	assert.deepEqual([notFound.problem, notFound.actual], ['discovery-unreachable', 404]);
	assert.match(notFound.message, /HTTP 404 with an HTML page/);
	plain.faults = {jwksNotJson: true};
	assert.equal(find((await probe(plain)).checks, 'issuer.jwks').problem, 'jwks-unavailable');
	plain.faults = {jwksStatus: 503};
	assert.match(find((await probe(plain)).checks, 'issuer.jwks').message, /HTTP 503/);
});

test('kid problems: rotated keys and a JWKS without kids are signature problems, said plainly', async () => {
	plain.faults.rotated = true;
	const rotated = find((await probe(plain)).checks, 'issuer.jwks');
	assert.deepEqual([rotated.status, rotated.problem], ['fail', 'signature-invalid']);
	assert.match(rotated.message, /rotated its keys/);
	plain.faults = {omitKid: true};
	assert.match(find((await probe(plain)).checks, 'issuer.jwks').message, /JWKS keys have no kid/);
	const noKidToken = await probe(plain, {kid: null});
	assert.equal(
		find(noKidToken.checks, 'issuer.signature').status,
		'pass',
		'without a kid every key is tried',
	);
});

test('slow, endless and huge answers end within their bounds', {timeout: 30_000}, async () => {
	const fast: HttpSettings = {...http, timeoutMs: 300};
	plain.faults.delayMs = 2000;
	const slow = find((await probe(plain, {settings: fast})).checks, 'issuer.discovery');
	assert.match(slow.message, /no complete answer within 300 ms/);
	plain.faults = {neverEnd: true};
	assert.match(
		find((await probe(plain, {settings: fast})).checks, 'issuer.discovery').message,
		/within 300 ms/,
	);
	plain.faults = {hugeBodyBytes: 3 * 1024 * 1024};
	assert.match(find((await probe(plain)).checks, 'issuer.discovery').message, /limit/);
	plain.faults = {redirectLoop: true};
	assert.match(find((await probe(plain)).checks, 'issuer.discovery').message, /more than 5 redirects/);
});

test('configuration mistakes: a doubled .well-known path, a mount trusting another CircleCI organization', async () => {
	const doubled = await probe(plain, {config: {oidc_discovery_url: plain.discoveryUrl}});
	assert.match(find(doubled.checks, 'issuer.discovery').message, /already contains a \/\.well-known\/ path/);
	const other = await probe(plain, {config: {oidc_discovery_url: 'https://oidc.circleci.com/org/other-org'}});
	const trusts = find(other.checks, 'issuer.vault-trusts');
	assert.deepEqual([trusts.status, trusts.problem], ['fail', 'signature-invalid']);
	const staticKeys = await probe(plain, {config: {jwt_validation_pubkeys: ['-----BEGIN PUBLIC KEY-----']}});
	assert.equal(find(staticKeys.checks, 'issuer.discovery').status, 'skip');
});

test('a refused port is discovery-unreachable with the address', async () => {
	const result = await reachIssuer({iss: 'http://127.0.0.1:9', header: {alg: 'RS256'}, http});
	const discovery = find(result.checks, 'issuer.discovery');
	assert.deepEqual([discovery.problem, /refused/.test(discovery.message)], ['discovery-unreachable', true]);
});
