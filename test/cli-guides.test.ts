import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {after, before, test} from 'node:test';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {cliPath, runCli} from './helpers/run-cli.js';
import {nowSeconds, onaClaims, readerToken, startWorld, type World} from './helpers/world.js';
import {
	circleClaims as circleClaimsOf,
	circleContext,
	circleOrg,
	circleRole,
} from './real-vault/scenarios.js';

/*
Every error and risk documented by the two guides (Ona's Vault guide, HashiCorp's CircleCI guide), run through
the built CLI against the local issuer and Vault emulator: the problem ids, a fix command and the exit code.
*/

let world: World;
let circle: TestIssuer;
let otherOrg: TestIssuer;

before(async () => {
	world = await startWorld();
	circle = await startIssuer({path: `/org/${circleOrg}`});
	otherOrg = await startIssuer({path: '/org/11111111-2222-3333-4444-555555555555'});
	world.vault.mounts()['circleci'] = {
		config: {oidc_discovery_url: circle.issuer, bound_issuer: circle.issuer},
		roles: {'circleci-production-deploy': circleRole},
	};
	world.vault.mounts()['other-org'] = {
		config: {oidc_discovery_url: otherOrg.issuer, bound_issuer: otherOrg.issuer},
		roles: {'circleci-production-deploy': circleRole},
	};
});

after(async () => {
	await world.close();
	await circle.close();
	await otherOrg.close();
});

/** The CircleCI guide's token, minted by this file's CircleCI issuer. */
const circleClaims = (extra: Record<string, unknown> = {}) => circleClaimsOf(circle, extra);

type Report = {
	verdict: string;
	login: {actual?: string | null};
	checks: Array<{id: string; status: string; problem?: string; fix?: {commands: string[]}}>;
};

async function doctor(
	token: string,
	args: string[],
	env: Record<string, string> = {},
): Promise<{code: number | null; report: Report}> {
	const {code, stdout, stderr} = await runCli(['--json', '--token-env', 'JOB_TOKEN', ...args], {
		env: {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: readerToken,
			JOB_TOKEN: token,
			HOME: '/nonexistent',
			...env,
		},
	});
	assert.ok(stdout.startsWith('{'), `${stderr}${stdout.slice(0, 300)}`);
	return {code, report: JSON.parse(stdout) as Report};
}

const problemsOf = (report: Report) =>
	report.checks
		.filter(check => check.status === 'fail' || check.status === 'warn')
		.map(check => `${check.id}:${check.problem}`);
const commandsOf = (report: Report, id: string) =>
	report.checks.find(check => check.id === id)?.fix?.commands.join('\n') ?? '';

test('Ona guide: "invalid audience claim"', async () => {
	const {code, report} = await doctor(
		await world.issuer.sign(onaClaims(world, {aud: ['sts.amazonaws.com']})),
		['--role', 'ona-project'],
	);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('login.audience:audience-mismatch'));
	assert.match(commandsOf(report, 'login.audience'), /ona idp token --audience vault\.hashicorp\.com/);
});

test('Ona guide: "claim organization_id does not match"', async () => {
	const {code, report} = await doctor(await world.issuer.sign(onaClaims(world, {organization_id: 'other'})), [
		'--role',
		'ona-project',
	]);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('login.bound-claims/organization_id:bound-claim-mismatch'));
	assert.match(
		commandsOf(report, 'login.bound-claims/organization_id'),
		/vault write auth\/jwt\/role\/ona-project - <<'EOF'/,
	);
});

test('Ona guide: "error fetching keys from OIDC provider" (Vault cannot reach the issuer)', async () => {
	world.vault.mounts()['unreachable'] = {
		config: {oidc_discovery_url: 'http://127.0.0.1:9'},
		roles: {'ona-project': world.vault.mounts().jwt!.roles!['ona-project']!},
	};
	const {code, report} = await doctor(await world.issuer.sign(onaClaims(world)), [
		'--role',
		'ona-project',
		'--mount',
		'unreachable',
	]);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('login.attempt:discovery-unreachable'));
});

test('Ona guide: "permission denied" when reading secrets', async () => {
	const {code, report} = await doctor(await world.issuer.sign(onaClaims(world)), [
		'--role',
		'ona-project',
		'--secret-path',
		'secret/shared/db',
	]);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('access.secret/secret/shared/db:permission-denied'));
	assert.match(commandsOf(report, 'access.secret/secret/shared/db'), /vault policy write ona-read/);
});

