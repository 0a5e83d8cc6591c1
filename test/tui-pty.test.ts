import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {closeAllPty, spawnPty} from './helpers/pty.js';
import {cliPath} from './helpers/run-cli.js';
import {onaClaims, readerToken, startWorld, type World} from './helpers/world.js';

/*
The interactive doctor as a person uses it: the built CLI in a real pseudo-terminal (node-pty, screen read
through a headless xterm), keys pressed one by one, the screen and the exit code checked.
*/

let world: World;
let token: string;

before(async () => {
	world = await startWorld();
	token = await world.issuer.sign(onaClaims(world, {aud: ['sts.amazonaws.com']}));
});

after(async () => {
	await closeAllPty();
	await world.close();
});

const env = () => ({
	VAULT_ADDR: world.vault.url,
	VAULT_TOKEN: readerToken,
	IDP_VAULT_ROLE: 'ona-project',
	JOB_TOKEN: token,
	HOME: '/nonexistent',
});

test('a live diagnosis at 80×24: open the failed check, copy its fix, go back, quit with exit code 1', async () => {
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
		cols: 80,
		rows: 24,
		env: env(),
	});
	await session.waitFor('Vault refuses this login');
	await session.waitFor(/› ✖ fail\s+Audience \(bound_audiences\)/);
	const screen = session.screen();
	assert.match(screen, /Vault answered: error validating token: invalid audience/);
	assert.match(screen, /Login\s+› ✖ fail\s+Audience/);
	assert.ok(screen.split('\n').length <= 24);
	session.press('enter');
	await session.waitFor('Evidence');
	assert.match(session.screen(), /actual {4}\["sts.amazonaws.com"\]/);
	assert.match(
		session.screen().split('\n')[0] ?? '',
		/^ona-vault-doctor/,
		'the walkthrough fits 80×24: the title is still on screen',
	);
	assert.match(session.screen(), /› 1\. ona idp token --audience vault.hashicorp.com/);
	session.press('c');
	await session.waitFor('Copied step 1');
	assert.ok(
		session
			.output()
			.includes(
				`\u001B]52;c;${Buffer.from('ona idp token --audience vault.hashicorp.com').toString('base64')}\u0007`,
			),
		'OSC 52 sent',
	);
	session.press('escape');
	await session.waitFor('↑↓ select');
	session.press('q');
	assert.equal(await session.exited, 1);
	assert.ok(!session.output().includes(token.split('.')[2]!), 'the signature never reaches the terminal');
	assert.ok(!session.output().includes(readerToken));
});

test('the token and role views, a resize, and the demo exit code', async () => {
	const session = spawnPty(process.execPath, [cliPath, 'demo'], {cols: 100, rows: 30});
	await session.waitFor('Vault refuses this login');
	session.press('v');
	await session.waitFor('auth/jwt/role/ona-project');
	assert.match(session.screen(), /✖ fail\s+claim project_id/);
	session.resize(80, 24);
	session.press('t');
	await session.waitFor('Signature: present, never shown.');
	session.press('q');
	assert.equal(await session.exited, 1);
});

test('not on a terminal, the same command prints the text report instead', async () => {
	const {runCli} = await import('./helpers/run-cli.js');
	const {stdout, code} = await runCli(['demo'], {env: {CI: ''}});
	assert.equal(code, 1);
	assert.match(stdout, /^ona-vault-doctor demo:/);
	assert.ok(!stdout.includes('\u001B['));
});

test('screen-reader mode speaks the status words instead of the symbols', async () => {
	const session = spawnPty(process.execPath, [cliPath, 'demo'], {
		cols: 80,
		rows: 24,
		env: {INK_SCREEN_READER: 'true'},
	});
	await session.waitFor('Vault refuses this login');
	await session.waitFor(/›\s+fail\s+Audience \(bound_audiences\)/);
	assert.ok(!session.screen().includes('✖'), 'no symbol-only status');
	session.press('q');
	assert.equal(await session.exited, 1);
});
