import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {demoReport, demoScenarios} from '../source/core/doctor/demo.js';
import type {DoctorReport} from '../source/core/doctor/diagnose.js';
import {createStyle} from '../source/report/style.js';
import {renderTextReport} from '../source/report/text.js';
import App from '../source/tui/app.js';
import type {Runner, RunOverrides} from '../source/tui/hooks/use-diagnosis.js';
import {Summary} from '../source/tui/widgets/Summary.js';
import {keys, type Rendered, render} from './helpers/render.js';

const mounted: Rendered[] = [];
after(() => {
	for (const instance of mounted) instance.unmount();
});

async function start(
	options: {
		listRoles?: (mount: string) => Promise<string[]>;
		applyFixes?: (report: DoctorReport) => Promise<string>;
	} = {},
) {
	const report = await demoReport(demoScenarios[0]!);
	const calls: RunOverrides[] = [];
	const reports: DoctorReport[] = [];
	const runner: Runner = async (overrides, onEvent) => {
		calls.push(overrides);
		onEvent({type: 'start', id: 'login.model', title: "Evaluate Vault's login checks", group: 'Login'});
		await new Promise(resolve => setTimeout(resolve, 20));
		return report;
	};

	const app = render(
		<App
			title="ona-vault-doctor test"
			runner={runner}
			hyperlinks={false}
			onReport={value => reports.push(value)}
			now={() => 1_795_318_500}
			{...options}
		/>,
	);
	mounted.push(app);
	await app.waitFor('Vault refuses this login');
	await app.waitFor(/› ✖ fail/);
	return {app, calls, reports, report};
}

test("the run view groups the findings, shows Vault's answer and selects the first problem", async () => {
	const {app, reports} = await start();
	await app.waitFor(/› ✖ fail\s+Audience/);
	const frame = app.frame();
	assert.match(frame, /Vault would answer: error validating token: invalid audience/);
	assert.match(frame, /Login\s+› ✖ fail\s+Audience \(bound_audiences\)/);
	assert.match(frame, /✖ fail\s+user_claim/);
	assert.match(frame, /✔ pass\s+11 passed \(f shows them\)/);
	assert.match(frame, /3 failed · 0 warnings · 0 not checked · 14 passed — Vault refuses this login/);
	assert.match(frame, /↑↓ select {2}⏎ open/);
	assert.equal(reports.length, 1);
});

test('a walkthrough shows the evidence, the numbered fix and copies a step', async () => {
	const {app} = await start();
	await app.press(keys.enter);
	await app.waitFor('Evidence');
	assert.match(app.frame(), /expected {2}\["vault.hashicorp.com"\]/);
	assert.match(app.frame(), /actual {4}\["sts.amazonaws.com"\]/);
	assert.match(app.frame(), /› 1\. ona idp token --audience vault.hashicorp.com/);
	assert.match(app.frame(), /Vault says: error validating token/);
	await app.press(keys.down, 'c');
	await app.waitFor('Copied step 2');
	assert.match(app.frame(), /ona idp login vault --role ona-project --audience vault.hashicorp.com/);
	await app.press(keys.escape);
	await app.waitFor('↑↓ select');
});

test('the string difference is shown for a bound claim', async () => {
	const {app} = await start();
	await app.press(keys.down, keys.down, keys.enter);
	await app.waitFor('bound_claims "project_id"');
	assert.match(app.frame(), /expected {2}"0193b6c3-ffff-7c4d-8e9f-000000000000"/);
	assert.match(app.frame(), /actual {4}"0193b6c3-1a2b-7c4d-8e9f-0a1b2c3d4e5f"/);
});

test('token, role and help views; the signature is never shown', async () => {
	const {app} = await start();
	await app.press('t');
	await app.waitFor('Signature: present, never shown.');
	assert.match(app.frame(), /Ona V3 environment token/);
	// The claims run past 24 rows: the view scrolls under the header instead of pushing it off.
	assert.match(app.frame(), /lines? below {2}PgUp\/PgDn scroll/);
	await app.press(keys.pageDown);
	await app.waitFor('creator_email');
	assert.match(app.frame(), /^ona-vault-doctor test/);
	assert.match(app.frame(), /creator_email\s+"dev@example.com"/);
	assert.match(app.frame(), /exp\s+\d+ {2}2026-/);
	await app.press('v');
	await app.waitFor('auth/jwt/role/ona-project');
	assert.match(app.frame(), /✖ fail\s+claim project_id/);
	// At 100 columns a UUID does not fit two columns: each binding is stacked, its values whole.
	assert.match(
		app.frame(),
		/✖ fail\s+bound_audiences\n\s+role\s+\["vault.hashicorp.com"\]\n\s+token\s+\["sts.amazonaws.com"\]/,
	);
	assert.match(app.frame(), /role\s+"0193b6c3-ffff-7c4d-8e9f-000000000000"/);
	await app.press('?');
	await app.waitFor('Keys');
	assert.match(app.frame(), /paste a token to diagnose/);
});

test("the role picker searches the mount's roles and re-runs with the choice", async () => {
	const {app, calls} = await start({
		listRoles: async () => ['ona-environment', 'ona-project', 'circleci-deploy'],
	});
	await app.press('o');
	await app.waitFor('Choose the role');
	await app.waitFor('circleci-deploy');
	await app.press('o', 'n', 'a', '-', 'e');
	await app.waitFor(/› ona-environment/);
	assert.doesNotMatch(app.frame(), /circleci-deploy/);
	await app.press(keys.enter);
	await app.waitFor('Vault refuses this login');
	assert.deepEqual(calls.at(-1), {role: 'ona-environment'});
});

test('a pasted token is diagnosed and never echoed', async () => {
	const {app, calls} = await start();
	await app.press('p');
	await app.waitFor('Paste the token');
	const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';
	await app.press(token);
	await app.waitFor('looks like a JWT');
	assert.ok(!app.frame().includes('c2lnbmF0dXJl'));
	await app.press(keys.enter);
	await app.waitFor('Vault refuses this login');
	assert.equal(calls.at(-1)?.token, token);
});

test('A shows the Vault-side changes as a diff and applies them only on y', async () => {
	const applied: DoctorReport[] = [];
	const {app, calls} = await start({
		applyFixes: async report => {
			applied.push(report);
			return 'auth/jwt/role/ona-project: applied and verified (user_claim).';
		},
	});
	await app.press('A');
	await app.waitFor('Apply these changes?');
	assert.match(app.frame(), /auth\/jwt\/role\/ona-project/);
	assert.match(app.frame(), /user_claim\n\s+- "email"\n\s+\+ "sub"/);
	assert.doesNotMatch(app.frame(), /bound_audiences/, 'token-side fixes are not applied');
	await app.press('n');
	await app.waitFor('↑↓ select');
	assert.equal(applied.length, 0);
	await app.press('A', 'y');
	await app.waitFor('applied and verified');
	assert.equal(applied.length, 1);
	await app.waitFor('Vault refuses this login');
	assert.ok(calls.length >= 2, 're-ran after applying');
});

test('the summary line counts one warning in the singular, as the text report does', async () => {
	const circleci = await demoReport(demoScenarios.find(scenario => scenario.name === 'circleci')!);
	assert.equal(circleci.summary.warn, 1);
	const app = render(<Summary report={circleci} />);
	mounted.push(app);
	assert.match(app.frame(), /3 failed · 1 warning · 0 not checked/);
	assert.match(
		renderTextReport(circleci, {heading: 'h', verbose: false, style: createStyle(false)}),
		/1 warning,/,
	);
});
