/*
Faults on the write path. After each, the role still exists with every field it had (or exactly the intended
change), and the outcome says which: a failed write, a failed read-back, a failed rollback, a change made by
someone else since the diff, a signal in the middle of a write, and a restore from a tampered backup.
*/
import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, beforeEach, test} from 'node:test';
import {applyChange, loadBackup} from '../source/core/admin/apply.js';
import type {Edit} from '../source/core/admin/edits.js';
import type {VaultWriter} from '../source/core/probes/vault.js';
import {cliPath, runCli} from './helpers/run-cli.js';
import {
	adminToken,
	adminWriter,
	onaClaims,
	onaRole,
	organizationId,
	projectId,
	startWorld,
	type World,
} from './helpers/world.js';

let world: World;
let backups: string;
let writer: VaultWriter;
const target = {kind: 'role', mount: 'jwt', role: 'ona-project'} as const;
const otherProject = '0193b6c3-0000-7000-8000-000000000000';
const mismatched = {...onaRole, bound_claims: {organization_id: organizationId, project_id: otherProject}};
const bindProject: Edit[] = [{op: 'bind-claim', claim: 'project_id', value: projectId}];

before(async () => {
	world = await startWorld();
	backups = await mkdtemp(join(tmpdir(), 'ovd-faults-'));
	writer = adminWriter(world);
});

after(async () => {
	await world.close();
});

beforeEach(() => {
	world.vault.mounts().jwt!.roles = {'ona-project': structuredClone(mismatched)};
	world.vault.state.failNext.length = 0;
	world.vault.state.beforeNext.length = 0;
});

async function roleNow(): Promise<Record<string, unknown>> {
	const answer = await writer.read('auth/jwt/role/ona-project');
	assert.ok(answer.ok, 'the role still exists');
	return answer.data as Record<string, unknown>;
}

const roleWrites = () =>
	world.vault.requests.filter(
		request => request.path === 'auth/jwt/role/ona-project' && request.method !== 'GET',
	);

/** A writer whose nth call of one kind answers 500, the others going to Vault. */
function failing(kind: 'read' | 'write', nth: number): VaultWriter {
	const wrapped = Object.create(writer) as VaultWriter;
	let calls = 0;
	wrapped[kind] = (async (path: string, data?: Record<string, unknown>) => {
		calls++;
		if (calls === nth)
			return {
				ok: false,
				status: 500,
				notFound: false,
				problem: 'unknown',
				message: `${kind.toUpperCase()} ${path}: HTTP 500: injected`,
			};
		return kind === 'read' ? writer.read(path) : writer.write(path, data!);
	}) as never;
	return wrapped;
}

test('the write answers 500: nothing to undo, no second write, the role is as it was', async () => {
	const before = await roleNow();
	const writes = roleWrites().length;
	const result = await applyChange(failing('write', 1), target, bindProject, {backupDirectory: backups});
	assert.equal(result.outcome, 'not-written');
	assert.match(result.state, /Nothing was written/);
	assert.equal(roleWrites().length, writes, 'no DELETE, no rollback write');
	assert.deepEqual(await roleNow(), before);
});

test('the read-back answers 500: the change is in Vault, the outcome says it is unverified and how to undo it', async () => {
	const before = await roleNow();
	const result = await applyChange(failing('read', 2), target, bindProject, {backupDirectory: backups});
	assert.equal(result.outcome, 'failed');
	assert.ok(result.outcome === 'failed');
	assert.match(result.state, /probably written but not verified.*ona-vault-doctor restore /s);
	const now = await roleNow();
	assert.deepEqual(now['bound_claims'], {organization_id: organizationId, project_id: projectId});
	assert.deepEqual({...now, bound_claims: before['bound_claims']}, before, 'exactly the intended change');
});

test('a wrong read-back whose rollback write answers 500: the role exists, with the intended change, and the state says so', async () => {
	const before = await roleNow();
	const wrapped = failing('write', 2);
	let reads = 0;
	wrapped.read = (async (path: string) => {
		const answer = await writer.read(path);
		reads++;
		return reads === 2 && answer.ok ? {...answer, data: {...(answer.data as object), token_ttl: 1}} : answer;
	}) as VaultWriter['read'];
	const result = await applyChange(wrapped, target, bindProject, {backupDirectory: backups});
	assert.equal(result.outcome, 'failed');
	assert.ok(result.outcome === 'failed');
	assert.match(result.error, /read-back does not match for token_ttl; restoring the backup also failed/);
	assert.match(result.state, /it still exists; restore it with: ona-vault-doctor restore /);
	const now = await roleNow();
	assert.deepEqual({...now, bound_claims: before['bound_claims']}, before, 'every other field as it was');
	assert.ok(!roleWrites().some(request => request.method === 'DELETE'), 'never deleted');
});

test('a change by someone else since the diff: nothing is written, their binding stays, the new diff is given', async () => {
	const shown = await roleNow();
	const role = world.vault.mounts().jwt!.roles!['ona-project']!;
	role['bound_claims'] = {...(role['bound_claims'] as object), environment_id: 'env-1'};
	const result = await applyChange(writer, target, bindProject, {backupDirectory: backups, basedOn: shown});
	assert.equal(result.outcome, 'stale');
	assert.ok(result.outcome === 'stale');
	assert.deepEqual(
		result.changes.map(change => change.to),
		[{organization_id: organizationId, project_id: projectId, environment_id: 'env-1'}],
		'the new diff keeps their binding',
	);
	assert.deepEqual((await roleNow())['bound_claims'], {
		organization_id: organizationId,
		project_id: otherProject,
		environment_id: 'env-1',
	});
});

