/*
The closed loop against the real JWT plugin (newest version built): the doctor's printed fixes run verbatim in
bash through the Vault CLI stand-in (test/fixtures/vault-cli), then the same login is accepted by the real
plugin; `diagnose --apply --yes` then `restore` round-trips a role and a config field for field, read back from
the real plugin. Scenarios follow test/fix-loop.test.ts (which runs them on the emulator).
*/
import assert from 'node:assert/strict';
import {mkdtemp, readdir} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, describe, test} from 'node:test';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {type RealVault, startRealVault} from './fixtures/real-vault.js';
import {runnable, runPrinted} from './helpers/printed-commands.js';
import {runCli} from './helpers/run-cli.js';
import {
	adminToken,
	onaClaims,
	onaRole,
	organizationId,
	readerToken,
	worldPolicies,
	worldTokens,
} from './helpers/world.js';
import {availableBuilds} from './real-vault/binaries.js';

const {builds} = availableBuilds();

const spawnBash = (command: string, cwd: string, addr: string) => runPrinted(command, {cwd, addr});
const newest = builds.at(-1);
const now = () => Math.floor(Date.now() / 1000);

type Scenario = {
	name: string;
	problem: string;
	role?: Record<string, unknown>;
	config?: Record<string, unknown>;
	claims?: () => Record<string, unknown>;
};

const scenarios: Scenario[] = [
	{
		name: 'Ona guide: claim project_id does not match',
		problem: 'bound-claim-mismatch',
		role: {...onaRole, bound_claims: {organization_id: organizationId, project_id: 'another-project'}},
	},
	{
		name: 'strict audience rule: an audience in the token, none bound',
		problem: 'audience-unbound',
		role: {...onaRole, bound_audiences: []},
	},
	{
		name: 'bound_subject differs',
		problem: 'subject-mismatch',
		role: {...onaRole, bound_subject: 'organization_id:x:project_id:y'},
	},
	{
		name: 'user_claim the token lacks',
		problem: 'user-claim-missing',
		role: {...onaRole, user_claim: 'email'},
	},
	{
		name: 'groups_claim the token lacks',
		problem: 'groups-claim-missing',
		role: {...onaRole, groups_claim: 'groups'},
	},
	{
		name: 'a claim mapping of a claim that is not a string',
		problem: 'claim-mapping-type',
		role: {...onaRole, claim_mappings: {aud: 'audience', project_id: 'project'}},
	},
	{
		name: 'an OIDC role used for a JWT login',
		problem: 'role-type-oidc',
		role: {...onaRole, role_type: 'oidc', allowed_redirect_uris: ['https://vault.example.com/oidc/callback']},
	},
	{
		name: 'CircleCI guide: clock skew makes the token not yet valid',
		problem: 'token-not-yet-valid',
		claims: () => ({nbf: now() + 100, iat: now() + 100}),
	},
	{
		name: 'bound_issuer on the config differs (a config fix)',
		problem: 'issuer-mismatch',
		config: {bound_issuer: 'https://app.gitpod.io'},
	},
];

