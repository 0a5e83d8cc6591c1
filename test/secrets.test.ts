import assert from 'node:assert/strict';
import {mkdtemp, readdir, readFile, writeFile} from 'node:fs/promises';
import type {AddressInfo} from 'node:net';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {startIssuer} from './fixtures/oidc-issuer.js';
import {closeAllPty, spawnPty} from './helpers/pty.js';
import {type CliResult, cliPath, compactJws, runCli} from './helpers/run-cli.js';
import {adminToken, onaClaims, onaRole, readerToken, startWorld, type World} from './helpers/world.js';

/*
No secret leaves the doctor: not the platform token (neither whole nor its signature), not the reader's or the
admin's Vault token, not the token the test login obtains. Every command and output mode runs with known secrets
and every byte it writes (stdout, stderr, files, backups, the terminal) is searched for them.
*/

let world: World;
let scratch: string;
let backups: string;
let token: string;
let signature: string;
const badVaultToken = 'hvs.NotARealTokenButShapedLikeOne01';
const vaultToken = /\bhv[sbr]\.[A-Za-z0-9_-]{8,}/;

before(async () => {
	world = await startWorld();
	world.vault.mounts().jwt!.roles!['apply-target'] = {...onaRole, user_claim: 'email'};
	scratch = await mkdtemp(join(tmpdir(), 'ovd-secrets-'));
	backups = join(scratch, 'backups');
	token = await world.issuer.sign(onaClaims(world));
	signature = token.split('.')[2]!;
});

after(async () => {
	await closeAllPty();
	await world.close();
});

/** Fails with the label and the offending excerpt when a secret shows up in the text. */
function assertClean(label: string, text: string, extra: string[] = []): void {
	for (const [what, secret] of [
		['the token signature', signature],
		['the compact token', token],
		['the reader Vault token', readerToken],
		['the admin Vault token', adminToken],
		['a made-up Vault token', badVaultToken],
		...extra.map(value => ['a login Vault token', value]),
	] as const) {
		const at = text.indexOf(secret);
		assert.equal(at, -1, `${label} contains ${what}: …${text.slice(Math.max(0, at - 40), at + 60)}…`);
	}

	assert.doesNotMatch(text, compactJws, `${label} contains a compact JWS`);
	assert.doesNotMatch(text, vaultToken, `${label} contains a Vault token`);
}

const env = (extra: Record<string, string> = {}) => ({
	VAULT_ADDR: world.vault.url,
	VAULT_TOKEN: readerToken,
	JOB_TOKEN: token,
	HOME: scratch,
	...extra,
});

async function closedPort(): Promise<number> {
	const server = createServer();
	await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
	const {port} = server.address() as AddressInfo;
	await new Promise<void>(resolve => server.close(() => resolve()));
	return port;
}

