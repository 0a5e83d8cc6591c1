/* The Issuer checks judged from fetch outcomes made by hand: no HTTP, no issuer server. */
import assert from 'node:assert/strict';
import {before, test} from 'node:test';
import {issuerRequest, issuerRoute} from '../source/core/doctor/issuer-route.js';
import {judgeIssuer} from '../source/core/doctor/issuer-verdict.js';
import {parseConfig} from '../source/core/login/config.js';
import {HttpFailure, type HttpResponse} from '../source/core/probes/http.js';
import type {FetchOutcome, IssuerProbeResult} from '../source/core/probes/issuer.js';
import {createTestKey, type TestKey} from './helpers/keys.js';

const iss = 'https://issuer.example/org/1';
const discoveryUrl = `${iss}/.well-known/openid-configuration`;
const jwksUrl = `${iss}/keys`;
let key: TestKey;
let compact: string;

before(async () => {
	key = await createTestKey('RS256', 'k1');
	compact = await key.sign({iss, sub: 's', exp: 2_000_000_000});
});

const answer = (body: unknown, extra: Partial<HttpResponse> = {}): HttpResponse => ({
	status: 200,
	url: '',
	redirects: [],
	contentType: 'application/json',
	body: JSON.stringify(body),
	json: body,
	viaProxy: null,
	...extra,
});

const json = (url: string, body: object, extra: Partial<HttpResponse> = {}): FetchOutcome => ({
	kind: 'json',
	url,
	response: answer(body, extra),
	json: body,
});

/** A healthy exchange: discovery naming the issuer and the JWKS, the JWKS holding the token's key. */
function healthy(overrides: {document?: Record<string, unknown>; keys?: unknown[]} = {}): IssuerProbeResult {
	const document: Record<string, unknown> = {issuer: iss, jwks_uri: jwksUrl, ...overrides.document};
	const keys = overrides.keys ?? [key.jwk];
	return {
		discovery: {
			fetch: json(discoveryUrl, document),
			document: {
				issuer: String(document.issuer),
				jwksUri: jwksUrl,
				signingAlgorithms: document['id_token_signing_alg_values_supported'],
			},
		},
		jwks: {fetch: json(jwksUrl, {keys}), keys},
		urls: [discoveryUrl, jwksUrl],
	};
}

const token = () => ({iss, header: {alg: 'RS256', kid: 'k1'}, compact});
const summary = (checks: Array<{id: string; status: string; problem?: string}>) =>
	checks.map(check => `${check.id} ${check.status}${check.problem ? ` ${check.problem}` : ''}`);

test('the route follows the config: static keys, jwks_url, oidc_discovery_url, else the token iss', () => {
	assert.deepEqual(issuerRoute(parseConfig({jwt_validation_pubkeys: ['pem']}), iss), {kind: 'static-keys'});
	assert.equal(issuerRequest({kind: 'static-keys'}), undefined);
	const jwks = issuerRoute(parseConfig({jwks_url: jwksUrl, jwks_ca_pem: 'CA'}), iss);
	assert.deepEqual(jwks, {kind: 'jwks', url: jwksUrl, configuredDiscovery: '', vaultCa: ['CA']});
	assert.deepEqual(issuerRequest(jwks), {jwksUrl});
	const configured = issuerRoute(parseConfig({oidc_discovery_url: `${iss}/`}), 'https://other.example');
	assert.deepEqual(issuerRequest(configured), {discoveryUrl});
	assert.deepEqual(issuerRequest(issuerRoute(null, iss)), {discoveryUrl});
	assert.equal(
		issuerRequest(issuerRoute(parseConfig({oidc_discovery_url: discoveryUrl}), iss)),
		undefined,
		'a doubled well-known path is not fetched',
	);
});