describe(`closed loop against the real plugin ${newest?.version ?? ''}`, {
	skip: newest ? false : 'no real-Vault binary: npm run vault:build',
}, () => {
	let issuer: TestIssuer;
	let vault: RealVault;
	let scratch: string;

	before(async () => {
		issuer = await startIssuer();
		vault = await startRealVault({version: newest!.version, tokens: worldTokens, policies: worldPolicies});
		await vault.seedMount('jwt', {});
		scratch = await mkdtemp(join(tmpdir(), 'ovd-real-loop-'));
	});
	after(async () => {
		await vault.close();
		await issuer.close();
	});

	/** The mount as the scenario wants it, written through the plugin (a role is deleted first: writes merge). */
	async function reset(scenario: Scenario) {
		const config = await vault.writeConfig('jwt', {
			oidc_discovery_url: issuer.issuer,
			default_role: 'ona-environment',
			...scenario.config,
		});
		assert.equal(config.status, 204, config.text);
		await vault.request('DELETE', 'auth/jwt/role/ona-project');
		const role = await vault.writeRole('jwt', 'ona-project', scenario.role ?? onaRole);
		assert.equal(role.status, 204, role.text);
	}

	const env = (token: string, vaultToken: string) => ({
		VAULT_ADDR: vault.url,
		VAULT_TOKEN: vaultToken,
		JOB_TOKEN: token,
		HOME: scratch,
	});

	async function diagnoseJson(token: string) {
		const result = await runCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json'], {
			env: env(token, readerToken),
		});
		return JSON.parse(result.stdout) as {
			login: {predicted: string | null; actual?: string | null};
			checks: Array<{status: string; problem?: string; fix?: {commands: string[]}}>;
		};
	}

	const bash = (command: string, cwd: string) => spawnBash(command, cwd, vault.url);

	for (const scenario of scenarios) {
		test(`printed fix, verbatim: ${scenario.name}`, {timeout: 60_000}, async () => {
			await reset(scenario);
			const token = await issuer.sign(onaClaims({issuer, vault}, scenario.claims?.()));
			const report = await diagnoseJson(token);
			assert.ok(report.login.actual, 'the real plugin refuses the login first');
			assert.equal(report.login.predicted, report.login.actual);
			assert.ok(report.checks.some(check => check.status === 'fail' && check.problem === scenario.problem));
			const commands = report.checks
				.filter(check => check.status === 'fail' && check.fix)
				.flatMap(check => check.fix!.commands)
				.filter(runnable);
			assert.ok(commands.length > 0, 'a Vault-side command is printed');
			const directory = await mkdtemp(join(scratch, 'run-'));
			for (const command of commands) {
				const result = await bash(command, directory);
				assert.equal(result.code, 0, `${command}\n${result.stderr}`);
			}
			const fixed = await diagnoseJson(token);
			assert.equal(fixed.login.actual, null, `the real plugin accepts the login: ${fixed.login.actual}`);
		});
	}

	for (const scenario of [scenarios[0]!, scenarios[3]!, scenarios.at(-1)!]) {
		test(`--apply then restore, read back from the plugin: ${scenario.name}`, {timeout: 60_000}, async () => {
			await reset(scenario);
			const kind = scenario.config ? 'config' : 'role';
			const read = () => (kind === 'config' ? vault.readConfig('jwt') : vault.readRole('jwt', 'ona-project'));
			const before = await read();
			const token = await issuer.sign(onaClaims({issuer, vault}));
			const backups = await mkdtemp(join(scratch, 'backups-'));
			const applied = await runCli(
				['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--apply', '--yes', '--backup-dir', backups],
				{env: env(token, adminToken)},
			);
			assert.equal(applied.code, 0, applied.stdout + applied.stderr);
			assert.match(applied.stdout, /applied and verified/);
			assert.notDeepEqual(await read(), before);
			assert.equal((await diagnoseJson(token)).login.actual, null, 'accepted after --apply');
			const [backup] = (await readdir(backups)).filter(name => name.startsWith('ona-vault-doctor-backup-'));
			assert.ok(backup, 'a backup was written');
			const restored = await runCli(['restore', join(backups, backup), '--yes'], {env: env('', adminToken)});
			assert.equal(restored.code, 0, restored.stdout + restored.stderr);
			assert.deepEqual(await read(), before, `the ${kind} reads back field for field`);
		});
	}

	test('printed policy fix, verbatim: permission denied on a secret path; the rule is added and the policy keeps its own', {
		timeout: 60_000,
	}, async () => {
		const kv = await startRealVault({
			version: newest!.version,
			tokens: worldTokens,
			policies: worldPolicies,
			secretMounts: {secret: {type: 'kv', version: '2'}},
			mounts: {jwt: {config: {oidc_discovery_url: issuer.issuer}, roles: {'ona-project': onaRole}}},
		});
		try {
			const token = await issuer.sign(onaClaims({issuer, vault: kv}));
			const diagnose = async () =>
				JSON.parse(
					(
						await runCli(
							[
								'--token-env',
								'JOB_TOKEN',
								'--role',
								'ona-project',
								'--secret-path',
								'secret/other-app/db',
								'--json',
							],
							{env: {VAULT_ADDR: kv.url, VAULT_TOKEN: readerToken, JOB_TOKEN: token, HOME: scratch}},
						)
					).stdout,
				) as {checks: Array<{id: string; status: string; problem?: string; fix?: {commands: string[]}}>};
			const access = (await diagnose()).checks.find(
				check => check.id === 'access.secret/secret/other-app/db',
			);
			assert.equal(access?.problem, 'permission-denied');
			const policyText = async () =>
				((await kv.request('GET', 'sys/policies/acl/ona-read')).body['data'] as {policy: string}).policy;
			const before = await policyText();
			const directory = await mkdtemp(join(scratch, 'policy-'));
			for (const command of access!.fix!.commands.filter(runnable)) {
				const result = await spawnBash(command, directory, kv.url);
				assert.equal(result.code, 0, `${command}\n${result.stderr}`);
			}
			const after = ((await kv.request('GET', 'sys/policies/acl/ona-read')).body['data'] as {policy: string})
				.policy;
			assert.ok(after.startsWith(before.trimEnd()), 'every rule the policy had is still there, first');
			assert.match(after, /path "secret\/data\/other-app\/db" \{\n {2}capabilities = \["read"\]\n\}/);
			const fixed = (await diagnose()).checks.find(check => check.id === 'access.secret/secret/other-app/db');
			assert.equal(fixed?.status, 'pass', 'the login token may read the secret now');
		} finally {
			await kv.close();
		}
	});
});
