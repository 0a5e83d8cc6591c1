import assert from 'node:assert/strict';
import {mkdtemp, readFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {applyChange, editsSetting, loadBackup, restoreBackup} from '../source/core/admin/apply.js';
import {writeBody} from '../source/core/admin/edits.js';
import {proposeRole} from '../source/core/admin/onboard.js';
import {diagnose} from '../source/core/doctor/diagnose.js';
import type {VaultWriter} from '../source/core/probes/vault.js';
import {adminWriter, nowSeconds, onaClaims, options, startWorld, type World} from './helpers/world.js';

let world: World;
let backups: string;
let writer: VaultWriter;

before(async () => {
	world = await startWorld();
	backups = await mkdtemp(join(tmpdir(), 'ovd-backups-'));
	writer = adminWriter(world);
});

after(async () => {
	await world.close();
});

const readRole = async (name: string) => {
	const answer = await writer.read(`auth/jwt/role/${name}`);
	assert.ok(answer.ok, 'role readable');
	return answer.data;
};

test('onboarding: a least-privilege role and policy from a real token, written, then a real login succeeds', async () => {
	const claims = onaClaims(world);
	const proposal = await proposeRole({
		claims,
		mount: 'jwt',
		roleName: 'new-project',
		secretPaths: ['secret/my-app/*'],
		kvVersion: '2',
		ttl: '15m',
		maxTtl: '1h',
	});
	assert.equal(proposal.platform, 'ona');
	assert.deepEqual(Object.keys(proposal.role['bound_claims'] as object), ['organization_id', 'project_id']);
	assert.deepEqual(proposal.role['bound_audiences'], ['vault.hashicorp.com']);
	assert.equal(proposal.verdict.allowed, true, 'the token would be accepted');
	assert.deepEqual(proposal.warnings, []);
	assert.match(proposal.policy, /path "secret\/data\/my-app\/\*" \{\n {2}capabilities = \["read"\]\n\}/);
	assert.match(proposal.policy, /path "secret\/metadata\/my-app\/\*" \{\n {2}capabilities = \["list"\]/);
	assert.match(proposal.commands.at(-1)!, /^vault write auth\/jwt\/role\/new-project - <<'EOF'/);
	const written = await applyChange(
		writer,
		{kind: 'role', mount: 'jwt', role: 'new-project'},
		editsSetting(proposal.role),
		{backupDirectory: backups},
	);
	assert.equal(written.outcome, 'applied');
	const policy = await writer.write(`sys/policies/acl/${proposal.policyName}`, {policy: proposal.policy});
	assert.ok(policy.ok);
	const report = await diagnose(options(world, await world.issuer.sign(claims), {role: 'new-project'}));
	assert.equal(report.login.actual, null, 'Vault accepts the login with the new role');
});

test('onboarding refuses to bind claims the token lacks and warns about broad scopes', async () => {
	await assert.rejects(
		proposeRole({
			claims: onaClaims(world),
			mount: 'jwt',
			roleName: 'x',
			bind: ['repository'],
			secretPaths: [],
			kvVersion: '2',
			ttl: '15m',
			maxTtl: '1h',
		}),
		/no "repository" claim/,
	);
	const wide = await proposeRole({
		claims: onaClaims(world),
		mount: 'jwt',
		roleName: 'org',
		scope: 'organization',
		secretPaths: [],
		kvVersion: '2',
		ttl: '15m',
		maxTtl: '1h',
	});
	assert.equal(wide.warnings[0]?.problem, 'role-too-broad');
});

test('an applied fix changes exactly the targeted fields; its backup restores the old role byte for byte', async () => {
	const before = await readRole('ona-project');
	const result = await applyChange(
		writer,
		{kind: 'role', mount: 'jwt', role: 'ona-project'},
		[{op: 'add', field: 'bound_audiences', values: ['sts.amazonaws.com']}],
		{backupDirectory: backups},
	);
	assert.equal(result.outcome, 'applied');
	assert.deepEqual(
		result.changes.map(change => change.field),
		['bound_audiences'],
	);
	const writes = world.vault.requests.filter(
		request => request.method === 'POST' && request.path === 'auth/jwt/role/ona-project',
	);
	assert.deepEqual(
		Object.keys(writes.at(-1)!.body as object).sort(),
		['bound_audiences', 'bound_claims_type', 'role_type'],
		'only the change, plus the two fields Vault resets',
	);
	const changed = await readRole('ona-project');
	assert.deepEqual({...changed, bound_audiences: before['bound_audiences']}, before, 'nothing else moved');
	assert.ok(result.outcome === 'applied');
	assert.match(
		result.rollback,
		/^ona-vault-doctor restore .*ona-vault-doctor-backup-auth_jwt_role_ona-project-/,
	);
	const backup = await loadBackup(result.backupFile);
	assert.ok(!(await readFile(result.backupFile, 'utf8')).includes('hvs.'), 'backups hold no Vault token');
	await restoreBackup(writer, backup);
	assert.equal(JSON.stringify(await readRole('ona-project')), JSON.stringify(before));
});

test('a failed write that changed nothing is not rolled back: no second write, the role stays as it was', async () => {
	const before = await readRole('ona-project');
	world.vault.state.failNext.push({
		path: /auth\/jwt\/role\/ona-project$/,
		method: 'POST',
		status: 500,
		body: JSON.stringify({errors: ['1 error occurred:\n\t* storage failure\n\n']}),
	});
	const result = await applyChange(
		writer,
		{kind: 'role', mount: 'jwt', role: 'ona-project'},
		editsSetting({token_ttl: 60}),
		{backupDirectory: backups},
	);
	assert.equal(result.outcome, 'not-written');
	assert.ok(result.outcome === 'not-written');
	assert.match(result.error, /HTTP 500.*storage failure/s);
	assert.match(result.state, /Nothing was written: auth\/jwt\/role\/ona-project is as it was/);
	assert.equal(JSON.stringify(await readRole('ona-project')), JSON.stringify(before));
});

test('a write that does not read back as written is rolled back', async () => {
	const before = await readRole('ona-project');
	const sneaky = Object.create(writer) as VaultWriter;
	let reads = 0;
	sneaky.read = (async (path: string) => {
		const answer = await writer.read(path);
		reads++;
		return reads === 2 && answer.ok ? {...answer, data: {...answer.data, token_ttl: 1}} : answer;
	}) as VaultWriter['read'];

	const result = await applyChange(
		sneaky,
		{kind: 'role', mount: 'jwt', role: 'ona-project'},
		editsSetting({token_ttl: '30m'}),
		{backupDirectory: backups},
	);
	assert.equal(result.outcome, 'rolled-back');
	assert.match(
		result.outcome === 'rolled-back' ? result.error : '',
		/read-back does not match for token_ttl/,
	);
	assert.equal(JSON.stringify(await readRole('ona-project')), JSON.stringify(before));
});

test('a config change sends the whole config; a role body always carries role_type and bound_claims_type', () => {
	assert.deepEqual(
		writeBody(
			{kind: 'config'},
			{oidc_discovery_url: 'https://a', default_role: 'r'},
			{bound_issuer: 'https://a'},
		),
		{oidc_discovery_url: 'https://a', default_role: 'r', bound_issuer: 'https://a'},
	);
	assert.deepEqual(
		writeBody(
			{kind: 'role'},
			{role_type: 'jwt', bound_claims_type: 'glob', user_claim: 'email'},
			{user_claim: 'sub'},
		),
		{role_type: 'jwt', bound_claims_type: 'glob', user_claim: 'sub'},
	);
	assert.ok(nowSeconds() > 0);
});
