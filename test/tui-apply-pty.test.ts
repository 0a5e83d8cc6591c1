import assert from 'node:assert/strict';
import {mkdtemp} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {closeAllPty, spawnPty} from './helpers/pty.js';
import {cliPath, runCli} from './helpers/run-cli.js';
import {
	adminToken,
	onaClaims,
	onaRole,
	organizationId,
	projectId,
	readAsAdmin,
	readerToken,
	startWorld,
	type World,
} from './helpers/world.js';

/*
The closed loop through the TUI's A key, in a real pseudo-terminal: a bound claim that refuses the token, A shows
the change, y writes it (backup first, read back), and the same login is then accepted; the role differs from
before only in that claim.
*/

let world: World;
let backups: string;

before(async () => {
	world = await startWorld();
	backups = await mkdtemp(join(tmpdir(), 'ovd-tui-apply-'));
});

after(async () => {
	await closeAllPty();
	await world.close();
});

test('A, then y, in the TUI fixes a bound claim; the login is then accepted and nothing else changed', {
	timeout: 90_000,
}, async () => {
	const otherProject = '0193b6c3-0000-7000-8000-000000000000';
	world.vault.mounts().jwt!.roles = {
		'ona-project': {...onaRole, bound_claims: {organization_id: organizationId, project_id: otherProject}},
	};
	const token = await world.issuer.sign(onaClaims(world));
	const read = () => readAsAdmin(world, 'auth/jwt/role/ona-project');
	const before = await read();
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN', '--backup-dir', backups], {
		cols: 100,
		rows: 30,
		env: {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: adminToken,
			IDP_VAULT_ROLE: 'ona-project',
			JOB_TOKEN: token,
			HOME: backups,
		},
	});
	await session.waitFor('Vault refuses this login');
	session.press('A');
	await session.waitFor(/Apply these changes\?/);
	assert.match(session.screen(), /bound_claims/);
	session.press('y');
	await session.waitFor(/applied and verified \(bound_claims\)/);
	session.press('q');
	await session.exited;

	const after = await read();
	assert.deepEqual(after['bound_claims'], {organization_id: organizationId, project_id: projectId});
	assert.deepEqual({...after, bound_claims: before['bound_claims']}, before, 'nothing else changed');
	const again = await runCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json'], {
		env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: readerToken, JOB_TOKEN: token, HOME: backups},
	});
	assert.equal((JSON.parse(again.stdout) as {login: {actual: unknown}}).login.actual, null);
});
