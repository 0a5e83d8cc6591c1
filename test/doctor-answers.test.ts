import assert from 'node:assert/strict';
import {mkdtemp, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {marked, type Token} from 'marked';
import {diagnose} from '../source/core/doctor/diagnose.js';
import {parseConfig} from '../source/core/login/config.js';
import {chooseMount, mountsInPickerOrder} from '../source/core/mount-choice.js';
import {personalValues, redactCommandLine, renderMarkdownReport} from '../source/report/markdown.js';
import {runCli} from './helpers/run-cli.js';
import {
	check,
	onaClaims,
	onaRole,
	options,
	readerToken,
	run,
	startWorld,
	type World,
} from './helpers/world.js';

/*
The doctor says the answer it already has: the mount that trusts the issuer, the roles that exist, why a Vault
token is refused, where the Vault address came from, the platform it runs on.
*/

let world: World;
let scratch: string;

before(async () => {
	world = await startWorld();
	scratch = await mkdtemp(join(tmpdir(), 'ovd-answers-'));
	const mounts = world.vault.mounts();
	// A second JWT mount, sorted before jwt, that trusts another issuer (the CircleCI mount of the issue).
	mounts['circleci'] = {
		type: 'jwt',
		config: {
			bound_issuer: 'https://oidc.circleci.com/org/0193b6c2',
			jwks_url: `${world.issuer.issuer}/.well-known/jwks.json`,
		},
		roles: {'ona-project': onaRole},
	} as never;
});

after(async () => {
	await world.close();
});

test('one pure rule chooses the mount: the one whose config trusts the issuer, else jwt, else the first', () => {
	const iss = 'https://app.gitpod.io';
	const candidates = [
		{path: 'circleci', config: parseConfig({bound_issuer: 'https://oidc.circleci.com/org/x'})},
		{path: 'ona', config: parseConfig({oidc_discovery_url: 'https://app.gitpod.io/'})},
		{path: 'jwt', config: null},
	];
	assert.deepEqual(chooseMount(candidates, iss), {
		path: 'ona',
		trusting: ['ona'],
		reason: `its config trusts ${iss}`,
	});
	assert.equal(chooseMount(candidates, 'https://elsewhere')?.path, 'jwt');
	assert.equal(chooseMount(candidates.slice(0, 2), 'https://elsewhere')?.path, 'circleci');
	assert.equal(chooseMount([], iss), undefined);
	assert.deepEqual(mountsInPickerOrder(['circleci', 'jwt', 'ona'], ['ona']), ['ona', 'circleci', 'jwt']);
});

test('--find-role searches the mount that trusts the token, not the first one alphabetically', async () => {
	const token = await world.issuer.sign(onaClaims(world));
	const {code, stdout, stderr} = await runCli(['--find-role', '--token-env', 'JOB_TOKEN'], {
		env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: readerToken, JOB_TOKEN: token, HOME: scratch},
	});
	assert.equal(code, 0, stderr + stdout);
	assert.match(stdout, /Roles on auth\/jwt for this token/);
	assert.match(stdout, /✔ accepts {2}ona-project/);
});

test('the wrong mount: the fix names the mount that trusts the issuer', async () => {
	const report = await run(world, onaClaims(world), {mount: 'circleci'});
	assert.equal(report.verdict, 'fail');
	const failed = report.checks.find(
		item => item.status === 'fail' && item.fix?.summary.includes('--mount jwt'),
	);
	assert.ok(failed, JSON.stringify(report.checks.map(item => [item.id, item.problem, item.fix?.summary])));
	assert.match(failed.fix!.summary, /Use --mount jwt \(auth\/jwt\/login\)/);
	assert.ok(failed.fix!.commands.some(command => command.includes('auth/jwt/login')));
	assert.deepEqual(report.vault?.issuerMounts, ['jwt']);
});