test('a fix that would remove or empty a binding is refused before anything is written', async () => {
	const before = await roleNow();
	const result = await applyChange(writer, target, [{op: 'set', field: 'bound_claims', value: {}}], {
		backupDirectory: backups,
	});
	assert.equal(result.outcome, 'refused');
	assert.ok(result.outcome === 'refused');
	assert.match(
		result.error,
		/widen who may log in \(bound_claims loses "organization_id"; bound_claims loses "project_id"\)/,
	);
	assert.deepEqual(await roleNow(), before);
});

test('a config holding an OIDC client secret is never rewritten: the secret would be lost', async () => {
	const mount = world.vault.mounts().jwt!;
	const config = structuredClone(mount.config!);
	mount.config = {...config, oidc_client_id: 'client', oidc_client_secret: 'kept-secret'};
	try {
		const result = await applyChange(
			writer,
			{kind: 'config', mount: 'jwt'},
			[{op: 'set', field: 'bound_issuer', value: world.issuer.issuer}],
			{backupDirectory: backups},
		);
		assert.equal(result.outcome, 'refused');
		assert.ok(result.outcome === 'refused');
		assert.match(result.error, /oidc_client_secret/);
		assert.equal(mount.config['oidc_client_secret'], 'kept-secret');
	} finally {
		mount.config = config;
	}
});

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
	test(`${signal} during the write: the write finishes and is verified, then the doctor exits with the signal's code`, {
		timeout: 60_000,
	}, async () => {
		let release!: () => void;
		let held!: () => void;
		const holding = new Promise<void>(resolve => (held = resolve));
		world.vault.state.beforeNext.push({
			path: /^auth\/jwt\/role\/ona-project$/,
			method: 'POST',
			run: () => {
				held();
				return new Promise<void>(resolve => (release = resolve));
			},
		});
		const child = spawn(
			process.execPath,
			[
				cliPath,
				'--token-env',
				'JOB_TOKEN',
				'--role',
				'ona-project',
				'--apply',
				'--yes',
				'--backup-dir',
				backups,
			],
			{
				env: {
					...process.env,
					VAULT_ADDR: world.vault.url,
					VAULT_TOKEN: adminToken,
					JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
					HOME: backups,
					FORCE_COLOR: '0',
				},
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let stdout = '';
		let stderr = '';
		child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
		child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
		const exited = new Promise<number | null>(resolve => child.on('close', resolve));
		await holding;
		child.kill(signal);
		while (!stderr.includes('finishing the write in progress'))
			await new Promise(resolve => setTimeout(resolve, 20));
		release();
		const code = await exited;
		assert.equal(code, {SIGINT: 130, SIGTERM: 143, SIGHUP: 129}[signal], stdout + stderr);
		assert.match(
			stdout,
			/backup saved before writing: (\S+)\n {2}to undo, run:\nona-vault-doctor restore \S+/,
		);
		assert.match(stdout, /applied and verified \(bound_claims\)/);
		assert.deepEqual((await roleNow())['bound_claims'], {
			organization_id: organizationId,
			project_id: projectId,
		});
	});
}

test('restore: a tampered backup path, another address, a missing file: refused, nothing sent', async () => {
	const result = await applyChange(writer, target, bindProject, {backupDirectory: backups});
	assert.ok(result.outcome === 'applied');
	const backup = JSON.parse(await readFile(result.backupFile, 'utf8')) as Record<string, unknown>;
	const env = {VAULT_ADDR: world.vault.url, VAULT_TOKEN: adminToken, HOME: backups};
	const requestsBefore = world.vault.requests.length;

	const tampered = join(backups, 'tampered.json');
	await writeFile(
		tampered,
		JSON.stringify({...backup, target: {kind: 'role', mount: 'jwt', role: '../../../sys/auth/jwt'}}),
	);
	const path = await runCli(['restore', tampered, '--yes'], {env});
	assert.equal(path.code, 2);
	assert.match(path.stderr, /is not a role name Vault accepts/);

	const elsewhere = join(backups, 'elsewhere.json');
	await writeFile(elsewhere, JSON.stringify({...backup, addr: 'https://attacker.example:8200'}));
	const address = await runCli(['restore', elsewhere, '--yes'], {env});
	assert.equal(address.code, 2);
	assert.match(
		address.stderr,
		/was saved from https:\/\/attacker\.example:8200, but this Vault is http:\/\/127\.0\.0\.1:\d+\. Nothing was written/,
	);
	assert.equal(world.vault.requests.length, requestsBefore, 'no request reached Vault');

	const restored = await runCli(['restore', result.backupFile, '--yes'], {env});
	assert.equal(restored.code, 0, restored.stderr);
	assert.match(restored.stdout, /Restoring auth\/jwt\/role\/ona-project changes:\n {2}bound_claims\n/);
	assert.deepEqual((await roleNow())['bound_claims'], mismatched.bound_claims);
	assert.ok(
		!world.vault.requests.slice(requestsBefore).some(request => request.method === 'DELETE'),
		'restore never deletes an existing role',
	);
	assert.equal((await loadBackup(result.backupFile)).existed, true);
});
