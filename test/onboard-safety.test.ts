/*
Onboarding writes a role only where it will work and never over someone else's: on the mount whose config
trusts the token's issuer, from a token whose signature verifies there, never over an existing role without
--replace, and with names and durations Vault accepts.
*/
import assert from 'node:assert/strict';
import {chmod, mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {runCli} from './helpers/run-cli.js';
import {
	adminToken,
	onaClaims,
	onaRole,
	organizationId,
	readAsAdmin,
	startWorld,
	type World,
} from './helpers/world.js';

let world: World;
let backups: string;

before(async () => {
	world = await startWorld();
	world.vault.mounts()['circleci'] = {
		config: {oidc_discovery_url: 'https://oidc.circleci.com/org/0193b6c2-0000-7000-8000-000000000000'},
		roles: {},
	};
	backups = await mkdtemp(join(tmpdir(), 'ovd-onboard-'));
});

after(async () => {
	await world.close();
});

const onboard = async (args: string[], token?: string) =>
	runCli(['onboard', '--token-env', 'JOB_TOKEN', '--backup-dir', backups, ...args], {
		env: {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: adminToken,
			JOB_TOKEN: token ?? (await world.issuer.sign(onaClaims(world))),
			HOME: backups,
		},
	});

test('without --mount, onboarding uses the mount whose config trusts the token, not the first one', async () => {
	const result = await onboard(['--role-name', 'found-mount', '--apply', '--yes']);
	assert.equal(result.code, 0, result.stdout + result.stderr);
	assert.match(result.stderr, /Using auth\/jwt: its config trusts http:\/\/127\.0\.0\.1:\d+\./);
	assert.ok(world.vault.mounts().jwt!.roles!['found-mount']);
	assert.deepEqual(world.vault.mounts()['circleci']!.roles, {});
});

test('a mount that trusts another issuer is refused before anything is written', async () => {
	const result = await onboard(['--role-name', 'wrong-mount', '--mount', 'circleci', '--apply', '--yes']);
	assert.equal(result.code, 2);
	assert.match(
		result.stderr,
		/Not applying: auth\/circleci trusts https:\/\/oidc\.circleci\.com\/org\/\S+, not the token's issuer/,
	);
	assert.doesNotMatch(result.stdout, /applied and verified/);
	assert.deepEqual(world.vault.mounts()['circleci']!.roles, {});
});

test('an existing role is not rewritten without --replace; with it, the merged role keeps its other fields', async () => {
	const existing = {
		...onaRole,
		token_policies: ['team-policy'],
		bound_claims: {organization_id: organizationId},
		clock_skew_leeway: 30,
	};
	world.vault.mounts().jwt!.roles!['shared'] = structuredClone(existing);
	const refused = await onboard(['--role-name', 'shared', '--apply', '--yes']);
	assert.equal(refused.code, 2);
	assert.match(refused.stderr, /already exists; onboarding never rewrites a role silently.*--replace/s);
	assert.deepEqual(world.vault.mounts().jwt!.roles!['shared'], existing);

	const replaced = await onboard(['--role-name', 'shared', '--apply', '--yes', '--replace']);
	assert.equal(replaced.code, 0, replaced.stdout + replaced.stderr);
	assert.match(replaced.stdout, /Change to auth\/jwt\/role\/shared:/);
	assert.match(replaced.stdout, /applied and verified/);
	const merged = await readAsAdmin(world, 'auth/jwt/role/shared');
	assert.equal(merged['clock_skew_leeway'], 30, 'a field the proposal does not set is kept');
	assert.deepEqual(Object.keys(merged['bound_claims'] as object).sort(), ['organization_id', 'project_id']);
});

test('a forged token is never onboarded', async () => {
	const claims = onaClaims(world);
	const [header, , signature] = (await world.issuer.sign(claims)).split('.');
	const payload = Buffer.from(JSON.stringify({...claims, project_id: 'tampered'})).toString('base64url');
	const result = await onboard(
		['--role-name', 'forged', '--apply', '--yes'],
		`${header}.${payload}.${signature}`,
	);
	assert.equal(result.code, 2);
	assert.match(result.stderr, /signature did not verify.*never built from unverified claims/);
	assert.equal(world.vault.mounts().jwt!.roles!['forged'], undefined);
});

test('names and durations Vault would refuse are refused first', async () => {
	for (const [args, message] of [
		[['--role-name', '../sys/x'], /is not a role name Vault accepts/],
		[['--role-name', 'ok', '--ttl', 'soon'], /--ttl "soon" is not a duration/],
		[['--role-name', 'ok', '--ttl', '2h', '--max-ttl', '1h'], /--ttl is longer than --max-ttl/],
	] as const) {
		const result = await onboard([...args]);
		assert.equal(result.code, 2, result.stdout);
		assert.match(result.stderr, message);
	}
});

test('a world-writable backup directory is warned about before onboarding writes', async () => {
	const loose = await mkdtemp(join(tmpdir(), 'ovd-onboard-loose-'));
	await chmod(loose, 0o777);
	const result = await runCli(
		[
			'onboard',
			'--token-env',
			'JOB_TOKEN',
			'--role-name',
			'loose-dir',
			'--apply',
			'--yes',
			'--backup-dir',
			loose,
		],
		{
			env: {
				VAULT_ADDR: world.vault.url,
				VAULT_TOKEN: adminToken,
				JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
				HOME: backups,
			},
		},
	);
	assert.equal(result.code, 0, result.stdout + result.stderr);
	assert.match(result.stderr, /warning: The backup directory .* is writable by every user \(mode 0777\)/);
});
