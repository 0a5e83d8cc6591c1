/*
The closed loop: every failure the doctor can fix on the Vault side, fixed by running the doctor's own printed
commands verbatim in bash (with a Vault CLI stand-in that speaks Vault's HTTP API), by `diagnose --apply --yes`,
and through the TUI's A key; then the same login must be accepted, and the role must differ from before only in
the failing fields: no binding removed, none emptied. Without read access no command may write a role at all.
*/
import assert from 'node:assert/strict';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, beforeEach, describe, test} from 'node:test';
import {runnable, runPrinted} from './helpers/printed-commands.js';
import {runCli} from './helpers/run-cli.js';
import {
	adminToken,
	onaClaims,
	onaRole,
	organizationId,
	readAsAdmin,
	readerToken,
	startWorld,
	type World,
} from './helpers/world.js';

let world: World;
let scratch: string;

before(async () => {
	world = await startWorld();
	scratch = await mkdtemp(join(tmpdir(), 'ovd-fix-loop-'));
});

after(async () => {
	await world.close();
});

type Scenario = {
	name: string;
	problem: string;
	role?: Record<string, unknown>;
	config?: Record<string, unknown>;
	claims?: Record<string, unknown>;
	/** The fields the fix may change; every other field must read back as before. */
	fields: string[];
	/** What the fix writes: the role (default) or the mount's config. */
	target?: 'config';
};

const otherProject = '0193b6c3-0000-7000-8000-000000000000';
const scenarios: Scenario[] = [
	{
		name: 'Ona guide: claim project_id does not match',
		problem: 'bound-claim-mismatch',
		role: {...onaRole, bound_claims: {organization_id: organizationId, project_id: otherProject}},
		fields: ['bound_claims'],
	},
	{
		name: 'two bound claims differ: each printed command builds on the one before, neither undoes the other',
		problem: 'bound-claim-mismatch',
		role: {...onaRole, bound_claims: {organization_id: 'org-elsewhere', project_id: otherProject}},
		fields: ['bound_claims'],
	},
	{
		name: 'a bound claim with a list of values gains the token value, keeps the others',
		problem: 'bound-claim-mismatch',
		role: {...onaRole, bound_claims: {organization_id: organizationId, project_id: [otherProject, 'p-2']}},
		fields: ['bound_claims'],
	},
	{
		name: 'Ona guide: invalid audience claim (the role alternative of the fix)',
		problem: 'audience-mismatch',
		role: {...onaRole, bound_audiences: ['https://vault.example.com']},
		fields: ['bound_audiences'],
	},
	{
		name: 'strict audience rule: an audience in the token, none bound',
		problem: 'audience-unbound',
		role: {...onaRole, bound_audiences: []},
		fields: ['bound_audiences'],
	},
	{
		name: 'bound_subject differs',
		problem: 'subject-mismatch',
		role: {...onaRole, bound_subject: 'organization_id:x:project_id:y'},
		fields: ['bound_subject'],
	},
	{
		name: 'user_claim the token lacks',
		problem: 'user-claim-missing',
		role: {...onaRole, user_claim: 'email'},
		fields: ['user_claim'],
	},
	{
		name: 'user_claim names a claim that is not a string',
		problem: 'user-claim-type',
		role: {...onaRole, user_claim: 'aud'},
		fields: ['user_claim'],
	},
	{
		name: 'groups_claim names a claim that is not a list of strings',
		problem: 'groups-claim-type',
		role: {...onaRole, groups_claim: 'iat'},
		fields: ['groups_claim'],
	},
	{
		name: 'the discovery document names the issuer without the trailing slash the config has',
		problem: 'discovery-issuer-mismatch',
		config: {oidc_discovery_url: 'TRAILING_SLASH'},
		fields: ['oidc_discovery_url'],
		target: 'config',
	},
	{
		name: 'groups_claim the token lacks',
		problem: 'groups-claim-missing',
		role: {...onaRole, groups_claim: 'groups'},
		fields: ['groups_claim'],
	},
	{
		name: 'a claim mapping of a claim that is not a string',
		problem: 'claim-mapping-type',
		role: {...onaRole, claim_mappings: {aud: 'audience', project_id: 'project'}},
		fields: ['claim_mappings'],
	},
	{
		name: 'an OIDC role used for a JWT login',
		problem: 'role-type-oidc',
		role: {
			...onaRole,
			role_type: 'oidc',
			allowed_redirect_uris: ['https://vault.example.com/ui/vault/auth/oidc/oidc/callback'],
		},
		fields: ['role_type'],
	},
	{
		name: "the mount's bound_issuer differs from the token's iss (a config write, every other field kept)",
		problem: 'issuer-mismatch',
		config: {bound_issuer: 'https://issuer.example.com/'},
		fields: ['bound_issuer'],
		target: 'config',
	},
	{
		name: "the token's algorithm is not in jwt_supported_algs",
		problem: 'algorithm-not-allowed',
		config: {jwt_supported_algs: ['ES512']},
		fields: ['jwt_supported_algs'],
		target: 'config',
	},
	{
		name: 'CircleCI guide: clock skew makes the token not yet valid',
		problem: 'token-not-yet-valid',
		// Read when the token is signed: a time taken when the file loads goes stale on a slow run.
		get claims() {
			const now = Math.floor(Date.now() / 1000);
			return {nbf: now + 100, iat: now + 100};
		},
		fields: ['clock_skew_leeway'],
	},
];

