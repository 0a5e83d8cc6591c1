import assert from 'node:assert/strict';
import {mkdtemp, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {compactJws, runCli} from './helpers/run-cli.js';
import {
	adminToken,
	onaClaims,
	onaRole,
	readAsAdmin,
	readerToken,
	startWorld,
	type World,
} from './helpers/world.js';

let world: World;
let backups: string;

before(async () => {
	world = await startWorld();
	backups = await mkdtemp(join(tmpdir(), 'ovd-cli-backups-'));
});

after(async () => {
	await world.close();
});

const env = (token: string, vaultToken = adminToken) => ({
	VAULT_ADDR: world.vault.url,
	VAULT_TOKEN: vaultToken,
	JOB_TOKEN: token,
	HOME: backups,
});

test('onboard --apply --yes: proposal, backup, role and policy written, then the login works', async () => {
	const token = await world.issuer.sign(onaClaims(world));
	const {code, stdout, stderr} = await runCli(
		[
			'onboard',
			'--token-env',
			'JOB_TOKEN',
			'--role-name',
			'team-app',
			'--secret-path',
			'secret/team-app/*',
			'--apply',
			'--yes',
			'--backup-dir',
			backups,
		],
		{env: env(token)},
	);
	assert.equal(code, 0, stderr + stdout);
	assert.match(stdout, /✔ This token would be accepted by the proposed role\./);
	assert.match(stdout, /auth\/jwt\/role\/team-app: applied and verified/);
	assert.match(stdout, /Policy team-app-read written\./);
	assert.doesNotMatch(stdout, compactJws);
	const login = await runCli(['--token-env', 'JOB_TOKEN', '--role', 'team-app', '--json'], {
		env: env(token, readerToken),
	});
	assert.equal((JSON.parse(login.stdout) as {login: {actual: unknown}}).login.actual, null);

	// Undoing the onboarding removes what it created: the policy too (it was backed up as absent), not only the role.
	const policyBackup = (await readdir(backups)).find(name =>
		name.includes('sys_policies_acl_team-app-read-'),
	);
	assert.ok(policyBackup, 'the policy was backed up before it was written');
	const undo = `undo (the policy did not exist before: deletes it):\nona-vault-doctor restore ${join(backups, policyBackup)}\n`;
	assert.ok(stdout.includes(undo), stdout);
	assert.ok(policyText(await readAsAdmin(world, 'sys/policies/acl/team-app-read')).includes('team-app'));
	const restored = await runCli(['restore', join(backups, policyBackup), '--yes'], {env: env(token)});
	assert.equal(restored.code, 0, restored.stderr + restored.stdout);
	assert.match(restored.stdout, /did not exist before the change: restoring deletes it/);
	assert.equal(await policyStatus('team-app-read'), 404);
});

const policyText = (data: Record<string, unknown> | undefined) => String(data?.['policy'] ?? '');
const policyStatus = async (name: string) =>
	(await fetch(`${world.vault.url}/v1/sys/policies/acl/${name}`, {headers: {'x-vault-token': adminToken}}))
		.status;

test('onboard --apply onto an existing policy: its rules are kept, and restore puts back the text it had', async () => {
	const before = 'path "secret/data/shared/*" {\n  capabilities = ["read"]\n}\n';
	const put = await fetch(`${world.vault.url}/v1/sys/policies/acl/shared-read`, {
		method: 'PUT',
		headers: {'x-vault-token': adminToken},
		body: JSON.stringify({policy: before}),
	});
	assert.equal(put.status, 204);
	const token = await world.issuer.sign(onaClaims(world));
	const onboard = await runCli(
		[
			'onboard',
			'--token-env',
			'JOB_TOKEN',
			'--role-name',
			'shared-app',
			'--policy-name',
			'shared-read',
			'--secret-path',
			'secret/shared-app/*',
			'--apply',
			'--yes',
			'--backup-dir',
			backups,
		],
		{env: env(token)},
	);
	assert.equal(onboard.code, 0, onboard.stderr + onboard.stdout);
	assert.match(onboard.stdout, /Policy shared-read: the new paths were added at its end/);
	assert.match(onboard.stdout, /undo \(puts the policy back as it was\):\nona-vault-doctor restore /);
	const appended = policyText(await readAsAdmin(world, 'sys/policies/acl/shared-read'));
	assert.ok(appended.startsWith(before) && appended.includes('secret/data/shared-app/*'), appended);
	const policyBackup = (await readdir(backups)).find(name => name.includes('sys_policies_acl_shared-read-'));
	assert.ok(policyBackup);
	const restored = await runCli(['restore', join(backups, policyBackup), '--yes'], {env: env(token)});
	assert.equal(restored.code, 0, restored.stderr + restored.stdout);
	assert.match(restored.stdout, /Restoring sys\/policies\/acl\/shared-read changes:/);
	assert.equal(policyText(await readAsAdmin(world, 'sys/policies/acl/shared-read')), before);
});

test('diagnose --apply needs --yes without a terminal, then fixes the role and re-runs', async () => {
	world.vault.mounts().jwt!.roles!['ona-project'] = {...onaRole, user_claim: 'email'};
	const token = await world.issuer.sign(onaClaims(world));
	const refused = await runCli(
		['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--apply', '--backup-dir', backups],
		{env: env(token)},
	);
	assert.equal(refused.code, 2);
	assert.match(refused.stderr, /Re-run with --yes/);
	assert.match(refused.stdout, /user_claim\n\s+- "email"\n\s+\+ "sub"/);
	const applied = await runCli(
		['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--apply', '--yes', '--backup-dir', backups],
		{env: env(token)},
	);
	assert.equal(applied.code, 0, applied.stdout);
	assert.match(applied.stdout, /applied and verified \(user_claim\)/);
	assert.match(applied.stdout, /after the change[\s\S]*Vault accepts this login/);
	const files = await readdir(backups);
	assert.ok(files.some(name => name.startsWith('ona-vault-doctor-backup-auth_jwt_role_ona-project-')));
	const restore = await runCli(
		['restore', join(backups, files.find(name => name.includes('role_ona-project'))!), '--yes'],
		{env: env(token)},
	);
	assert.equal(restore.code, 0, restore.stderr);
	assert.equal(world.vault.mounts().jwt!.roles!['ona-project']!['user_claim'], 'email');
});

test('audit lists risky roles and fails on them; --find-role names the roles that accept the token', async () => {
	world.vault.mounts().jwt!.roles!['org-wide'] = {...onaRole, bound_claims: {organization_id: 'x'}};
	const audit = await runCli(['audit', '--fail-on', 'high', '--json'], {env: env('', readerToken)});
	assert.equal(audit.code, 1);
	const result = JSON.parse(audit.stdout) as {findings: Array<{role?: string; problem?: string}>};
	assert.ok(
		result.findings.some(finding => finding.role === 'org-wide' && finding.problem === 'role-too-broad'),
	);
	const none = await runCli(['audit', '--fail-on', 'none'], {env: env('', readerToken)});
	assert.equal(none.code, 0);
	world.vault.mounts().jwt!.roles!['ona-project'] = onaRole;
	const token = await world.issuer.sign(onaClaims(world));
	const found = await runCli(['--find-role', '--token-env', 'JOB_TOKEN', '--json'], {
		env: env(token, readerToken),
	});
	assert.equal(found.code, 0, found.stderr);
	const candidates = (JSON.parse(found.stdout) as {candidates: Array<{role: string; allowed: boolean}>})
		.candidates;
	assert.ok(candidates.find(candidate => candidate.role === 'ona-project')?.allowed);
	assert.equal(candidates.find(candidate => candidate.role === 'org-wide')?.allowed, false);
});