test('a role that does not exist: the existing roles, the closest name and --find-role', async () => {
	const report = await run(world, onaClaims(world), {role: 'ona-projekt', mount: 'jwt'});
	const missing = check(report, 'vault.role');
	assert.equal(missing.problem, 'role-not-found');
	assert.match(missing.fix!.summary, /closest name is "ona-project"/);
	assert.ok(missing.fix!.commands.includes('# Roles on auth/jwt: ona-project'));
	assert.ok(missing.fix!.commands.includes('ona-vault-doctor --mount jwt --role ona-project'));
	assert.ok(missing.fix!.commands.some(command => command.includes('--find-role')));
});

test('a default_role naming a role that does not exist gets the same answer', async () => {
	const report = await run(world, onaClaims(world), {mount: 'jwt', role: undefined} as never);
	assert.equal(report.vault?.role, 'ona-environment');
	const missing = check(report, 'vault.role');
	assert.equal(missing.problem, 'role-not-found');
	assert.match(missing.fix!.summary, /closest name is "ona-project"/);
});

test('a bogus Vault token is called invalid or expired; no token is not "the Vault token given"', async () => {
	const token = await world.issuer.sign(onaClaims(world));
	const bogus = await diagnose(
		options(world, token, {env: {VAULT_TOKEN: 'hvs.bogus', HOME: '/nonexistent'}}),
	);
	const mount = check(bogus, 'vault.mount');
	assert.equal(mount.problem, 'vault-token-invalid');
	assert.match(mount.message, /The Vault token in \$VAULT_TOKEN is invalid or expired/);
	assert.doesNotMatch(JSON.stringify(bogus), /hvs\.bogus/);
	const none = await diagnose(options(world, token, {env: {HOME: '/nonexistent'}}));
	const noneMount = check(none, 'vault.mount');
	assert.match(noneMount.message, /^No Vault token is set/);
	assert.doesNotMatch(JSON.stringify(none.checks), /The Vault token given/);
});

test('VAULT_ADDR unset: the default address is named as the default', async () => {
	const token = await world.issuer.sign(onaClaims(world));
	const report = await diagnose(
		options(world, token, {vaultAddr: undefined, env: {HOME: '/nonexistent'}, timeoutMs: 500} as never),
	);
	assert.equal(report.vault?.addr, 'https://127.0.0.1:8200');
	assert.equal(report.vault?.addrDefaulted, true);
	assert.match(check(report, 'vault.health').message, /VAULT_ADDR is unset, so the doctor used the default/);
});

test('in an Ona environment without the ona CLI, only the Ona advice is shown', async () => {
	const report = await diagnose({
		...options(world, ''),
		token: undefined,
		env: {GITPOD_ENVIRONMENT_ID: 'env-1', PATH: '/nonexistent', HOME: '/nonexistent'},
	} as never);
	const source = check(report, 'token.source');
	assert.equal(source.problem, 'platform-no-token');
	assert.deepEqual(source.fix?.commands, [
		'# Ona: inside an environment\nona idp token --audience vault.hashicorp.com',
	]);
});

test('--role-file without --role: that role is evaluated and its name called unknown, not "missing role"', async () => {
	const file = join(scratch, 'role.json');
	await writeFile(file, JSON.stringify({data: onaRole}));
	const report = await run(world, onaClaims(world), {role: undefined, roleFile: file, mount: 'jwt'} as never);
	assert.match(check(report, 'vault.read-role').message, /its name is unknown/);
	assert.notEqual(report.login.predicted, 'missing role');
	assert.equal(report.login.predicted, null);
	assert.equal(check(report, 'login.attempt').status, 'skip');
	assert.ok(!report.checks.some(item => item.problem === 'role-missing'));
});

test('the expired-token fix names the known role', async () => {
	const now = Math.floor(Date.now() / 1000);
	const report = await run(world, onaClaims(world, {iat: now - 7200, nbf: now - 7200, exp: now - 3600}), {
		mount: 'jwt',
	});
	const expired = report.checks.find(item => item.problem === 'token-expired' && item.fix);
	assert.ok(expired);
	assert.ok(
		expired.fix!.commands.some(command => command.includes('--role ona-project')),
		expired.fix!.commands.join('\n'),
	);
	assert.ok(!expired.fix!.commands.some(command => command.includes('<role>')));
});

