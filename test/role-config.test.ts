import assert from 'node:assert/strict';
import {test} from 'node:test';
import {keySource, parseConfig} from '../source/core/login/config.js';
import {GoNumber} from '../source/core/login/go-values.js';
import {parseRole} from '../source/core/login/role.js';
import {readVaultData} from '../source/core/vault-data.js';

/** A role or config file as --role-file reads it: numbers keep their literal text. */
const fromJson = (text: string) => readVaultData(text)!;

test('parseRole: an empty role has Vault defaults, and keeps the data it was parsed from', () => {
	const data = {};
	const role = parseRole(data);
	assert.equal(role.data, data);
	assert.deepEqual(
		{...role, data: undefined},
		{
			data: undefined,
			roleType: 'jwt',
			roleTypeGiven: false,
			boundAudiences: [],
			boundSubject: '',
			boundClaims: {},
			boundClaimsType: 'string',
			userClaim: '',
			userClaimJsonPointer: false,
			groupsClaim: '',
			claimMappings: {},
			leeways: {expiration: 0, notBefore: 0, clockSkew: 0},
			allowedRedirectUris: [],
			tokenPolicies: [],
			tokenBoundCidrs: [],
			tokenTtl: 0,
			tokenMaxTtl: 0,
			tokenExplicitMaxTtl: 0,
		},
	);
});

test('parseRole: a role as Vault returns it', () => {
	const role = parseRole({
		role_type: 'oidc',
		bound_audiences: ['vault', 'https://vault.example/'],
		bound_subject: 'repo:octo/app:ref:refs/heads/main',
		bound_claims_type: 'glob',
		bound_claims: {repository: 'octo/*', ref: ['main', 'dev']},
		claim_mappings: {repository: 'repo'},
		user_claim: '/actor/login',
		user_claim_json_pointer: true,
		groups_claim: 'groups',
		allowed_redirect_uris: ['http://localhost:8250/oidc/callback'],
		expiration_leeway: 0,
		not_before_leeway: 30,
		clock_skew_leeway: -1,
		token_policies: ['reader'],
		token_bound_cidrs: ['10.0.0.0/8'],
		token_ttl: 900,
		token_max_ttl: 3600,
		token_explicit_max_ttl: 7200,
	});
	assert.deepEqual([role.roleType, role.roleTypeGiven, role.boundClaimsType], ['oidc', true, 'glob']);
	assert.deepEqual(role.boundAudiences, ['vault', 'https://vault.example/']);
	assert.equal(role.boundSubject, 'repo:octo/app:ref:refs/heads/main');
	assert.deepEqual(role.boundClaims, {repository: 'octo/*', ref: ['main', 'dev']});
	assert.deepEqual(role.claimMappings, {repository: 'repo'});
	assert.deepEqual(
		[role.userClaim, role.userClaimJsonPointer, role.groupsClaim],
		['/actor/login', true, 'groups'],
	);
	assert.deepEqual(role.allowedRedirectUris, ['http://localhost:8250/oidc/callback']);
	assert.deepEqual(
		role.leeways,
		{expiration: 0, notBefore: 30, clockSkew: -1},
		'0 and negative stay as Vault has them',
	);
	assert.deepEqual(role.tokenPolicies, ['reader']);
	assert.deepEqual(role.tokenBoundCidrs, ['10.0.0.0/8']);
	assert.deepEqual([role.tokenTtl, role.tokenMaxTtl, role.tokenExplicitMaxTtl], [900, 3600, 7200]);
});

test('parseRole: legacy policies, bound_cidrs, ttl and max_ttl stand in for empty token_* fields only', () => {
	const legacy = parseRole({policies: ['old'], bound_cidrs: ['192.168.0.0/16'], ttl: 60, max_ttl: 120});
	assert.deepEqual(legacy.tokenPolicies, ['old']);
	assert.deepEqual(legacy.tokenBoundCidrs, ['192.168.0.0/16']);
	assert.deepEqual([legacy.tokenTtl, legacy.tokenMaxTtl], [60, 120]);

	const both = parseRole({
		token_policies: ['new'],
		policies: ['old'],
		token_bound_cidrs: ['10.0.0.0/8'],
		bound_cidrs: ['192.168.0.0/16'],
		token_ttl: '15m',
		ttl: 60,
		token_max_ttl: 0,
		max_ttl: 120,
	});
	assert.deepEqual(both.tokenPolicies, ['new']);
	assert.deepEqual(
		both.tokenBoundCidrs,
		['10.0.0.0/8'],
		'token_bound_cidrs wins: Vault only reads back bound_cidrs as a copy of it',
	);
	assert.deepEqual([both.tokenTtl, both.tokenMaxTtl], [900, 120]);
});

test('parseRole: bound numbers keep their literal text, as Vault compares them', () => {
	const role = parseRole(
		fromJson('{"bound_claims": {"a": 123.0, "b": 123, "c": [1e3, "x"], "d": 9007199254740993}}'),
	);
	const {a, b, c, d} = role.boundClaims;
	assert.ok(a instanceof GoNumber && b instanceof GoNumber && d instanceof GoNumber);
	assert.deepEqual([a.text, b.text, d.text], ['123.0', '123', '9007199254740993']);
	assert.ok(Array.isArray(c) && c[0] instanceof GoNumber && c[0].text === '1e3' && c[1] === 'x');

	const plain = parseRole({bound_claims: {n: 5}}).boundClaims['n'];
	assert.ok(
		plain instanceof GoNumber && plain.text === '5',
		'a number from a parsed object is json.Number too',
	);
});

