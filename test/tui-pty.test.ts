import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {closeAllPty, type PtySession, spawnPty} from './helpers/pty.js';
import {cliPath} from './helpers/run-cli.js';
import {onaClaims, onaRole, readerToken, startWorld, type World} from './helpers/world.js';

/*
The interactive doctor as a person uses it: the built CLI in a real pseudo-terminal (node-pty, screen read
through a headless xterm), keys pressed one by one, the screen and the exit code checked.
*/

let world: World;
let token: string;

before(async () => {
	world = await startWorld();
	// A second JWT mount that trusts another issuer: the mount choice and the mount picker have something to do.
	world.vault.mounts()['circleci'] = {
		type: 'jwt',
		config: {bound_issuer: 'https://oidc.circleci.com/org/0193b6c2'},
		roles: {deploy: onaRole},
	} as never;
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

/*
Fit at 80×24, 100×30 and 120×40: nothing is cut that matters, a view longer than the terminal scrolls under a
header that stays, copy targets come out whole, status lines end with their run. Deadlines are hang guards only.
*/

const sizes: Array<[number, number]> = [
	[80, 24],
	[100, 30],
	[120, 40],
];

/** The screen never holds more rows than the terminal and the title is on its first row. */
function assertFits(session: PtySession, rows: number, where: string) {
	const screen = session.screen().split('\n');
	assert.ok(screen.length <= rows, where);
	assert.match(
		screen[0] ?? '',
		/^ona-vault-doctor/,
		`${where}: the header is still on screen\n${screen.join('\n')}`,
	);
}

for (const [cols, rows] of sizes) {
	test(`at ${cols}×${rows}: Vault's answer wraps whole, every view fits, the role view cuts no UUID`, async () => {
		const session = spawnPty(process.execPath, [cliPath, 'demo'], {cols, rows});
		await session.waitFor('Vault refuses this login');
		const flat = session.screen().replaceAll('\n', ' ').replace(/\s+/g, ' ');
		assert.ok(
			flat.includes(
				'Vault would answer: error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
			),
			`the answer is wrapped, not cut:\n${session.screen()}`,
		);
		assertFits(session, rows, 'run view');
		for (const [key, shows] of [
			['t', 'Signature: present, never shown.'],
			['v', 'auth/jwt/role/ona-project'],
			['?', 'Keys'],
		] as const) {
			session.press(key);
			await session.waitFor(shows);
			assertFits(session, rows, `view ${key}`);
			session.press('escape');
			await session.waitFor('↑↓ select');
		}

		session.press('v');
		await session.waitFor('auth/jwt/role/ona-project');
		for (let page = 0; page < 3; page++) session.press('pagedown');
		await session.waitFor('auth/jwt/config');
		assertFits(session, rows, 'role view, scrolled');
		session.press('pageup');
		session.press('pageup');
		session.press('pageup');
		await session.waitFor('claim project_id');
		// Every UUID the role view shows is whole, and no two values touch.
		const roleScreen = session.screen();
		for (const uuid of roleScreen.match(/"0193b6c[0-9a-f-]*"?/g) ?? [])
			assert.match(uuid, /^"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$/, roleScreen);
		assert.doesNotMatch(roleScreen, /…\[|…"/, 'no value runs into the next');
		session.press('q');
		assert.equal(await session.exited, 1);
	});
}

test('at 80×24 a finding scrolls: PgDn shows the rest, the header stays, the selected step stays in view', async () => {
	const session = spawnPty(process.execPath, [cliPath, 'demo'], {cols: 80, rows: 24});
	await session.waitFor('Vault refuses this login');
	session.press('enter');
	await session.waitFor('Evidence');
	for (let step = 0; step < 3; step++) session.press('down');
	await session.waitFor(/› 4\. vault write auth\/jwt\/role\/ona-project/);
	assertFits(session, 24, 'step 4 selected');
	assert.match(session.screen(), /"bound_audiences"/, 'the selected heredoc is shown whole');
	session.press('pagedown');
	await session.settle();
	assertFits(session, 24, 'after PgDn');
	session.press('q');
	assert.equal(await session.exited, 1);
});

test('copy targets come out whole: above the doctor and again after quitting, on lines of their own', async () => {
	const session = spawnPty(process.execPath, [cliPath, 'demo'], {cols: 80, rows: 24});
	await session.waitFor('Vault refuses this login');
	session.press('enter');
	await session.waitFor('Evidence');
	session.press('down');
	session.press('c');
	await session.waitFor('Copied step 2');
	session.press('q');
	assert.equal(await session.exited, 1);
	const command = 'ona idp login vault --role ona-project --audience vault.hashicorp.com';
	const output = session.output();
	// Printed raw (the terminal may soft-wrap it, so a copy takes it whole), never broken by the TUI's layout.
	assert.match(output, new RegExp(`\\n${command}\\r?\\n`), 'printed above the doctor, unwrapped');
	assert.ok(output.includes('Copied in this session'), 'printed again after quitting');
	const after = output.slice(output.lastIndexOf('Copied in this session'));
	assert.match(after, new RegExp(`\\n${command}\\r?\\n`), `on a line of its own:\n${after}`);
	// The shell prompt lands on a fresh line: the cursor is at the start of a line after the last text.
	const buffer = session.terminal.buffer.active;
	assert.equal(buffer.cursorX, 0);
});

test('after q the cursor rests on a fresh line below the help bar', async () => {
	const session = spawnPty(process.execPath, [cliPath, 'demo'], {cols: 80, rows: 24});
	await session.waitFor('Vault refuses this login');
	session.press('q');
	assert.equal(await session.exited, 1);
	const lines = session.screen().split('\n');
	const buffer = session.terminal.buffer.active;
	assert.equal(buffer.cursorX, 0);
	assert.equal(lines[buffer.cursorY], '', 'the prompt gets an empty line');
	assert.match(lines[buffer.cursorY - 1] ?? '', /q quit/);
});

test('status lines end with their run; a picker choice is not called --mount; A is hidden with nothing failed', async () => {
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
		cols: 100,
		rows: 30,
		env: env(),
	});
	await session.waitFor('Vault refuses this login');
	assert.match(session.screen(), /mount\s+auth\/jwt \(its config trusts/);
	session.press('m');
	await session.waitFor('Choose the auth mount');
	// The mount that trusts the token's issuer comes first.
	await session.waitFor(/› jwt\n\s+circleci/);
	session.press('down');
	session.press('enter');
	await session.waitFor('auth/circleci (chosen in the doctor)');
	await session.waitFor('Vault refuses this login');
	await session.settle();
	assert.doesNotMatch(session.screen(), /Re-running with/, 'the status line is gone once the run ended');
	assert.doesNotMatch(session.screen(), /\(--mount\)/);
	// A token from a variable was minted already: the audience picker says why it cannot help.
	session.press('a');
	await session.waitFor('its audience was set when it was minted');
	assert.doesNotMatch(session.screen(), /Choose the audience/);
	session.press('q');
	assert.equal(await session.exited, 1);
});

test('a passing run offers no "A apply fixes"; a pasted token is called pasted', async () => {
	const good = await world.issuer.sign(onaClaims(world));
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
		cols: 100,
		rows: 30,
		env: {...env(), JOB_TOKEN: good},
	});
	await session.waitFor('Vault accepts this login');
	assert.doesNotMatch(session.screen(), /A apply fixes/);
	session.press('A');
	await session.waitFor('nothing to apply');
	session.press('p');
	await session.waitFor('paste the token');
	session.write(good);
	await session.waitFor('looks like a JWT');
	session.press('enter');
	await session.waitFor('from the pasted token');
	await session.waitFor('Vault accepts this login');
	assert.doesNotMatch(session.screen(), /from --token/);
	session.press('q');
	assert.equal(await session.exited, 0);
	assert.ok(!session.output().includes(good.split('.')[2]!), 'the signature never reaches the terminal');
});

test('the first frame names what is checked before the TUI has loaded, and the TUI takes it over', async () => {
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
		cols: 100,
		rows: 30,
		env: env(),
	});
	await session.waitFor(`Checking the token, its issuer and the login at ${world.vault.url}`);
	await session.waitFor('Vault refuses this login');
	const screen = session.screen();
	assert.equal((screen.match(/^ona-vault-doctor/gm) ?? []).length, 1, `one title, not two:\n${screen}`);
	session.press('q');
	assert.equal(await session.exited, 1);
});

