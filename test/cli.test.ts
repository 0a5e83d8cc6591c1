import assert from 'node:assert/strict';
import {test} from 'node:test';
import {compactJws, runCli} from './helpers/run-cli.js';

test('demo prints every failing check with values and exits 1', async () => {
	const {code, stdout, stderr} = await runCli(['demo']);
	assert.equal(code, 1, stderr);
	assert.match(stdout, /Vault would answer: error validating token: invalid audience \(aud\) claim/);
	assert.match(stdout, /✖ fail\s+Audience \(bound_audiences\)/);
	assert.match(stdout, /expected\s+\["vault.hashicorp.com"\]/);
	assert.match(stdout, /actual\s+\["sts.amazonaws.com"\]/);
	assert.match(stdout, /✖ fail\s+user_claim/);
	assert.match(stdout, /✖ fail\s+bound_claims "project_id"/);
	assert.match(stdout, /3 failed, .* Vault refuses this login\.\n$/);
	assert.ok(!stdout.includes('\u001B['), 'no ANSI codes when not on a terminal');
	assert.doesNotMatch(stdout, compactJws);
});

test('demo circleci shows the v1/v2 subject, the missing context and the glob mistake', async () => {
	const {code, stdout} = await runCli(['demo', 'circleci']);
	assert.equal(code, 1);
	assert.match(stdout, /CircleCI v1 token/);
	assert.match(stdout, /use \$CIRCLE_OIDC_TOKEN_V2/);
	assert.match(stdout, /bound_claims "oidc\.circleci\.com\/context-ids"[\s\S]*add the context to the job/);
	assert.match(stdout, /set bound_claims_type=glob/);
});

test('demo --json is a stable document with the redacted token and the same exit code', async () => {
	const {code, stdout} = await runCli(['demo', '--json']);
	assert.equal(code, 1);
	const document = JSON.parse(stdout) as {
		schemaVersion: number;
		verdict: string;
		token: {signature: string; claims: {iss: string}};
		checks: Array<{id: string; status: string}>;
	};
	assert.equal(document.schemaVersion, 1);
	assert.equal(document.verdict, 'fail');
	assert.equal(document.token.signature, '(redacted)');
	assert.equal(document.token.claims.iss, 'https://app.gitpod.io');
	assert.deepEqual(
		document.checks.filter(check => check.status === 'fail').map(check => check.id),
		['login.audience', 'login.user-claim', 'login.bound-claims/project_id'],
	);
	assert.doesNotMatch(stdout, compactJws);
});

test('explain recognises a pasted CLI error (exit 0) and says when it cannot (exit 1)', async () => {
	const known = await runCli(['explain', '-'], {
		input: 'Code: 400. Errors:\n\n* audience claim found in JWT but no audiences bound to the role\n',
	});
	assert.equal(known.code, 0);
	assert.match(known.stdout, /The token has an audience but the role binds none \[audience-unbound\]/);
	const json = await runCli(['explain', '--json', 'error validating claims: claim "project_id" is missing']);
	assert.equal(json.code, 0);
	assert.equal((JSON.parse(json.stdout) as {problem: string}).problem, 'bound-claim-missing');
	const unknown = await runCli(['explain', 'all good here']);
	assert.equal(unknown.code, 1);
	assert.match(unknown.stdout, /Not recognised \[unknown\]/);
});

test('usage errors exit 2 with a message and no stack trace', async () => {
	for (const args of [['demo', 'nope'], ['--bogus'], ['explain', '-']]) {
		const {code, stderr} = await runCli(args);
		assert.equal(code, 2, args.join(' '));
		assert.ok(stderr.length > 0, args.join(' '));
		assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
	}
});

test('--version and --help exit 0; help documents the exit codes', async () => {
	const version = await runCli(['--version']);
	assert.deepEqual([version.code, version.stdout.trim()], [0, '0.1.0']);
	const help = await runCli(['--help']);
	assert.equal(help.code, 0);
	assert.match(help.stdout, /Exit codes:[\s\S]*2 {2}the doctor could not run/);
	assert.match(help.stdout, /demo/);
	assert.match(help.stdout, /explain/);
});
