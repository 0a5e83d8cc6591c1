import assert from 'node:assert/strict';
import {after, before, describe, test} from 'node:test';
import {diagnose} from '../source/core/doctor/diagnose.js';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {type RealVault, startRealVault} from './fixtures/real-vault.js';
import {runCli} from './helpers/run-cli.js';
import {onaClaims, onaRole, options, readerToken, worldPolicies, worldTokens} from './helpers/world.js';
import {availableBuilds} from './real-vault/binaries.js';
import {checkReadmeBlock, markdownTable} from './real-vault/readme.js';

/*
The version matrix: the same token and role against each plugin version built, and the doctor told that version
with --plugin-version (no login of its own: the prediction alone) equal to each real answer. The cases are the
rules that changed between releases (reference §1): the strict string-`aud` rule, numeric claims, and the
go-jose import path in decode errors. Skipped, with the reason, by test/real-vault.test.ts's line when no binary
is built; CI fails there instead.
*/

const {builds, missing} = availableBuilds();
/** case name → plugin version → the real answer (null: accepted). */
const answers = new Map<string, Map<string, string | null>>();

type Case = {
	name: string;
	role: Record<string, unknown>;
	claims: Record<string, unknown>;
};

const cases: Case[] = [
	{
		name: 'string aud, no bound_audiences',
		role: {...onaRole, bound_audiences: [], bound_claims: {project: 'p1'}},
		claims: {aud: 'vault', project: 'p1'},
	},
	{
		name: 'numeric bound claim',
		role: {...onaRole, bound_claims: {run: 7}},
		claims: {run: 7},
	},
	{name: 'aud is a number', role: onaRole, claims: {aud: 5}},
	{name: 'exp is a string', role: onaRole, claims: {exp: '1900000000'}},
	{name: 'numeric groups claim', role: {...onaRole, groups_claim: 'team'}, claims: {team: 5}},
];

describe('version matrix: --plugin-version against each real plugin', {
	skip: builds.length === 0 ? 'no real-Vault binary: npm run vault:build' : false,
}, () => {
	let issuer: TestIssuer;
	before(async () => {
		issuer = await startIssuer();
	});
	after(async () => {
		await issuer.close();
	});

	for (const build of builds) {
		test(`plugin ${build.version}`, {timeout: 120_000}, async t => {
			const vault: RealVault = await startRealVault({
				version: build.version,
				tokens: worldTokens,
				policies: worldPolicies,
			});
			try {
				for (const [index, item] of cases.entries()) {
					await t.test(item.name, async () => {
						const mount = `m${index}`;
						await vault.seedMount(mount, {config: {oidc_discovery_url: issuer.issuer}});
						const written = await vault.writeRole(mount, 'role', item.role);
						assert.equal(written.status, 204, `${build.version} took the role: ${written.text}`);
						const world = {issuer, vault};
						const jwt = await issuer.sign(onaClaims(world, item.claims));
						const real = await vault.login(mount, 'role', jwt);
						const answer = real.status === 200 ? null : ((real.body['errors'] as string[])[0] ?? '');
						const report = await diagnose(
							options(world, jwt, {mount, role: 'role', noLogin: true, pluginVersion: build.version}),
						);
						const row = answers.get(item.name) ?? new Map<string, string | null>();
						answers.set(item.name, row.set(build.version, answer));
						assert.equal(report.login.predicted, answer);
					});
				}
				await t.test('the CLI flag, verbatim', async () => {
					const jwt = await issuer.sign(onaClaims({issuer, vault}, cases[0]!.claims));
					const real = await vault.login('m0', 'role', jwt);
					const {stdout} = await runCli(
						[
							'--json',
							'--no-login',
							'--plugin-version',
							build.version,
							'--mount',
							'm0',
							'--role',
							'role',
							'--token-env',
							'JOB_TOKEN',
						],
						{env: {VAULT_ADDR: vault.url, VAULT_TOKEN: readerToken, JOB_TOKEN: jwt, HOME: '/nonexistent'}},
					);
					const report = JSON.parse(stdout) as {login: {predicted: string | null}};
					const answer = real.status === 200 ? null : ((real.body['errors'] as string[])[0] ?? '');
					assert.equal(report.login.predicted, answer);
				});
			} finally {
				await vault.close();
			}
		});
	}
});

test('the README table of the version matrix is the one this run produced', {
	skip: missing.length > 0,
}, () => {
	const rows = cases.map(item => [
		item.name,
		...builds.map(build => {
			const answer = answers.get(item.name)?.get(build.version);
			return answer === undefined ? '—' : answer === null ? 'accepted' : `\`${answer}\``;
		}),
	]);
	checkReadmeBlock(
		'real-vault-versions',
		markdownTable(['token and role', ...builds.map(build => build.version)], rows),
	);
});
