import assert from 'node:assert/strict';
import {test} from 'node:test';
import {problemIds} from '../source/core/problems/catalogue.js';
import {explainVaultError, explainVaultErrors} from '../source/core/problems/explain-error.js';
import {loadVectors} from './helpers/vectors.js';

type ErrorText = {
	name: string;
	wrapper: string;
	source: string;
	text: string;
	problem: string;
	alsoPossible?: string[];
	/** Every distinct error of the text, first first, when there are several. */
	errors?: string[];
};

const corpus = loadVectors<ErrorText>('error-texts.json');

test('the corpus is real-world text: at least 250 texts, each with its source, in at least 12 wrappers, with negatives', () => {
	assert.ok(corpus.length >= 250, `${corpus.length} texts`);
	for (const entry of corpus) assert.ok(entry.source.trim() !== '', entry.name);
	const fromPublicThreads = corpus.filter(entry => /^https:\/\//.test(entry.source));
	assert.ok(fromPublicThreads.length >= 150, `${fromPublicThreads.length} texts with a URL`);
	const wrappers = new Set(corpus.map(entry => entry.wrapper));
	assert.ok(wrappers.size >= 12, [...wrappers].join(', '));
	const negatives = corpus.filter(entry => entry.wrapper === 'negative');
	assert.ok(negatives.length >= 8, `${negatives.length} negatives`);
	for (const entry of negatives) assert.equal(entry.problem, 'unknown', entry.name);
});

test('every text of the corpus (each wrapper, each wording generation) gets its problem', () => {
	const failures: string[] = [];
	for (const entry of corpus) {
		if (entry.errors) {
			const all = explainVaultErrors(entry.text).map(explanation => explanation.problem);
			if (all.join() !== entry.errors.join())
				failures.push(`${entry.name}: errors ${all.join(', ')}, expected ${entry.errors.join(', ')}`);
		}
		const explanation = explainVaultError(entry.text);
		if (explanation.problem !== entry.problem)
			failures.push(
				`${entry.name} [${entry.wrapper}]: got ${explanation.problem}, expected ${entry.problem}`,
			);
		for (const alternative of entry.alsoPossible ?? []) {
			if (!explanation.alternatives.includes(alternative as never))
				failures.push(
					`${entry.name}: alternatives ${explanation.alternatives.join(',')} lack ${alternative}`,
				);
		}
	}

	assert.deepEqual(failures, []);
});

test('every problem id the corpus uses exists in the catalogue', () => {
	for (const entry of corpus) assert.ok(problemIds.includes(entry.problem as never), entry.problem);
});

test('every problem id the issue names is in the catalogue', () => {
	const required =
		`token-malformed, token-expired, token-not-yet-valid, token-no-time-claims, discovery-unreachable,
		discovery-tls, issuer-mismatch, jwks-unavailable, signature-invalid, algorithm-not-allowed, config-missing,
		config-unsupported, role-missing, role-not-found, role-type-oidc, mount-not-found, namespace-wrong, cidr-denied,
		audience-mismatch, audience-unbound, subject-mismatch, bound-claim-mismatch, bound-claim-missing, bound-claim-type,
		user-claim-missing, groups-claim-missing, claim-mapping-type, permission-denied, kv2-path, vault-token-invalid,
		platform-no-token, vault-sealed, rate-limited, unknown`
			.split(',')
			.map(id => id.trim());
	for (const id of required) assert.ok(problemIds.includes(id as never), id);
});

test('the message catalogue of every plugin generation, verbatim', () => {
	const table: Array<[string, string]> = [
		['could not load configuration', 'config-missing'],
		['missing role', 'role-missing'],
		['role "deploy" could not be found', 'role-not-found'],
		['role with oidc role_type is not allowed', 'role-type-oidc'],
		['missing token', 'platform-no-token'],
		['error configuring token validator: unsupported config type', 'config-unsupported'],
		['unhandled case during login', 'config-unsupported'],
		[
			'error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "https://x/" got "https://x"',
			'discovery-issuer-mismatch',
		],
		[
			'error validating token: error verifying token signature: no known key successfully validated the token signature',
			'signature-invalid',
		],
		['no known key successfully validated the token signature', 'signature-invalid'],
		[
			'error validating token: error verifying token signature: failed to verify id token signature',
			'signature-invalid',
		],
		['error verifying token: failed to verify id token signature', 'signature-invalid'],
		[
			'error validating token: error verifying token signature: fetching keys oidc: get keys failed: 404 Not Found',
			'jwks-unavailable',
		],
		[
			'error validating token: error verifying token signature: go-jose/go-jose: compact JWS format must have three parts',
			'token-malformed',
		],
		['error parsing token: square/go-jose: compact JWS format must have three parts', 'token-malformed'],
		['error validating token: token missing kid header parameter', 'signature-invalid'],
		[
			'error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm',
			'algorithm-not-allowed',
		],
		[
			'error validating signature: oidc: id token signed with unsupported algorithm, expected ["RS256"] got "ES256"',
			'algorithm-not-allowed',
		],
		['error validating token: invalid issuer (iss) claim', 'issuer-mismatch'],
		[
			'error validating claims: square/go-jose/jwt: validation failed, invalid issuer claim (iss)',
			'issuer-mismatch',
		],
		['error validating token: invalid subject (sub) claim', 'subject-mismatch'],
		['sub claim does not match bound subject', 'subject-mismatch'],
		[
			'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
			'audience-mismatch',
		],
		['error validating claims: aud claim does not match any bound audience', 'audience-mismatch'],
		[
			'error validating claims: square/go-jose/jwt: validation failed, invalid audience claim (aud)',
			'audience-mismatch',
		],
		['audience claim found in JWT but no audiences bound to the role', 'audience-unbound'],
		[
			'error validating token: go-jose/go-jose/jwt: expected string or array value to unmarshal to Audience',
			'token-claim-type',
		],
		[
			'error validating token: square/go-jose/jwt: expected number value to unmarshal NumericDate',
			'token-claim-type',
		],
		[
			'error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token',
			'token-no-time-claims',
		],
		['no issue time, notbefore, or expiration time encoded in token', 'token-no-time-claims'],
		['error validating token: invalid not before (nbf) claim: token not yet valid', 'token-not-yet-valid'],
		[
			'error validating claims: square/go-jose/jwt: validation failed, token not valid yet (nbf)',
			'token-not-yet-valid',
		],
		['error validating token: invalid expiration time (exp) claim: token is expired', 'token-expired'],
		[
			'error validating signature: oidc: token is expired (Token Expiry: 2020-01-02 15:04:05 +0000 UTC)',
			'token-expired',
		],
		[
			'error validating token: invalid issued at (iat) claim: token issued in the future',
			'token-not-yet-valid',
		],
		[
			'error validating claims: square/go-jose/jwt: validation field, token issued in the future (iat)',
			'token-not-yet-valid',
		],
		['claim "email" not found in token', 'user-claim-missing'],
		['claim "context-ids" could not be converted to string', 'user-claim-type'],
		['failed to load custom provider config: x', 'provider-config'],
		["error converting claim 'run' to string", 'claim-mapping-type'],
		['failed to fetch groups: "groups" claim not found in token', 'groups-claim-missing'],
		['"groups" claim could not be converted to string list', 'groups-claim-type'],
		['value 5 in groups claim could not be parsed as string', 'groups-claim-type'],
		['error validating claims: claim "project_id" is missing', 'bound-claim-missing'],
		[
			'error validating claims: claim "project_id" does not match any associated bound claim values',
			'bound-claim-mismatch',
		],
		[
			'error validating claims: received claim is not a string, bool, int or list: map[a:x]',
			'bound-claim-type',
		],
		['error validating claims: received claim is not a string or list: 123', 'bound-claim-type'],
		['error validating claims: bound claim is not a string, bool, int or list: map[a:x]', 'bound-claim-type'],
		[
			'error validating claims: received claim is not a glob string: %!e(json.Number=42)xpVal',
			'bound-claim-type',
		],
		['error validating claims: claim is missing: project_id', 'bound-claim-missing'],
		[
			"error validating claims: claim 'project_id' does not match associated bound claim",
			'bound-claim-mismatch',
		],
		['request originated from invalid CIDR', 'cidr-denied'],
		['Code: 503. Errors:\n\n* Vault is sealed', 'vault-sealed'],
		['Code: 429. Errors:\n\n* request path "auth/jwt/login": rate limit quota exceeded', 'rate-limited'],
		[
			'Code: 404. Errors:\n\n* no handler for route "auth/x/login". route entry not found.',
			'mount-not-found',
		],
		["no handler for route 'auth/x/login'", 'mount-not-found'],
	];
	for (const [text, expected] of table) assert.equal(explainVaultError(text).problem, expected, text);
});

test('the recognised line never carries a token: JWT signatures and Vault tokens are redacted', () => {
	const jwt = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJqb2IifQ.MEUCIQDsignaturesignature';
	const text = `curl -H "X-Vault-Token: hvs.CAESIJsomethingsecret1234567" jwt=${jwt}\nCode: 400. Errors: * error validating token: invalid audience (aud) claim jwt=${jwt}`;
	const explanation = explainVaultError(text);
	assert.equal(explanation.problem, 'audience-mismatch');
	assert.match(
		explanation.matched ?? '',
		/jwt=eyJhbGciOiJFUzI1NiJ9\.eyJzdWIiOiJqb2IifQ\.<signature redacted>/,
	);
	assert.ok(!(explanation.matched ?? '').includes('MEUCIQ'));
	const header = explainVaultError(
		'X-Vault-Token: hvs.CAESIJsomethingsecret1234567 -> 403 permission denied on secret/data/app',
	);
	assert.ok(!(header.matched ?? '').includes('CAESIJ'));
});

test('a paste with several errors gives each distinct one, first first; repeats and symptoms of one error count once', () => {
	const log = [
		'2024-05-01T10:00:00Z [ERROR] agent.auth.handler: error authenticating: error="Error making API request.',
		'URL: PUT https://vault.example.com:8200/v1/auth/jwt/login',
		'Code: 400. Errors:',
		'* error validating token: invalid audience (aud) claim: audience claim does not match any expected audience"',
		'2024-05-01T10:00:02Z [ERROR] agent.auth.handler: error authenticating: error="... invalid audience (aud) claim ..."',
		'2024-05-01T10:01:00Z [ERROR] agent.template.server: template server error: Code: 503. Errors: * Vault is sealed',
		'2024-05-01T10:02:00Z [ERROR] agent.auth.handler: error authenticating: error="Code: 400. Errors: * role \\"ci\\" could not be found"',
	].join('\n');
	assert.deepEqual(
		explainVaultErrors(log).map(explanation => explanation.problem),
		['audience-mismatch', 'vault-sealed', 'role-not-found'],
	);
	assert.equal(explainVaultError(log).problem, 'audience-mismatch');
	const cli =
		'Error writing data to auth/jwt/login: Error making API request.\n\nURL: PUT https://vault.example.com/v1/auth/jwt/login\nCode: 403. Errors:\n\n* permission denied';
	assert.deepEqual(
		explainVaultErrors(cli).map(explanation => explanation.problem),
		['mount-not-found'],
	);
	assert.deepEqual(
		explainVaultErrors('all good\nnothing to see').map(explanation => explanation.problem),
		['unknown'],
	);
});

test('wordings that point the wrong way put the real cause first and say why they mislead', () => {
	const cases: Array<[string, string, RegExp]> = [
		[
			'Code: 500. Errors:\n\n* error performing token check: failed to look up namespace from the token: no namespace',
			'vault-token-foreign',
			/no namespace is wrong/,
		],
		[
			'URL: PUT https://v/v1/auth/jwt/login\nCode: 500. Errors:\n\n* missing name in alias',
			'user-claim-empty',
			/empty string/,
		],
		['{"errors":["1 error occurred:\\n\\t* internal error\\n\\n"]}', 'vault-internal', /server log|own log/],
		[
			"* 'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
			'role-type-oidc',
			/role_type=jwt/,
		],
		[
			'Error writing data to auth/jwt/login: Error making API request.\n\nURL: PUT https://v/v1/auth/jwt/login\nCode: 403. Errors:\n\n* permission denied',
			'mount-not-found',
			/login needs no policy/,
		],
	];
	for (const [text, problem, why] of cases) {
		const explanation = explainVaultError(text);
		assert.equal(explanation.problem, problem, text);
		assert.match(explanation.misleading ?? '', why, text);
	}

	assert.equal(explainVaultError('error validating token: invalid issuer (iss) claim').misleading, null);
	assert.equal(
		explainVaultError('URL: GET https://v/v1/secret/data/app\nCode: 403. Errors:\n\n* permission denied')
			.misleading,
		null,
	);
});

test('an unknown answer still helps: the line that looked like an error, the nearest problems, how to diagnose', () => {
	const explanation = explainVaultError(
		'Run hashicorp/vault-action@v2\nGet Vault Secrets\nError: Response code 400 (Bad Request)\n##[debug]Node Action run completed with exit code 1',
	);
	assert.equal(explanation.problem, 'unknown');
	assert.equal(explanation.matched, null);
	assert.equal(explanation.suspect, 'Error: Response code 400 (Bad Request)');
	assert.ok(explanation.alternatives.length > 0 && explanation.alternatives.length <= 3);
	assert.match(explanation.next, /ona-vault-doctor diagnose --mount <mount> --role <role>/);
	assert.deepEqual(explainVaultError('all good here').alternatives, []);
	assert.equal(explainVaultError('all good here').suspect, null);
});

test('precision over recall: the same words from something else than Vault stay unknown', () => {
	for (const text of [
		'docker: Got permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock',
		'<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1>Request blocked. Generated by cloudfront (CloudFront)</BODY></HTML>',
		'aws-vault: error: exec: Failed to get credentials for prod : RequestError: send request failed\ncaused by: Post "https://sts.amazonaws.com/": x509: certificate signed by unknown authority',
		'git@github.com: Permission denied (publickey).',
		'curl: (7) Failed to connect to localhost port 5432: Connection refused',
	])
		assert.equal(explainVaultError(text).problem, 'unknown', text);
});