test('parseRole: leeways and TTLs in seconds, whatever form Vault accepts them in', () => {
	const text = `{"expiration_leeway": "90s", "not_before_leeway": "1h30m", "clock_skew_leeway": "-1s",
		"token_ttl": 600.0, "token_max_ttl": "2h"}`;
	const role = parseRole(fromJson(text));
	assert.deepEqual(role.leeways, {expiration: 90, notBefore: 5400, clockSkew: -1});
	assert.deepEqual([role.tokenTtl, role.tokenMaxTtl], [600, 7200]);
});

test('parseRole: the write forms of lists, maps and booleans are read; values of other types as unset', () => {
	const role = parseRole({
		role_type: 5,
		bound_subject: ['not', 'a', 'string'],
		bound_audiences: ' vault, https://vault.example/ ,',
		bound_claims: '{"repository": "octo/app"}',
		bound_claims_type: 'GLOB',
		claim_mappings: {count: 5},
		user_claim: null,
		user_claim_json_pointer: 'true',
		groups_claim: {},
		token_policies: 'a,b',
		expiration_leeway: true,
	});
	assert.deepEqual([role.roleType, role.roleTypeGiven], ['jwt', false]);
	assert.equal(role.boundSubject, '');
	assert.deepEqual(role.boundAudiences, ['vault', 'https://vault.example/']);
	assert.deepEqual(role.boundClaims, {repository: 'octo/app'});
	assert.equal(role.boundClaimsType, 'string', 'only "glob" turns on glob matching');
	assert.deepEqual(role.claimMappings, {count: '5'});
	assert.deepEqual([role.userClaim, role.userClaimJsonPointer, role.groupsClaim], ['', true, '']);
	assert.deepEqual(role.tokenPolicies, ['a', 'b']);
	assert.equal(role.leeways.expiration, 0);

	assert.deepEqual(parseRole({bound_claims: 'not json'}).boundClaims, {});
	assert.deepEqual(parseRole({bound_claims: ['a']}).boundClaims, {});
	assert.deepEqual(parseRole({bound_audiences: [1, true]}).boundAudiences, ['1', 'true']);
	assert.equal(parseRole({user_claim_json_pointer: 'yes'}).userClaimJsonPointer, false);
});

test('parseConfig: defaults, the write form of lists, and wrong types', () => {
	const data = {};
	const empty = parseConfig(data);
	assert.equal(empty.data, data);
	assert.deepEqual(
		{...empty, data: undefined},
		{
			data: undefined,
			boundIssuer: '',
			defaultRole: '',
			oidcDiscoveryUrl: '',
			oidcDiscoveryCaPem: '',
			oidcClientId: '',
			jwksUrl: '',
			jwksCaPem: '',
			jwksPairs: [],
			jwtValidationPubkeys: [],
			jwtSupportedAlgs: [],
			providerConfig: {},
		},
	);

	const config = parseConfig({
		bound_issuer: 'https://issuer.example',
		default_role: 'Deploy',
		oidc_discovery_url: 'https://issuer.example',
		oidc_discovery_ca_pem: 'PEM',
		jwks_ca_pem: 7,
		jwt_supported_algs: 'RS256,ES256',
		jwks_pairs: {jwks_url: 'https://issuer.example/jwks'},
		provider_config: {provider: 'azure'},
	});
	assert.equal(config.defaultRole, 'Deploy', 'kept as stored; the login lowercases it');
	assert.deepEqual(
		[config.boundIssuer, config.oidcDiscoveryUrl],
		['https://issuer.example', 'https://issuer.example'],
	);
	assert.deepEqual([config.oidcDiscoveryCaPem, config.jwksCaPem], ['PEM', '']);
	assert.deepEqual(config.jwtSupportedAlgs, ['RS256', 'ES256']);
	assert.deepEqual(config.jwksPairs, [], 'jwks_pairs is a list or nothing');
	assert.deepEqual(config.providerConfig, {provider: 'azure'});
});

test("keySource: where Vault gets its keys, in the order of the plugin's authType()", () => {
	const source = (data: Record<string, unknown>) => keySource(parseConfig(data));
	const discovery = {oidc_discovery_url: 'https://issuer.example'};
	assert.equal(source({}), 'none');
	assert.equal(source(discovery), 'discovery');
	assert.equal(source({...discovery, oidc_client_id: 'vault'}), 'oidc-flow');
	assert.equal(source({...discovery, jwks_pairs: [{jwks_url: 'https://issuer.example/jwks'}]}), 'jwks-pairs');
	assert.equal(source({...discovery, jwks_pairs: [], jwks_url: 'https://issuer.example/jwks'}), 'jwks');
	assert.equal(
		source({...discovery, jwks_url: 'https://issuer.example/jwks', jwt_validation_pubkeys: ['PEM']}),
		'static',
	);
});