test('the support bundle: the command keeps its arguments (secrets out), personal data is redacted by default', async () => {
	assert.equal(
		redactCommandLine(['report', '--token', 'eyJhbGciOi.eyJzdWIi.c2ln', '--role', 'ona-project']),
		'report --token <redacted> --role ona-project',
	);
	assert.equal(redactCommandLine(['report', '--token=abc']), 'report --token=<redacted>');
	assert.deepEqual(personalValues({creator_email: 'dev@example.com', sub: 'x', actor: 'octocat'}), [
		'dev@example.com',
		'octocat',
	]);
	const report = await run(world, onaClaims(world), {mount: 'jwt'});
	const extra = {command: 'ona-vault-doctor report', generatedAt: 'now', doctorVersion: '0', node: 'v20'};
	const bundle = renderMarkdownReport(report, extra);
	assert.ok(!bundle.includes('dev@example.com'));
	assert.match(bundle, /"creator_email": "<e-mail redacted>"/);
	assert.ok(renderMarkdownReport(report, {...extra, includePersonal: true}).includes('dev@example.com'));

	const token = await world.issuer.sign(onaClaims(world));
	const cli = await runCli(
		['report', '--token-env', 'JOB_TOKEN', '--mount', 'jwt', '--role', 'ona-project'],
		{
			env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: readerToken, JOB_TOKEN: token, HOME: scratch},
		},
	);
	assert.match(
		cli.stdout,
		/Command: `ona-vault-doctor report --token-env JOB_TOKEN --mount jwt --role ona-project`/,
	);
	assert.ok(!cli.stdout.includes('dev@example.com'));
	const kept = await runCli(['report', '--token-env', 'JOB_TOKEN', '--include-personal'], {
		env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: readerToken, JOB_TOKEN: token, HOME: scratch},
	});
	assert.ok(kept.stdout.includes('dev@example.com'));
});

test('the support bundle keeps its Markdown shape whatever backticks the token and the role carry', async () => {
	const jwt = world.vault.mounts()['jwt']!;
	jwt.roles = {...jwt.roles, 'ticks-role': {...onaRole, bound_subject: '```\n# not a heading `x`'}};
	const claims = onaClaims(world, {sub: 'org:a`b', note: '````sh\nrm -rf /\n````'});
	const report = await run(world, claims, {mount: 'jwt', role: 'ticks-role'});
	const bundle = renderMarkdownReport(report, {
		command: 'ona-vault-doctor report --role `x`',
		generatedAt: 'now',
		doctorVersion: '0',
		node: 'v20',
	});
	const tokens = marked.lexer(bundle);
	// Every JSON block is whole (a fence closed early would leave half of it), and there are exactly three of them.
	const blocks = tokens.filter(token => token.type === 'code' && token.lang === 'json');
	assert.equal(blocks.length, 3);
	for (const block of blocks) JSON.parse((block as {text: string}).text);
	assert.equal(JSON.parse((blocks[0] as {text: string}).text).claims.note, '````sh\nrm -rf /\n````');
	// No heading, list item or paragraph came out of a value.
	const headings = tokens
		.filter(token => token.type === 'heading')
		.map(token => (token as {text: string}).text);
	assert.ok(!headings.some(text => text.includes('not a heading')), headings.join('\n'));
	const spans = tokens.flatMap(function spansOf(token: Token): string[] {
		const children = 'tokens' in token && token.tokens ? token.tokens : 'items' in token ? token.items : [];
		return [
			...(token.type === 'codespan' ? [(token as {text: string}).text] : []),
			...children.flatMap(spansOf),
		];
	});
	assert.ok(spans.includes('ona-vault-doctor report --role `x`'), spans.join('\n'));
	assert.ok(
		spans.some(text => text.includes('org:a`b')),
		`the token's subject is one code span: ${spans.join('\n')}`,
	);
});