test('a healthy exchange passes discovery, JWKS and signature, and says how to check from Vault', async () => {
	const checks = await judgeIssuer(
		issuerRoute(parseConfig({oidc_discovery_url: iss}), iss),
		healthy(),
		token(),
	);
	assert.deepEqual(summary(checks), [
		'issuer.discovery pass',
		'issuer.jwks pass',
		'issuer.signature pass',
		'issuer.from-vault skip discovery-unreachable',
	]);
	assert.equal(checks[0]!.message, `${discoveryUrl} names issuer ${iss}.`);
	assert.equal(checks[1]!.message, `${jwksUrl} holds 1 key(s), including kid "k1".`);
	assert.equal(checks[2]!.message, 'The signature verifies with JWKS key k1.');
	assert.match(checks[3]!.message, new RegExp(`curl -sS ${discoveryUrl}$`));
});

test('a signature made with another key fails as signature-invalid', async () => {
	const other = await createTestKey('RS256', 'k1');
	const forged = await other.sign({iss, sub: 's'});
	const checks = await judgeIssuer(issuerRoute(null, iss), healthy(), {...token(), compact: forged});
	const signature = checks.find(check => check.id === 'issuer.signature');
	assert.deepEqual([signature?.status, signature?.problem], ['fail', 'signature-invalid']);
	assert.equal(
		signature?.message,
		'The signature does not verify: no JWKS key with kid "k1" verifies the signature.',
	);
});

test('no answer: the failure kind picks the problem and the hint', async () => {
	const failure = (kind: 'tls' | 'refused', message: string): IssuerProbeResult => ({
		discovery: {
			fetch: {kind: 'no-answer', url: discoveryUrl, failure: new HttpFailure(kind, discoveryUrl, message)},
		},
		urls: [discoveryUrl],
	});
	const [tls] = await judgeIssuer(issuerRoute(null, iss), failure('tls', 'certificate unknown'), token());
	assert.deepEqual(tls, {
		id: 'issuer.discovery',
		title: "Issuer's discovery document",
		status: 'fail',
		problem: 'discovery-tls',
		message: `${discoveryUrl}: certificate unknown.`,
		hint: "Pass the issuer's CA with --ca-file (or NODE_EXTRA_CA_CERTS); Vault needs it in oidc_discovery_ca_pem / jwks_ca_pem.",
	});
	const checks = await judgeIssuer(issuerRoute(null, iss), failure('refused', 'connection refused'), token());
	assert.deepEqual(summary(checks), ['issuer.discovery fail discovery-unreachable']);
	assert.equal(checks[0]!.hint, 'Nothing listens on that address and port.');
});

test('an HTML page after redirects, a 404, and JSON that is not a discovery document', async () => {
	const html = answer(undefined, {
		contentType: 'text/html',
		body: '<html>',
		redirects: ['https://a.example/x'],
	});
	const page: IssuerProbeResult = {
		discovery: {fetch: {kind: 'not-json', url: discoveryUrl, response: html, html: true}},
		urls: [discoveryUrl],
	};
	const [check] = await judgeIssuer(issuerRoute(null, iss), page, token());
	assert.equal(
		check!.message,
		`${discoveryUrl} answered 200 but with an HTML page (a login or proxy page, or a wrong URL) (after redirects from https://a.example/x).`,
	);
	assert.equal(check!.actual, 'text/html');
	const missing: IssuerProbeResult = {
		discovery: {fetch: {kind: 'status', url: discoveryUrl, response: {...html, status: 404}, html: true}},
		urls: [discoveryUrl],
	};
	const [notFound] = await judgeIssuer(issuerRoute(null, iss), missing, token());
	assert.deepEqual([notFound!.problem, notFound!.actual], ['discovery-unreachable', 404]);
	assert.match(
		notFound!.message,
		/answered HTTP 404 \(after redirects from https:\/\/a\.example\/x\) with an HTML page\.$/,
	);
	const notDiscovery: IssuerProbeResult = {
		discovery: {fetch: json(discoveryUrl, {hello: 1})},
		urls: [discoveryUrl],
	};
	const [plain] = await judgeIssuer(issuerRoute(null, iss), notDiscovery, token());
	assert.equal(
		plain!.message,
		`${discoveryUrl} is JSON but not a discovery document (no issuer or jwks_uri).`,
	);
});

