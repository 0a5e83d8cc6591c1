import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {
	check,
	failing,
	onaClaims,
	onaRole,
	organizationId,
	readerToken,
	run,
	startWorld,
	type World,
} from './helpers/world.js';

let world: World;

before(async () => {
	world = await startWorld();
});

after(async () => {
	await world.close();
});

test('a healthy Ona login: every check passes, the login works, its token is revoked, the secret is readable', async () => {
	const report = await run(world, onaClaims(world), {secretPaths: ['secret/my-app/db']});
	assert.deepEqual(failing(report), []);
	assert.equal(report.verdict, 'pass');
	assert.deepEqual([report.login.predicted, report.login.actual, report.login.allowed], [null, null, true]);
	assert.equal(check(report, 'login.agreement').status, 'pass');
	assert.match(
		check(report, 'access.secret/secret/my-app/db').message,
		/may read secret\/data\/my-app\/db \(KV v2\)/,
	);
	assert.equal(check(report, 'access.revoke').status, 'pass');
	const loginTokens = [...world.vault.revoked];
	assert.equal(loginTokens.length >= 1, true, 'the login token was revoked');
	assert.equal(world.vault.tokens.has(loginTokens.at(-1)!), false);
	assert.ok(
		!JSON.stringify(report).includes(loginTokens.at(-1)!),
		'the Vault token never appears in the report',
	);
	assert.ok(!JSON.stringify(report).includes(readerToken));
	assert.equal(report.vault?.mount, 'jwt');
	assert.match(check(report, 'vault.health').message, /Vault 1\.17\.3/);
});

test('invalid audience (Ona guide): model and Vault agree, the fix is the --audience command', async () => {
	const report = await run(world, onaClaims(world, {aud: ['sts.amazonaws.com']}));
	assert.deepEqual(failing(report), [
		['login.audience', 'audience-mismatch'],
		['login.attempt', 'audience-mismatch'],
	]);
	assert.equal(
		report.login.actual,
		'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
	);
	assert.equal(report.login.predicted, report.login.actual);
	assert.equal(check(report, 'login.agreement').status, 'pass');
	assert.ok(
		check(report, 'login.audience').fix?.commands.includes('ona idp token --audience vault.hashicorp.com'),
	);
	assert.equal(report.verdict, 'fail');
});