async function resetWorld(scenario: Scenario) {
	const mount = world.vault.mounts().jwt!;
	mount.roles = {'ona-project': structuredClone(scenario.role ?? onaRole)};
	mount.config = {
		oidc_discovery_url: world.issuer.issuer,
		default_role: 'ona-environment',
		...scenario.config,
	};
	// The issuer's address is known only once it runs.
	if (mount.config['oidc_discovery_url'] === 'TRAILING_SLASH')
		mount.config['oidc_discovery_url'] = `${world.issuer.issuer}/`;
	world.vault.state.failNext.length = 0;
}

const diagnoseJson = async (token: string, vaultToken?: string) => {
	const result = await runCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json'], {
		env: {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: vaultToken ?? '',
			JOB_TOKEN: token,
			HOME: scratch,
		},
	});
	const report = JSON.parse(result.stdout) as {
		verdict: string;
		login: {actual?: string | null};
		checks: Array<{id: string; status: string; problem?: string; fix?: {commands: string[]}}>;
	};
	return report;
};

const fixCommands = (report: Awaited<ReturnType<typeof diagnoseJson>>) =>
	report.checks.filter(check => check.status === 'fail' && check.fix).flatMap(check => check.fix!.commands);

const bash = (command: string, cwd: string, log: string) =>
	runPrinted(command, {cwd, addr: world.vault.url, log});

/** The role (or the mount's config) as Vault reads it back. */
const roleNow = (target?: 'config') =>
	readAsAdmin(world, target === 'config' ? 'auth/jwt/config' : 'auth/jwt/role/ona-project');

const asList = (value: unknown) =>
	Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];

/** The role after a fix, against the role before: only the scenario's fields moved, and no binding was lost. */
function assertOnlyFailingFields(
	before: Record<string, unknown>,
	after: Record<string, unknown>,
	fields: string[],
) {
	for (const field of new Set([...Object.keys(before), ...Object.keys(after)])) {
		if (fields.includes(field)) continue;
		assert.deepEqual(after[field], before[field], `${field} must not change`);
	}

	const boundBefore = (before['bound_claims'] ?? {}) as Record<string, unknown>;
	const boundAfter = (after['bound_claims'] ?? {}) as Record<string, unknown>;
	for (const key of Object.keys(boundBefore)) assert.ok(key in boundAfter, `bound claim ${key} removed`);
	for (const [key, value] of Object.entries(boundBefore)) {
		if (Array.isArray(value))
			for (const element of value)
				assert.ok(asList(boundAfter[key]).includes(element), `${key} lost ${String(element)}`);
	}

	for (const audience of asList(before['bound_audiences']))
		assert.ok(
			asList(after['bound_audiences']).includes(audience),
			`bound_audiences lost ${String(audience)}`,
		);
}