test("another issuer in the document: a fail with Vault's words when configured, a warning when not", async () => {
	const fetched = healthy({document: {issuer: `${iss}/`}});
	const configured = await judgeIssuer(
		issuerRoute(parseConfig({oidc_discovery_url: iss}), iss),
		fetched,
		token(),
	);
	assert.deepEqual([configured[0]!.status, configured[0]!.problem], ['fail', 'discovery-issuer-mismatch']);
	assert.equal(
		configured[0]!.vaultMessage,
		`error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "${iss}" got "${iss}/"`,
	);
	assert.match(configured[0]!.message, /only a trailing slash differs/);
	const guessed = await judgeIssuer(issuerRoute(null, iss), fetched, token());
	assert.deepEqual([guessed[0]!.status, guessed[0]!.vaultMessage], ['warn', undefined]);
});

test('an algorithm the issuer does not list is a warning after the discovery check', async () => {
	const checks = await judgeIssuer(
		issuerRoute(null, iss),
		healthy({document: {id_token_signing_alg_values_supported: ['ES256', 'EdDSA']}}),
		token(),
	);
	assert.deepEqual(summary(checks).slice(0, 2), [
		'issuer.discovery pass',
		'issuer.algorithm warn algorithm-not-allowed',
	]);
	assert.equal(
		checks[1]!.message,
		'The token is signed with RS256, which the issuer does not list in id_token_signing_alg_values_supported (ES256, EdDSA).',
	);
});

test('JWKS: no keys, a rotated kid, keys without kid', async () => {
	const empty = await judgeIssuer(issuerRoute(null, iss), healthy({keys: []}), token());
	assert.deepEqual(summary(empty), ['issuer.discovery pass', 'issuer.jwks fail jwks-unavailable']);
	const rotated = await judgeIssuer(
		issuerRoute(null, iss),
		healthy({keys: [{...key.jwk, kid: 'k2'}]}),
		token(),
	);
	assert.equal(
		rotated[1]!.message,
		'The token\'s kid "k1" is not in the JWKS (k2): the issuer rotated its keys, or the token comes from another issuer.',
	);
	const {kid: _, ...withoutKid} = key.jwk;
	const bare = await judgeIssuer(issuerRoute(null, iss), healthy({keys: [withoutKid]}), token());
	assert.match(bare[1]!.message, /the JWKS keys have no kid; Vault then tries no key at all/);
	assert.deepEqual(bare[1]!.actual, ['(no kid)']);
});

test('config-only verdicts: static keys, a mount trusting another CircleCI organization, a doubled path', async () => {
	const fetchedNothing: IssuerProbeResult = {urls: []};
	assert.deepEqual(summary(await judgeIssuer({kind: 'static-keys'}, fetchedNothing, token())), [
		'issuer.discovery skip',
	]);
	const circle = 'https://oidc.circleci.com/org/a';
	const [trusts] = await judgeIssuer(
		issuerRoute(
			parseConfig({jwks_url: jwksUrl, oidc_discovery_url: 'https://oidc.circleci.com/org/b'}),
			circle,
		),
		{jwks: {fetch: json(jwksUrl, {keys: [key.jwk]}), keys: [key.jwk]}, urls: [jwksUrl]},
		{...token(), iss: circle},
	);
	assert.deepEqual([trusts!.id, trusts!.problem], ['issuer.vault-trusts', 'signature-invalid']);
	assert.match(trusts!.hint ?? '', /CircleCI issuers are per organization/);
	const doubled = await judgeIssuer(
		issuerRoute(parseConfig({oidc_discovery_url: discoveryUrl}), iss),
		fetchedNothing,
		token(),
	);
	assert.deepEqual(summary(doubled), [
		'issuer.vault-trusts fail signature-invalid',
		'issuer.discovery fail discovery-unreachable',
	]);
	assert.equal(doubled[1]!.expected, iss);
});