test('claim mismatch (Ona guide): the token value next to the role value, and the role write that fixes it', async () => {
	const report = await run(world, onaClaims(world, {organization_id: 'another-org'}));
	const claim = check(report, 'login.bound-claims/organization_id');
	assert.deepEqual(
		[claim.problem, claim.expected, claim.actual],
		['bound-claim-mismatch', organizationId, 'another-org'],
	);
	assert.match(
		claim.fix?.commands[0] ?? '',
		/^vault write auth\/jwt\/role\/ona-project - <<'EOF'\n\{"role_type":"jwt","bound_claims_type":"string","bound_claims":\{"organization_id":"another-org"/,
	);
	assert.equal(
		report.login.actual,
		'error validating claims: claim "organization_id" does not match any associated bound claim values',
	);
});

test('an Ona V2 token against the V3 role: missing flat claims, the version named, the platform explained', async () => {
	const {
		organization_id: _o,
		project_id: _p,
		environment_id: _e,
		...v2
	} = onaClaims(world, {
		sub: `environment:${organizationId}:env-1`,
		org: organizationId,
		gsub: {principal: 'environment', id: 'env-1'},
	});
	const report = await run(world, v2);
	assert.equal(check(report, 'token.platform').status, 'warn');
	assert.match(check(report, 'token.platform').message, /Ona V2/);
	assert.deepEqual(
		failing(report).filter(([id]) => id.startsWith('login.bound')),
		[
			['login.bound-claims/organization_id', 'bound-claim-missing'],
			['login.bound-claims/project_id', 'bound-claim-missing'],
		],
	);
	assert.match(check(report, 'login.bound-claims/organization_id').hint ?? '', /Ona V2 token/);
});

test('permission denied reading the secret (Ona guide): login fine, the policy grant is missing', async () => {
	const report = await run(world, onaClaims(world), {secretPaths: ['secret/other-app/db']});
	const access = check(report, 'access.secret/secret/other-app/db');
	assert.deepEqual([access.status, access.problem], ['fail', 'permission-denied']);
	// Added to the policy as read, never written over it.
	assert.deepEqual(access.fix?.commands.slice(1), [
		'vault policy read ona-read > ona-read.hcl || : > ona-read.hcl',
		`cat >> ona-read.hcl <<'EOF'\npath "secret/data/other-app/db" {\n  capabilities = ["read"]\n}\nEOF`,
		'vault policy write ona-read ona-read.hcl',
	]);
	assert.equal(check(report, 'access.revoke').status, 'pass');
});

test('a KV v2 path written without data/ in the policy is named as such', async () => {
	world.vault.mounts().jwt!.roles!['legacy'] = {...onaRole, token_policies: ['legacy-read']};
	const report = await run(world, onaClaims(world), {role: 'legacy', secretPaths: ['secret/my-app/db']});
	const access = check(report, 'access.secret/secret/my-app/db');
	assert.deepEqual(
		[access.problem, access.expected, access.actual],
		['kv2-path', 'secret/data/my-app/db', 'secret/my-app/db'],
	);
});

test('token not yet valid (CircleCI guide clock skew): Vault clock behind, the leeway fix', async () => {
	const skewed = await startWorld({now: () => Date.now() / 1000 - 300});
	try {
		const report = await run(skewed, onaClaims(skewed));
		assert.equal(check(report, 'vault.clock').status, 'warn');
		assert.deepEqual(failing(report), [
			['login.times', 'token-not-yet-valid'],
			['login.attempt', 'token-not-yet-valid'],
		]);
		assert.match(check(report, 'login.times').fix?.commands[0] ?? '', /"clock_skew_leeway":120/);
	} finally {
		await skewed.close();
	}
});

test('a mount is found by its issuer among several JWT mounts', async () => {
	const several = await startWorld();
	try {
		several.vault.mounts()['ci'] = {
			config: {oidc_discovery_url: several.issuer.issuer},
			roles: {'ona-project': onaRole},
		};
		several.vault.mounts().jwt!.config = {oidc_discovery_url: 'https://token.actions.githubusercontent.com'};
		const report = await run(several, onaClaims(several));
		assert.equal(report.vault?.mount, 'ci');
		assert.match(check(report, 'vault.mount').message, /its config trusts the token's issuer/);
		assert.equal(report.verdict, 'pass');
	} finally {
		await several.close();
	}
});

test('a reader token that may not read the role: login-only diagnosis, said so', async () => {
	const report = await run(world, onaClaims(world, {aud: ['other']}), {
		env: {VAULT_TOKEN: 'hvs.unknown', HOME: '/nonexistent'},
	});
	assert.equal(check(report, 'vault.read-role').status, 'skip');
	assert.match(
		check(report, 'vault.read-role').message,
		/may not read auth\/jwt\/role\/ona-project.*--role-file/,
	);
	assert.equal(check(report, 'login.model').status, 'skip');
	assert.deepEqual(failing(report), [['login.attempt', 'audience-mismatch']]);
});

test('Vault cannot reach the discovery URL: the login error is classified, the doctor says what to run on Vault', async () => {
	world.vault.mounts()['dead'] = {
		config: {oidc_discovery_url: 'http://127.0.0.1:9'},
		roles: {'ona-project': onaRole},
	};
	const report = await run(world, onaClaims(world), {mount: 'dead'});
	assert.equal(check(report, 'login.attempt').problem, 'discovery-unreachable');
	assert.equal(check(report, 'issuer.vault-trusts').problem, 'signature-invalid');
	assert.equal(check(report, 'issuer.discovery').problem, 'discovery-unreachable');
});

test('role_type oidc, a missing role and a 403 on a missing mount', async () => {
	world.vault.mounts().jwt!.roles!['browser'] = {
		...onaRole,
		role_type: 'oidc',
		allowed_redirect_uris: ['http://localhost:8250/oidc/callback'],
	};
	const oidc = await run(world, onaClaims(world), {role: 'browser'});
	assert.deepEqual(failing(oidc), [
		['login.role-type', 'role-type-oidc'],
		['login.attempt', 'role-type-oidc'],
	]);
	const missing = await run(world, onaClaims(world), {role: 'ona-projekt'});
	assert.equal(missing.login.actual, 'role "ona-projekt" could not be found');
	assert.match(check(missing, 'vault.read-role').hint ?? '', /Did you mean ona-project/);
	const noMount = await run(world, onaClaims(world), {mount: 'nope'});
	assert.deepEqual(
		failing(noMount).map(([, problem]) => problem),
		['mount-not-found', 'mount-not-found'],
	);
	assert.match(check(noMount, 'login.attempt').hint ?? '', /never means a policy/);
});

test('security warnings even when the login works: organization-only roles', async () => {
	world.vault.mounts().jwt!.roles!['org-wide'] = {
		...onaRole,
		bound_claims: {organization_id: organizationId},
		token_ttl: 0,
		token_max_ttl: 0,
	};
	const report = await run(world, onaClaims(world), {role: 'org-wide'});
	assert.equal(report.verdict, 'pass');
	assert.equal(check(report, 'role.scope').problem, 'role-too-broad');
	assert.match(check(report, 'role.scope').message, /every environment and user of the Ona organization/);
	assert.equal(check(report, 'role.ttl').problem, 'role-long-ttl');
});

test('offline with files: no request at all, network steps not checked', async () => {
	const before = world.vault.requests.length;
	const beforeIssuer = world.issuer.requests.length;
	const report = await run(world, onaClaims(world, {aud: ['x']}), {
		offline: true,
		vaultAddr: 'http://127.0.0.1:9',
		role: 'ona-project',
	});
	assert.equal(world.vault.requests.length, before);
	assert.equal(world.issuer.requests.length, beforeIssuer);
	assert.equal(check(report, 'vault.health').status, 'skip');
	assert.equal(check(report, 'login.attempt').status, 'skip');
});