test('Ona: V2 (legacy) tokens against a V3 role', async () => {
	const {
		organization_id: _a,
		project_id: _b,
		environment_id: _c,
		...claims
	} = onaClaims(world, {org: 'o', gsub: {principal: 'environment', id: 'e'}});
	const {code, report} = await doctor(await world.issuer.sign(claims), ['--role', 'ona-project']);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('token.platform:bound-claim-missing'));
	assert.ok(problemsOf(report).includes('login.bound-claims/organization_id:bound-claim-missing'));
});

test('CircleCI guide: a healthy production deploy with the v2 token', async () => {
	const {code, report} = await doctor(await circle.sign(circleClaims()), [
		'--mount',
		'circleci',
		'--role',
		'circleci-production-deploy',
	]);
	assert.equal(code, 0, JSON.stringify(problemsOf(report)));
	assert.equal(report.login.actual, null);
});

test('CircleCI guide: the issuer is per organization; a mount for another org refuses the token', async () => {
	const {code, report} = await doctor(await circle.sign(circleClaims()), [
		'--mount',
		'other-org',
		'--role',
		'circleci-production-deploy',
	]);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('issuer.vault-trusts:signature-invalid'));
	assert.ok(problemsOf(report).includes('login.issuer:issuer-mismatch'));
});

test('CircleCI guide: a job without the context has no context-ids', async () => {
	const {code, report} = await doctor(
		await circle.sign(circleClaims({'oidc.circleci.com/context-ids': undefined})),
		['--mount', 'circleci', '--role', 'circleci-production-deploy'],
	);
	assert.equal(code, 1);
	assert.ok(
		problemsOf(report).includes('login.bound-claims/oidc.circleci.com/context-ids:bound-claim-missing'),
	);
	assert.match(
		commandsOf(report, 'login.bound-claims/oidc.circleci.com/context-ids'),
		/add the context to the job/,
	);
});

test('CircleCI guide: context-ids is a list; any bound context matches', async () => {
	const {code} = await doctor(
		await circle.sign(circleClaims({'oidc.circleci.com/context-ids': ['aaaa', circleContext]})),
		['--mount', 'circleci', '--role', 'circleci-production-deploy'],
	);
	assert.equal(code, 0);
});

test('CircleCI guide: clock skew makes a fresh token "not yet valid"', async () => {
	const {code, report} = await doctor(await circle.sign(circleClaims({iat: nowSeconds() + 300})), [
		'--mount',
		'circleci',
		'--role',
		'circleci-production-deploy',
	]);
	assert.equal(code, 1);
	assert.ok(problemsOf(report).includes('login.times:token-not-yet-valid'));
	assert.match(commandsOf(report, 'login.times'), /clock_skew_leeway/);
});

test('CircleCI guide risks: organization-wide roles, forked builds without vcs-origin, $VAULT_ROLE from a context', async () => {
	world.vault.mounts()['circleci']!.roles!['org-wide'] = {...circleRole, bound_claims: {}, bound_subject: ''};
	const {code, report} = await doctor(await circle.sign(circleClaims()), ['--mount', 'circleci'], {
		VAULT_ROLE: 'org-wide',
	});
	assert.equal(code, 0, 'the login works; the risks are warnings');
	assert.ok(problemsOf(report).includes('role.scope:role-too-broad'));
	assert.ok(problemsOf(report).includes('role.forks:role-fork-exposed'));
});

test('Ctrl-C ends a run at once, with exit code 130', {timeout: 20_000}, async () => {
	world.vault.state.blackHole = true;
	const before = world.vault.requests.length;
	try {
		const child = spawn(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN', '--timeout', '30'], {
			env: {
				...process.env,
				VAULT_ADDR: world.vault.url,
				JOB_TOKEN: await circle.sign(circleClaims()),
				HOME: '/nonexistent',
			},
			stdio: 'ignore',
		});
		// Interrupt once the run is under way (its first Vault request is held open), however slow the start.
		while (world.vault.requests.length === before) await new Promise(resolve => setTimeout(resolve, 20));
		child.kill('SIGINT');
		const code = await new Promise(resolve => child.on('exit', code => resolve(code)));
		assert.equal(code, 130, 'SIGINT ends the run at once (the run itself would wait 30 s)');
	} finally {
		world.vault.state.blackHole = false;
	}
});
