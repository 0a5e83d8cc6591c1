import assert from 'node:assert/strict';
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, afterEach, before, test} from 'node:test';
import {createCertificateAuthority} from './fixtures/tls.js';
import {startVaultEmulator, type VaultEmulator} from './fixtures/vault-emulator.js';
import {check, onaClaims, onaRole, run, startWorld, type World} from './helpers/world.js';

let world: World;

before(async () => {
	world = await startWorld();
});

afterEach(() => {
	Object.assign(world.vault.state, {
		sealed: false,
		rateLimited: false,
		blackHole: false,
		delayMs: 0,
		failNext: [],
	});
});

after(async () => {
	await world.close();
});

test('sealed Vault: 503 is vault-sealed and stops the Vault steps', async () => {
	world.vault.state.sealed = true;
	const report = await run(world, onaClaims(world));
	assert.deepEqual(
		[check(report, 'vault.health').status, check(report, 'vault.health').problem],
		['fail', 'vault-sealed'],
	);
	assert.equal(check(report, 'vault.mount').status, 'skip');
	assert.equal(check(report, 'vault.mount').blockedBy, 'vault.health');
});

test('rate limit: 429 on the login is rate-limited', async () => {
	world.vault.state.failNext.push({
		path: /login$/,
		status: 429,
		body: JSON.stringify({errors: ['request path "auth/jwt/login": rate limit quota exceeded']}),
	});
	const report = await run(world, onaClaims(world));
	assert.equal(check(report, 'login.attempt').problem, 'rate-limited');
});

test('a 500 with a multierror body is reported with its text', async () => {
	world.vault.state.failNext.push({
		path: /login$/,
		status: 500,
		body: JSON.stringify({errors: ['1 error occurred:\n\t* internal error\n\n']}),
	});
	const report = await run(world, onaClaims(world));
	const login = check(report, 'login.attempt');
	assert.equal(login.status, 'fail');
	assert.match(login.message, /HTTP 500.*internal error/s);
});

test('an HTML page where Vault should be: VAULT_ADDR points at something else', async () => {
	world.vault.state.failNext.push({
		path: /sys\/health/,
		status: 200,
		body: '<!doctype html><html><body>Sign in</body></html>',
		contentType: 'text/html',
	});
	const report = await run(world, onaClaims(world));
	assert.equal(check(report, 'vault.health').problem, 'vault-unreachable');
	assert.match(check(report, 'vault.health').message, /not Vault's API/);
});

test('a black-holed Vault ends within the timeout', {timeout: 30_000}, async () => {
	world.vault.state.blackHole = true;
	const report = await run(world, onaClaims(world), {timeoutMs: 400});
	assert.equal(check(report, 'vault.health').problem, 'vault-unreachable');
	assert.match(check(report, 'vault.health').message, /within 400 ms/);
});

test('nothing listening, and a missing mount answer 403 on login', async () => {
	const refused = await run(world, onaClaims(world), {vaultAddr: 'http://127.0.0.1:9'});
	assert.equal(check(refused, 'vault.health').problem, 'vault-unreachable');
	assert.match(check(refused, 'vault.health').message, /refused/);
});

test('TLS: an unknown CA is vault-tls; VAULT_CACERT fixes it; VAULT_SKIP_VERIFY works with a warning', async () => {
	const ca = await createCertificateAuthority();
	const tlsVault: VaultEmulator = await startVaultEmulator({
		tls: ca.issue(['127.0.0.1', 'localhost']),
		mounts: {jwt: {config: {oidc_discovery_url: world.issuer.issuer}, roles: {'ona-project': onaRole}}},
	});
	try {
		const untrusted = await run(world, onaClaims(world), {vaultAddr: tlsVault.url});
		assert.equal(check(untrusted, 'vault.health').problem, 'vault-tls');
		assert.match(check(untrusted, 'vault.health').message, /VAULT_CACERT/);
		const directory = await mkdtemp(join(tmpdir(), 'ovd-ca-'));
		await writeFile(join(directory, 'ca.pem'), ca.caPem);
		const trusted = await run(world, onaClaims(world), {
			vaultAddr: tlsVault.url,
			env: {VAULT_CACERT: join(directory, 'ca.pem'), HOME: '/nonexistent'},
		});
		assert.equal(check(trusted, 'vault.health').status, 'pass');
		assert.equal(trusted.login.allowed, true);
		const skipped = await run(world, onaClaims(world), {
			vaultAddr: tlsVault.url,
			env: {VAULT_SKIP_VERIFY: 'true', HOME: '/nonexistent'},
		});
		assert.equal(check(skipped, 'vault.tls-verify').status, 'warn');
		assert.equal(check(skipped, 'vault.health').status, 'pass');
		const wrongHost = await startVaultEmulator({tls: ca.issue(['vault.example.com'])});
		try {
			const report = await run(world, onaClaims(world), {
				vaultAddr: wrongHost.url,
				env: {VAULT_CACERT: join(directory, 'ca.pem'), HOME: '/nonexistent'},
			});
			assert.equal(check(report, 'vault.health').problem, 'vault-tls');
		} finally {
			await wrongHost.close();
		}
	} finally {
		await tlsVault.close();
	}
});

test('namespaces: the mount lives in another namespace', async () => {
	const namespaced = await startWorld({
		mounts: {},
		namespaces: {team: {jwt: {config: {oidc_discovery_url: ''}, roles: {}}}},
	});
	try {
		namespaced.vault.mounts('team').jwt!.config = {oidc_discovery_url: namespaced.issuer.issuer};
		namespaced.vault.mounts('team').jwt!.roles = {'ona-project': onaRole};
		const root = await run(namespaced, onaClaims(namespaced));
		assert.equal(check(root, 'vault.mount').problem, 'namespace-wrong');
		assert.equal(check(root, 'login.attempt').problem, 'mount-not-found');
		const inTeam = await run(namespaced, onaClaims(namespaced), {
			namespace: 'team',
			env: {HOME: '/nonexistent'},
		});
		assert.equal(inTeam.login.allowed, true);
	} finally {
		await namespaced.close();
	}
});
