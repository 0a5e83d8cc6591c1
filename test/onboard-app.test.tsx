import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {type Proposal, proposeRole, templateKeys} from '../source/core/admin/onboard.js';
import OnboardApp from '../source/tui/onboard-app.js';
import {keys, type Rendered, render} from './helpers/render.js';

const mounted: Rendered[] = [];
after(() => {
	for (const instance of mounted) instance.unmount();
});

const claims = {
	iss: 'https://app.gitpod.io',
	sub: 'organization_id:org-1:project_id:proj-1',
	aud: ['vault.hashicorp.com'],
	iat: 1_795_318_000,
	exp: 1_795_321_600,
	organization_id: 'org-1',
	project_id: 'proj-1',
	environment_id: 'env-1',
};

test('the guided onboarding: platform, claims, audience, paths, then a checked proposal applied on y', async () => {
	const applied: Proposal[] = [];
	const app = render(
		<OnboardApp
			claims={claims}
			initial={{
				mount: 'jwt',
				roleName: 'team-app',
				platform: 'ona',
				secretPaths: [],
				kvVersion: '2',
				ttl: '15m',
				maxTtl: '1h',
				now: 1_795_318_100,
			}}
			defaults={platform => templateKeys(platform, claims)}
			propose={options => proposeRole({...options, now: 1_795_318_100})}
			apply={async proposal => {
				applied.push(proposal);
				return 'auth/jwt/role/team-app: applied and verified (role_type, bound_audiences, ...).';
			}}
		/>,
	);
	mounted.push(app);
	await app.waitFor('Which platform mints the tokens?');
	assert.match(app.frame(), /› ona/);
	await app.press(keys.enter);
	await app.waitFor('Which claims must match?');
	assert.match(app.frame(), /\[x\] organization_id/);
	assert.match(app.frame(), /\[x\] project_id/);
	assert.match(app.frame(), /\[ \] environment_id/);
	await app.press(keys.enter, keys.enter);
	await app.waitFor('Secret paths to grant read on');
	await app.press(...'secret/team-app/*', keys.enter);
	await app.waitFor('This token would be accepted by the proposed role.');
	assert.match(app.frame(), /"project_id": "proj-1"/);
	assert.match(app.frame(), /path "secret\/data\/team-app\/\*"/);
	await app.press('y');
	await app.waitFor('applied and verified');
	assert.equal(applied.length, 1);
	assert.deepEqual(applied[0]!.role['bound_claims'], {organization_id: 'org-1', project_id: 'proj-1'});
});

test('binding only the organization is allowed but warned about', async () => {
	const app = render(
		<OnboardApp
			claims={claims}
			initial={{
				mount: 'jwt',
				roleName: 'wide',
				platform: 'ona',
				secretPaths: [],
				kvVersion: '2',
				ttl: '15m',
				maxTtl: '1h',
			}}
			defaults={platform => templateKeys(platform, claims)}
			propose={options => proposeRole({...options, now: 1_795_318_100})}
		/>,
	);
	mounted.push(app);
	await app.waitFor('Which platform');
	await app.press(keys.enter);
	await app.waitFor('Which claims must match?');
	await app.press(keys.down, keys.down, keys.down, keys.down, ' ');
	await app.waitFor(/\[ \] project_id/);
	await app.press(keys.enter, keys.enter, keys.enter);
	await app.waitFor('⚠');
	assert.match(app.frame(), /bound only at the organization level/);
	assert.doesNotMatch(app.frame(), /y apply/, 'no apply without --apply');
});

test('with several JWT mounts, the first step chooses one: those that trust the issuer first, the choice is applied', async () => {
	const applied: string[] = [];
	const app = render(
		<OnboardApp
			claims={claims}
			initial={{
				mount: 'ona',
				roleName: 'team-app',
				platform: 'ona',
				secretPaths: [],
				kvVersion: '2',
				ttl: '15m',
				maxTtl: '1h',
				now: 1_795_318_100,
			}}
			mounts={[
				{path: 'ona', trusts: true},
				{path: 'circleci', trusts: false},
			]}
			defaults={platform => templateKeys(platform, claims)}
			propose={options => proposeRole({...options, now: 1_795_318_100})}
			apply={async (_proposal, roleName, mount) => {
				applied.push(`${mount}/${roleName}`);
				return 'applied';
			}}
		/>,
	);
	mounted.push(app);
	await app.waitFor('Which JWT auth mount gets the role?');
	assert.match(app.frame(), /› auth\/ona \(trusts this token's issuer\)/);
	assert.match(app.frame(), /auth\/circleci \(trusts another issuer: the login would fail\)/);
	assert.match(app.frame(), /step 1 of 6/);
	await app.press(keys.down, keys.up, keys.enter);
	await app.waitFor('Which platform mints the tokens?');
	await app.press(keys.enter, keys.enter, keys.enter, keys.enter);
	await app.waitFor('This token would be accepted by the proposed role.');
	assert.match(app.frame(), /onboard: auth\/ona\/role\/team-app/);
	await app.press('y');
	await app.waitFor('applied');
	assert.deepEqual(applied, ['ona/team-app']);
});