test('guided onboarding asks for the role name; quitting after c prints the commands; --no-tui prints text', async () => {
	const good = await world.issuer.sign(onaClaims(world));
	const session = spawnPty(process.execPath, [cliPath, 'onboard', '--token-env', 'JOB_TOKEN'], {
		cols: 100,
		rows: 30,
		env: {...env(), JOB_TOKEN: good},
	});
	await session.waitFor('The name of the role to create');
	session.write('Team-App');
	await session.waitFor('Team-App');
	session.press('enter');
	// This world has two JWT mounts: the one trusting the token's issuer is offered first.
	await session.waitFor('Which JWT auth mount gets the role?');
	assert.match(session.screen(), /› auth\/jwt \(trusts this token's issuer\)/);
	session.press('enter');
	await session.waitFor('Which platform mints the tokens?');
	assert.match(session.screen(), /auth\/jwt\/role\/team-app/);
	for (const expected of [
		'Which claims must match?',
		'The audience to bind',
		'Secret paths to grant read on',
	]) {
		session.press('enter');
		await session.waitFor(expected);
	}
	session.press('enter');
	await session.waitFor('This token would be accepted by the proposed role.');
	session.press('c');
	await session.waitFor('printed again when you quit');
	session.press('q');
	assert.equal(await session.exited, 0);
	const output = session.output();
	const printed = output.slice(output.lastIndexOf('The onboarding commands (copied with c)'));
	assert.match(printed, /vault write auth\/jwt\/role\/team-app/);

	const {runCli} = await import('./helpers/run-cli.js');
	const text = await runCli(['onboard', '--no-tui', '--token-env', 'JOB_TOKEN', '--role-name', 'team-app'], {
		env: {...env(), JOB_TOKEN: good},
	});
	assert.equal(text.code, 0, text.stderr);
	assert.match(text.stdout, /Proposed role auth\/jwt\/role\/team-app/);
	const missing = await runCli(['onboard', '--no-tui', '--token-env', 'JOB_TOKEN'], {
		env: {...env(), JOB_TOKEN: good},
	});
	assert.equal(missing.code, 2);
	assert.match(missing.stderr, /needs --role-name/);
});

test('a flag the diagnosis cannot run with is refused on a terminal before the first frame is drawn', async () => {
	for (const [flags, message] of [
		[['--timeout', 'abc'], '--timeout takes seconds'],
		[['--source', 'nowhere'], '--source must be one of'],
		[['--role', '../x'], 'role'],
	] as const) {
		const session = spawnPty(process.execPath, [cliPath, ...flags], {cols: 100, rows: 30, env: env()});
		assert.equal(await session.exited, 2, session.output());
		assert.ok(session.output().includes(message), session.output());
		assert.doesNotMatch(session.output(), /Checking the token/, 'no first frame before the usage error');
	}
});
