import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {type DoctorReport, diagnose} from '../source/core/doctor/diagnose.js';
import {startIssuer} from './fixtures/oidc-issuer.js';
import {type RealVault, startRealVault} from './fixtures/real-vault.js';
import {startVaultEmulator, type VaultEmulator} from './fixtures/vault-emulator.js';
import {options, worldPolicies, worldSecretMounts, worldTokens} from './helpers/world.js';
import {availableBuilds, cacheRoot, findGo, pluginBuilds} from './real-vault/binaries.js';
import {checkReadmeBlock, markdownTable} from './real-vault/readme.js';
import {
	circleOrg,
	type Issuers,
	type Scenario,
	type ScenarioContext,
	scenarios,
} from './real-vault/scenarios.js';

/*
The doctor against the real JWT plugin (test/real-vault/server, one binary per plugin version, built by
`npm run vault:build`) and, side by side, against the emulator: every scenario of scenarios.ts on every server.
On each: the doctor's login.predicted equals the server's answer byte for byte, login.actual is that answer (a
bare login with the same token says so), and the problem id is the expected one. Then the version matrix: one
token and role per rule that changed between releases, the model told the version with --plugin-version, against
each real version's answer. The README's table of verdicts is generated here (REAL_VAULT_WRITE_TABLE=1).
*/

const {builds, missing} = availableBuilds();
const ci = process.env['CI'] === 'true';
const newest = pluginBuilds().at(-1)!.version;

if (missing.length > 0) {
	const go = findGo() ? 'Go is installed' : 'and there is no Go toolchain to build them';
	const line = `real-Vault suite: no binary for ${missing.join(', ')} in ${cacheRoot()} (${go}); run \`npm run vault:build\``;
	if (ci) {
		test('the real-Vault binaries are built (CI never skips)', () => assert.fail(line));
	} else {
		console.log(builds.length === 0 ? `${line}; skipped` : `${line}; running the versions that are built`);
	}
}

type Answer = {status: number; error: string | null};
type Server = {
	label: string;
	url: string;
	/** The version the emulator pretends to be, or the real plugin's. */
	pluginVersion: string;
	seed(
		mount: string,
		config: Record<string, unknown> | undefined,
		roles: Record<string, Record<string, unknown>>,
	): Promise<void>;
	login(mount: string, role: string, jwt: string): Promise<Answer>;
	close(): Promise<void>;
};

async function bareLogin(url: string, mount: string, role: string, jwt: string): Promise<Answer> {
	const response = await fetch(`${url}/v1/auth/${mount}/login`, {
		method: 'POST',
		headers: {'content-type': 'application/json'},
		body: JSON.stringify({role, jwt}),
	});
	const body = (await response.json()) as {errors?: string[]};
	return {status: response.status, error: response.status === 200 ? null : (body.errors?.[0] ?? '')};
}

async function emulatorServer(): Promise<Server> {
	const emulator: VaultEmulator = await startVaultEmulator({
		tokens: worldTokens,
		policies: worldPolicies,
		secretMounts: worldSecretMounts,
	});
	return {
		label: `emulator (as ${newest})`,
		url: emulator.url,
		pluginVersion: newest,
		async seed(mount, config, roles) {
			emulator.mounts()[mount] = {pluginVersion: `${newest}+builtin`, ...(config ? {config} : {}), roles};
		},
		login: (mount, role, jwt) => bareLogin(emulator.url, mount, role, jwt),
		close: () => emulator.close(),
	};
}

async function realServer(version: string): Promise<Server & {vault: RealVault}> {
	const vault = await startRealVault({
		version,
		tokens: worldTokens,
		policies: worldPolicies,
		secretMounts: worldSecretMounts,
	});
	return {
		label: `plugin ${vault.pluginVersion}`,
		url: vault.url,
		pluginVersion: vault.pluginVersion,
		vault,
		async seed(mount, config, roles) {
			await vault.seedMount(mount, {...(config ? {config} : {}), roles});
		},
		login: (mount, role, jwt) => bareLogin(vault.url, mount, role, jwt),
		close: () => vault.close(),
	};
}

type Outcome = {report: DoctorReport; bare: Answer};

async function runScenario(
	server: Server,
	scenario: Scenario,
	mount: string,
	issuers: Issuers,
): Promise<Outcome> {
	const own = scenario.ownIssuer ? await startIssuer(scenario.ownIssuer) : undefined;
	const context: ScenarioContext = {
		...issuers,
		own,
		issuer: own ?? (scenario.family === 'circle' ? issuers.circle : issuers.ona),
	};
	try {
		if (!scenario.noMount) {
			await server.seed(mount, scenario.config?.(context), {
				...(scenario.role ? {role: scenario.role} : {}),
				...scenario.roles,
			});
		}
		await scenario.afterConfig?.(context);
		const jwt = await scenario.token(context);
		const role = scenario.roleName ?? 'role';
		const report = await diagnose(
			options({issuer: context.issuer, vault: {url: server.url}}, jwt, {mount, role, ...scenario.doctor}),
		);
		const bare = await server.login(mount, role, jwt);
		return {report, bare};
	} finally {
		await own?.close();
	}
}