describe('printed fixes, run verbatim in bash, make the login pass', () => {
	for (const scenario of scenarios) {
		test(scenario.name, {timeout: 60_000}, async () => {
			await resetWorld(scenario);
			const token = await world.issuer.sign(onaClaims(world, scenario.claims));
			const before = await roleNow(scenario.target);
			const report = await diagnoseJson(token, readerToken);
			assert.equal(report.verdict, 'fail');
			assert.ok(
				report.checks.some(check => check.status === 'fail' && check.problem === scenario.problem),
				`no ${scenario.problem} in ${JSON.stringify(report.checks.filter(check => check.status === 'fail').map(check => check.problem))}`,
			);
			const commands = fixCommands(report).filter(runnable);
			assert.ok(commands.length > 0, 'a Vault-side command is printed');
			const directory = await mkdtemp(join(scratch, 'run-'));
			const log = join(directory, 'vault-calls.jsonl');
			for (const command of commands) {
				const result = await bash(command, directory, log);
				assert.equal(result.code, 0, `${command}\n${result.stderr}`);
			}

			const calls = (await readFile(log, 'utf8'))
				.trim()
				.split('\n')
				.map(line => JSON.parse(line) as {method: string; path: string});
			const writes = calls.filter(call => call.method !== 'GET').map(call => `${call.method} ${call.path}`);
			assert.ok(writes.length > 0);
			assert.deepEqual(
				[...new Set(writes)],
				[scenario.target === 'config' ? 'POST auth/jwt/config' : 'POST auth/jwt/role/ona-project'],
				'Vault writes go to the role (or the config) only',
			);
			const afterReport = await diagnoseJson(token, readerToken);
			assert.equal(
				afterReport.login.actual,
				null,
				`the login is accepted after the fix: ${afterReport.login.actual}`,
			);
			assertOnlyFailingFields(before, await roleNow(scenario.target), scenario.fields);
		});
	}
});

describe('without read access, no printed command writes the role or the config', () => {
	for (const scenario of scenarios) {
		test(scenario.name, {timeout: 60_000}, async () => {
			await resetWorld(scenario);
			const token = await world.issuer.sign(onaClaims(world, scenario.claims));
			const before = await roleNow(scenario.target);
			for (const vaultToken of [undefined, 'hvs.not-a-token']) {
				const report = await diagnoseJson(token, vaultToken);
				const commands = fixCommands(report);
				assert.ok(commands.length > 0);
				for (const command of commands) {
					assert.doesNotMatch(command, /bound_claims/, 'no command names bound_claims');
					assert.doesNotMatch(command, /vault write/, 'no Vault write');
				}
				const attempt = report.checks.find(check => check.id === 'login.attempt');
				if (scenario.problem === 'bound-claim-mismatch') {
					assert.match(
						attempt?.fix?.commands.join('\n') ?? '',
						/the token's value is "(?:0193b6c3-1a2b-7c4d-8e9f-0a1b2c3d4e5f|0193b6c2-5c8e-7a3c-9f4e-2d1a7b6c9e01)"/,
					);
					assert.doesNotMatch(
						JSON.stringify(report),
						/login\.attempt"\)|"login\.attempt" \(|no "login\.attempt"/,
					);
				}
				const directory = await mkdtemp(join(scratch, 'run-'));
				for (const command of commands.filter(runnable)) {
					await bash(command, directory, join(directory, 'log'));
				}
			}

			assert.deepEqual(await roleNow(scenario.target), before, 'the role (or config) is untouched');
		});
	}
});

