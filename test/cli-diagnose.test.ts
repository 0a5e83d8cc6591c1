import assert from 'node:assert/strict';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {compactJws, runCli} from './helpers/run-cli.js';
import {onaClaims, onaRole, readerToken, startWorld, type World} from './helpers/world.js';

let world: World;
let scratch: string;
let good: string;
let wrongAudience: string;

before(async () => {
	world = await startWorld();
	scratch = await mkdtemp(join(tmpdir(), 'ovd-cli-'));
	good = await world.issuer.sign(onaClaims(world));
	wrongAudience = await world.issuer.sign(onaClaims(world, {aud: ['sts.amazonaws.com']}));
});

after(async () => {
	await world.close();
});

const env = (token: string) => ({
	VAULT_ADDR: world.vault.url,
	VAULT_TOKEN: readerToken,
	IDP_VAULT_ROLE: 'ona-project',
	DOCTOR_TEST_TOKEN: token,
	HOME: scratch,
});
const signature = (token: string) => token.split('.')[2]!;

test('a healthy login through the built CLI exits 0 and says so', async () => {
	const {code, stdout, stderr} = await runCli(
		['--token-env', 'DOCTOR_TEST_TOKEN', '--secret-path', 'secret/my-app/db'],
		{env: env(good)},
	);
	assert.equal(code, 0, stderr + stdout);
	assert.match(stdout, /Vault answered: login accepted/);
	assert.match(stdout, /Vault accepts this login\.\n$/);
	assert.match(stdout, /role\s+"ona-project" \(\$IDP_VAULT_ROLE\)/);
});

test('the invalid-audience error of the Ona guide: exit 1, text and JSON agree, nothing secret printed', async () => {
	const text = await runCli(['--token-env', 'DOCTOR_TEST_TOKEN', '--verbose'], {env: env(wrongAudience)});
	assert.equal(text.code, 1);
	assert.match(text.stdout, /✖ fail\s+Audience \(bound_audiences\)/);
	assert.match(text.stdout, /\$ ona idp token --audience vault.hashicorp.com/);
	const json = await runCli(['diagnose', '--token-env', 'DOCTOR_TEST_TOKEN', '--json'], {
		env: env(wrongAudience),
	});
	assert.equal(json.code, 1);
	const report = JSON.parse(json.stdout) as {
		schemaVersion: number;
		verdict: string;
		login: {actual: string};
		checks: Array<{id: string; problem?: string; fix?: {commands: string[]}}>;
	};
	assert.deepEqual([report.schemaVersion, report.verdict], [1, 'fail']);
	assert.equal(
		report.login.actual,
		'error validating token: invalid audience (aud) claim: audience claim does not match any expected audience',
	);
	assert.ok(
		report.checks
			.find(check => check.id === 'login.audience')
			?.fix?.commands.includes('ona idp token --audience vault.hashicorp.com'),
	);
	for (const output of [text.stdout, text.stderr, json.stdout, json.stderr]) {
		assert.ok(!output.includes(signature(wrongAudience)), 'no signature');
		assert.doesNotMatch(output, compactJws);
		assert.ok(!output.includes(readerToken), 'no Vault token');
	}
});

test('report writes a redacted Markdown bundle; decode shows the claims; nothing secret in either', async () => {
	const file = join(scratch, 'report.md');
	const report = await runCli(['report', '--token-env', 'DOCTOR_TEST_TOKEN', '--output', file], {
		env: env(wrongAudience),
	});
	assert.equal(report.code, 1);
	const markdown = await readFile(file, 'utf8');
	assert.match(markdown, /^# ona-vault-doctor report/);
	assert.match(markdown, /## Token \(signature redacted\)/);
	assert.match(markdown, /"signature": "\(redacted\)"/);
	assert.ok(/## Role\n\n```json\n\{[^`]*"role_type": "jwt"/.test(markdown), 'role section');
	assert.match(markdown, /### ✖ Audience \(bound_audiences\) \(`audience-mismatch`\)/);
	const decoded = await runCli(['decode', '-'], {input: wrongAudience});
	assert.equal(decoded.code, 0);
	assert.match(decoded.stdout, /"aud": \[\n\s+"sts.amazonaws.com"/);
	for (const output of [markdown, decoded.stdout, report.stderr]) {
		assert.ok(!output.includes(signature(wrongAudience)));
		assert.ok(!output.includes(readerToken));
	}
});

test('--offline with exported role and config files: no network, the same diagnosis', async () => {
	const roleFile = join(scratch, 'role.json');
	const configFile = join(scratch, 'config.json');
	await writeFile(roleFile, JSON.stringify({request_id: 'x', lease_id: '', data: onaRole}));
	await writeFile(
		configFile,
		JSON.stringify({data: {oidc_discovery_url: world.issuer.issuer, bound_issuer: ''}}),
	);
	const before = world.vault.requests.length;
	const {code, stdout} = await runCli(
		[
			'--offline',
			'--token-env',
			'DOCTOR_TEST_TOKEN',
			'--role-file',
			roleFile,
			'--config-file',
			configFile,
			'--json',
		],
		{env: env(wrongAudience)},
	);
	assert.equal(code, 1);
	assert.equal(world.vault.requests.length, before);
	const report = JSON.parse(stdout) as {checks: Array<{id: string; status: string; problem?: string}>};
	assert.equal(report.checks.find(check => check.id === 'login.audience')?.problem, 'audience-mismatch');
	assert.equal(report.checks.find(check => check.id === 'vault.health')?.status, 'skip');
});

test('usage mistakes exit 2: unreadable files, --show-token with --json, a bad --source', async () => {
	for (const args of [
		['--token-file', join(scratch, 'absent.jwt')],
		['--role-file', join(scratch, 'absent.json'), '--offline', '--token-env', 'DOCTOR_TEST_TOKEN'],
		['--show-token', '--json'],
		['--source', 'jenkins'],
		['--timeout', 'soon'],
	]) {
		const {code, stderr} = await runCli(args, {env: env(good)});
		assert.equal(code, 2, args.join(' '));
		assert.match(stderr, /^ona-vault-doctor: /);
	}
});