const verdictOf = (outcome: Outcome) => {
	const attempt = outcome.report.checks.find(check => check.id === 'login.attempt');
	return attempt?.status === 'fail' ? (attempt.problem ?? 'unknown') : 'accepted';
};

/** The table cell: the verdict, and how the prediction compared with the answer. */
function cell(scenario: Scenario, outcome: Outcome): string {
	const {report, bare} = outcome;
	const verdict = verdictOf(outcome);
	if (scenario.anyOf) {
		const within = [report.login.predicted, report.login.actual, bare.error].every(text =>
			scenario.anyOf!.includes(String(text)),
		);
		return within ? `${verdict} (either key)` : `${verdict} (differs)`;
	}
	if (report.login.actual !== bare.error) return `${verdict} (login.actual differs)`;
	if (scenario.serverSide) return `${verdict} (server side)`;
	return report.login.predicted === bare.error ? `${verdict} ✓` : `${verdict} (differs)`;
}

/** scenario name → server label → verdict cell. */
const table = new Map<string, Map<string, string>>();
const serverLabels: string[] = [];

describe('the doctor against the real JWT plugin, scenario by scenario', {
	skip: builds.length === 0 ? 'no real-Vault binary: npm run vault:build' : false,
}, () => {
	let issuers: Issuers;
	before(async () => {
		const ona = await startIssuer();
		const circle = await startIssuer({path: `/org/${circleOrg}`});
		const otherOrg = await startIssuer({path: '/org/11111111-2222-3333-4444-555555555555'});
		issuers = {ona, circle, otherOrg, otherPem: await otherOrg.publicKeyPem()};
	});
	after(async () => {
		await issuers.ona.close();
		await issuers.circle.close();
		await issuers.otherOrg.close();
	});

	const targets: Array<() => Promise<Server>> = [
		emulatorServer,
		...builds.map(build => () => realServer(build.version)),
	];
	for (const [position, start] of targets.entries()) {
		const label = position === 0 ? `emulator (as ${newest})` : `plugin ${builds[position - 1]!.version}`;
		serverLabels.push(label);
		test(label, {timeout: 240_000}, async t => {
			const server = await start();
			try {
				for (const [index, scenario] of scenarios.entries()) {
					await t.test(scenario.name, async () => {
						const outcome = await runScenario(server, scenario, `s${index}`, issuers);
						const {report, bare} = outcome;
						const row = table.get(scenario.name) ?? new Map<string, string>();
						table.set(scenario.name, row);
						const agreement = report.checks.find(check => check.id === 'login.agreement');
						row.set(label, cell(scenario, outcome));
						if (scenario.anyOf) {
							// Two logins may name different keys: each answer and the prediction is one of them.
							for (const text of [report.login.predicted, report.login.actual, bare.error]) {
								assert.ok(scenario.anyOf.includes(String(text)), String(text));
							}
						} else {
							assert.equal(report.login.actual, bare.error, 'login.actual is the server answer');
						}
						if (scenario.serverSide) {
							assert.equal(report.login.predicted, null, 'the model cannot see it and predicts success');
							assert.notEqual(agreement?.status, 'pass', 'the doctor never claims it predicted this');
						} else if (!scenario.anyOf) {
							assert.equal(
								report.login.predicted,
								bare.error,
								'login.predicted is the server answer, byte for byte',
							);
							assert.equal(agreement?.status, 'pass');
						}
						assert.equal(verdictOf(outcome), scenario.problem ?? 'accepted');
						if (scenario.also) {
							const [id, problem] = scenario.also;
							assert.equal(report.checks.find(check => check.id === id)?.problem, problem, id);
						}
					});
				}
			} finally {
				await server.close();
			}
		});
	}
});

function renderTable(): string {
	const header = ['scenario', 'source', 'expected', ...serverLabels];
	const rows = scenarios.map(scenario => {
		const row = table.get(scenario.name);
		return [
			scenario.name,
			scenario.source,
			`\`${scenario.problem ?? 'accepted'}\``,
			...serverLabels.map(label => {
				const cell = row?.get(label);
				return cell === undefined ? '—' : cell;
			}),
		];
	});
	return markdownTable(header, rows);
}

test('the README table of verdicts is the one this run produced', {skip: missing.length > 0}, () => {
	checkReadmeBlock('real-vault-scenarios', renderTable());
});