describe('diagnose --apply --yes closes the same loop', () => {
	for (const scenario of scenarios) {
		test(scenario.name, {timeout: 60_000}, async () => {
			await resetWorld(scenario);
			const token = await world.issuer.sign(onaClaims(world, scenario.claims));
			const before = await roleNow(scenario.target);
			const result = await runCli(
				['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--apply', '--yes', '--backup-dir', scratch],
				{env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: adminToken, JOB_TOKEN: token, HOME: scratch}},
			);
			if (scenario.problem === 'audience-mismatch') {
				// Binding another audience is a choice for a person: --apply never makes it.
				assert.match(result.stdout, /No fix can be applied on the Vault side/);
				assert.deepEqual(await roleNow(scenario.target), before);
				return;
			}

			assert.equal(result.code, 0, result.stdout + result.stderr);
			assert.match(
				result.stdout,
				/backup saved before writing: .*\n {2}to undo, run:\nona-vault-doctor restore /,
			);
			assert.match(result.stdout, /applied and verified/);
			assertOnlyFailingFields(before, await roleNow(scenario.target), scenario.fields);
		});
	}
});

describe('safety of the fix model', () => {
	beforeEach(async () => {
		await resetWorld(scenarios[0]!);
	});

	test('a forged token (signature does not verify) yields no claim-derived command and nothing to apply', {
		timeout: 60_000,
	}, async () => {
		// A real signature over the real claims, with the payload swapped for one naming another project.
		const claims = onaClaims(world);
		const [header, , signature] = (await world.issuer.sign(claims)).split('.');
		const payload = Buffer.from(JSON.stringify({...claims, project_id: 'tampered'})).toString('base64url');
		const forged = `${header}.${payload}.${signature}`;
		const report = await diagnoseJson(forged, readerToken);
		const commands = fixCommands(report).join('\n');
		assert.doesNotMatch(commands, /tampered"?[,}]/, 'the forged value is never bound');
		assert.doesNotMatch(commands, /vault write \S*role/);
		const before = await roleNow();
		const applied = await runCli(
			['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--apply', '--yes', '--backup-dir', scratch],
			{env: {VAULT_ADDR: world.vault.url, VAULT_TOKEN: adminToken, JOB_TOKEN: forged, HOME: scratch}},
		);
		assert.match(applied.stdout, /No fix can be applied on the Vault side/);
		assert.deepEqual(await roleNow(), before);
	});

	test('an Ona V2 warning carries no role write and no garbled claim name', {timeout: 60_000}, async () => {
		const token = await world.issuer.sign({
			...onaClaims(world),
			organization_id: undefined,
			project_id: undefined,
			org: organizationId,
			gsub: 'x',
		});
		const report = await diagnoseJson(token, readerToken);
		const platform = report.checks.find(check => check.id === 'token.platform');
		assert.ok(platform);
		assert.doesNotMatch(JSON.stringify(platform.fix ?? {}), /token\.platform|vault write/);
		for (const check of report.checks)
			assert.doesNotMatch(JSON.stringify(check.fix ?? {}), /"(?:login\.attempt|token\.platform)"/);
	});

	test('--role-file without --role cannot be applied; a role name Vault would not route is refused', async () => {
		const file = join(scratch, 'role.json');
		await writeFile(file, JSON.stringify(onaRole));
		const token = await world.issuer.sign(onaClaims(world));
		const env = {VAULT_ADDR: world.vault.url, VAULT_TOKEN: adminToken, JOB_TOKEN: token, HOME: scratch};
		const withFile = await runCli(['--token-env', 'JOB_TOKEN', '--role-file', file, '--apply', '--yes'], {
			env,
		});
		assert.equal(withFile.code, 2);
		assert.match(withFile.stderr, /--apply with --role-file needs --role/);
		for (const role of ['../../../sys/policies/acl/x', '%2e%2e/sys/auth', 'a/b']) {
			const refused = await runCli(['--token-env', 'JOB_TOKEN', '--role', role, '--json'], {env});
			assert.equal(refused.code, 2, role);
			assert.match(refused.stderr, /is not a role name Vault accepts/);
		}
		assert.equal(
			world.vault.requests.filter(
				request => request.path.includes('sys/policies') || request.path.includes('%2e'),
			).length,
			0,
		);
	});
});