test('every command and output mode keeps the token, its signature and the Vault tokens out of stdout, stderr and files', async () => {
	const reportFile = join(scratch, 'report.md');
	const tokenAsRoleFile = join(scratch, 'token-as-role.json');
	const truncatedRoleFile = join(scratch, 'truncated-role.json');
	await writeFile(tokenAsRoleFile, token);
	await writeFile(truncatedRoleFile, `{"auth": {"client_token": "${readerToken}", "policies": [`);
	const unreachable = `http://127.0.0.1:${await closedPort()}`;
	const diagnose = ['--token-env', 'JOB_TOKEN', '--role', 'ona-project'];
	const ciLog = [
		`$ vault write auth/jwt/login role=ona-project jwt=${token}`,
		'Error writing data to auth/jwt/login: Error making API request.',
		'',
		`URL: PUT ${world.vault.url}/v1/auth/jwt/login`,
		'Code: 400. Errors:',
		'',
		'* error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
	].join('\n');
	const oneLine = `2025-01-01T00:00:00Z [ERROR] agent.auth.handler: error authenticating: error="Error making API request. Code: 400. Errors: * error validating token: invalid audience (aud) claim" jwt=${token}`;
	const tokenFirst = `jwt=${token} -> error validating token: invalid audience (aud) claim`;

	const runs: Array<[string, Promise<CliResult>, number | null]> = [
		['text', runCli([...diagnose, '--secret-path', 'secret/my-app/db'], {env: env()}), 0],
		['--verbose', runCli([...diagnose, '--verbose'], {env: env()}), 0],
		['--json', runCli([...diagnose, '--json', '--secret-path', 'secret/my-app/db'], {env: env()}), 0],
		['--show-token (token from env)', runCli([...diagnose, '--show-token'], {env: env()}), 0],
		['--find-role', runCli(['--token-env', 'JOB_TOKEN', '--find-role'], {env: env()}), null],
		['--no-login --json', runCli([...diagnose, '--no-login', '--json'], {env: env()}), 0],
		['report --output', runCli(['report', ...diagnose, '--output', reportFile], {env: env()}), 0],
		['report (stdout)', runCli(['report', ...diagnose], {env: env()}), 0],
		['decode <token>', runCli(['decode', token], {env: env()}), 0],
		['decode -', runCli(['decode', '-'], {input: token, env: env()}), 0],
		['decode --json', runCli(['decode', '--json', '-'], {input: `  ${token}\n`, env: env()}), 0],
		['explain (CI log, stdin)', runCli(['explain', '-'], {input: ciLog, env: env()}), 0],
		['explain --json (CI log)', runCli(['explain', '--json', ciLog], {env: env()}), 0],
		['explain (token after the error, one line)', runCli(['explain', oneLine], {env: env()}), 0],
		['explain --json (token after the error)', runCli(['explain', '--json', oneLine], {env: env()}), 0],
		['explain (token before the error, one line)', runCli(['explain', tokenFirst], {env: env()}), 0],
		['--role-file holding the token', runCli([...diagnose, '--role-file', tokenAsRoleFile], {env: env()}), 2],
		[
			'--role-file truncated JSON with a Vault token',
			runCli([...diagnose, '--role-file', truncatedRoleFile, '--json'], {env: env()}),
			2,
		],
		[
			'unreachable Vault (text)',
			runCli([...diagnose, '--verbose'], {env: env({VAULT_ADDR: unreachable})}),
			1,
		],
		['unreachable Vault (--json)', runCli([...diagnose, '--json'], {env: env({VAULT_ADDR: unreachable})}), 1],
		[
			'unknown Vault token (--json)',
			runCli([...diagnose, '--json'], {env: env({VAULT_TOKEN: badVaultToken})}),
			null,
		],
		[
			'onboard --json',
			runCli(['onboard', '--token-env', 'JOB_TOKEN', '--role-name', 'proposal', '--json'], {env: env()}),
			0,
		],
		[
			'onboard (text)',
			runCli(['onboard', '--token-env', 'JOB_TOKEN', '--role-name', 'proposal'], {env: env()}),
			0,
		],
		[
			'onboard --apply --yes',
			runCli(
				[
					'onboard',
					'--token-env',
					'JOB_TOKEN',
					'--role-name',
					'secrets-onboard',
					'--secret-path',
					'secret/secrets-onboard/*',
					'--apply',
					'--yes',
					'--backup-dir',
					backups,
				],
				{env: env({VAULT_TOKEN: adminToken})},
			),
			0,
		],
		[
			'diagnose --apply --yes',
			runCli(
				['--token-env', 'JOB_TOKEN', '--role', 'apply-target', '--apply', '--yes', '--backup-dir', backups],
				{
					env: env({VAULT_TOKEN: adminToken}),
				},
			),
			0,
		],
		['audit', runCli(['audit', '--fail-on', 'none'], {env: env()}), 0],
		['audit --json', runCli(['audit', '--json', '--fail-on', 'none'], {env: env()}), 0],
	];

	const results = await Promise.all(
		runs.map(async ([label, pending, code]) => ({label, code, result: await pending})),
	);
	for (const {label, code, result} of results) {
		if (code !== null)
			assert.equal(result.code, code, `${label}: exit ${result.code}\n${result.stderr}${result.stdout}`);
		assertClean(`${label} stdout`, result.stdout);
		assertClean(`${label} stderr`, result.stderr);
	}

	const byLabel = (label: string) => results.find(item => item.label === label)!.result;
	// The runs did what they say, so the absence of secrets means something.
	assert.match(byLabel('text').stdout, /Vault accepts this login\./);
	assert.equal(
		(JSON.parse(byLabel('--json').stdout) as {token: {signature: string}}).token.signature,
		'(redacted)',
	);
	assert.match(
		byLabel('--show-token (token from env)').stdout,
		/printed only when it was given with --token/,
	);
	assert.match(byLabel('decode <token>').stdout, /signature: present, not shown/);
	assert.match(byLabel('explain (CI log, stdin)').stdout, /\[audience-mismatch\]/);
	assert.equal(
		(JSON.parse(byLabel('explain --json (token after the error)').stdout) as {problem: string}).problem,
		'audience-mismatch',
	);
	assert.match(byLabel('--role-file holding the token').stderr, /--role-file .* is not a JSON object/);
	assert.match(byLabel('unreachable Vault (text)').stdout, /refused/);
	assert.match(byLabel('onboard --apply --yes').stdout, /applied and verified/);
	assert.match(byLabel('diagnose --apply --yes').stdout, /applied and verified \(user_claim\)/);
	assert.match(byLabel('diagnose --apply --yes').stdout, /after the change[\s\S]*Vault accepts this login/);

	const markdown = await readFile(reportFile, 'utf8');
	assert.match(markdown, /^# ona-vault-doctor report/);
	assertClean('report file', markdown);

	const files = (await readdir(backups)).filter(name => name.endsWith('.json'));
	assert.ok(files.length >= 2, `backups: ${files.join(', ')}`);
	for (const name of files) {
		const text = await readFile(join(backups, name), 'utf8');
		assert.doesNotMatch(text, /hvs\./, `${name} holds a Vault token`);
		assertClean(name, text);
	}

	const backup = files.find(name => name.includes('role_apply-target'))!;
	const restored = await runCli(['restore', join(backups, backup), '--yes'], {
		env: env({VAULT_TOKEN: adminToken}),
	});
	assert.equal(restored.code, 0, restored.stderr);
	assertClean('restore stdout', restored.stdout);
	assertClean('restore stderr', restored.stderr);

	// Every login's Vault token was revoked: none is left in the emulator, and none reached an output.
	const revoked = [...world.vault.revoked];
	assert.ok(revoked.length > 0, 'the test logins were revoked');
	for (const value of revoked) assert.ok(!world.vault.tokens.has(value), 'a revoked token is gone');
	assert.deepEqual(
		[...world.vault.tokens.keys()].filter(value => value !== readerToken && value !== adminToken),
		[],
		'no login token outlives its run',
	);
	for (const {label, result} of results) assertClean(label, result.stdout + result.stderr, revoked);
});

test('the TUI in a terminal: neither the screen nor any byte written holds a secret', async () => {
	const before = world.vault.revoked.size;
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN', '--role', 'ona-project'], {
		cols: 100,
		rows: 30,
		env: env(),
	});
	await session.waitFor('Vault accepts this login', 15_000);
	session.press('t');
	await session.waitFor('Signature: present, never shown.');
	assertClean('TUI token view', session.screen());
	session.press('q');
	assert.equal(await session.exited, 0);
	const revoked = [...world.vault.revoked];
	assert.ok(revoked.length > before, 'the TUI login was revoked');
	assertClean('TUI output', session.output(), revoked);
	assert.deepEqual(
		[...world.vault.tokens.keys()].filter(value => value !== readerToken && value !== adminToken),
		[],
	);
});

/* `explain` echoes the recognised line; tokens on that line must come out redacted. */
test('explain does not echo a token or a Vault token pasted on the error line', async () => {
	const issuer = await startIssuer({alg: 'ES256'});
	try {
		const short = await issuer.sign({iss: issuer.issuer, sub: 'job', aud: 'vault', exp: 1});
		const leaks: string[] = [];
		for (const [what, line, secret] of [
			[
				'an ES256 token',
				`Error: error validating token: invalid audience (aud) claim jwt=${short}`,
				short.split('.')[2]!,
			],
			[
				'a Vault token',
				`curl -H "X-Vault-Token: ${readerToken}" ... {"errors":["permission denied"]}`,
				readerToken,
			],
		] as const) {
			for (const mode of [[], ['--json']]) {
				const {stdout} = await runCli(['explain', ...mode, line]);
				if (stdout.includes(secret)) leaks.push(`${['explain', ...mode].join(' ')} echoes ${what}`);
			}
		}
		assert.deepEqual(leaks, []);
	} finally {
		await issuer.close();
	}
});
