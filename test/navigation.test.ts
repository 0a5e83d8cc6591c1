import assert from 'node:assert/strict';
import {test} from 'node:test';
import {demoReport, demoScenarios} from '../source/core/doctor/demo.js';
import {initialNavigation, type PressContext, press, runRows} from '../source/tui/navigation.js';

const context = async (): Promise<PressContext> => {
	const report = await demoReport(demoScenarios[0]!);
	return {
		rows: runRows(report, false),
		fixCommands: () => ['one', 'two'],
		pickerItems: (_kind, query) => ['alpha', 'beta'].filter(item => item.includes(query)),
		running: false,
	};
};

test('rows fold passes per group and list problems first', async () => {
	const report = await demoReport(demoScenarios[0]!);
	const rows = runRows(report, false);
	assert.deepEqual(
		rows.map(row =>
			row.kind === 'folded' ? `${row.group}:+${row.count}` : `${row.group}:${row.check.status}`,
		),
		['Token:+1', 'Vault:+2', 'Login:fail', 'Login:fail', 'Login:fail', 'Login:+11'],
	);
	assert.equal(runRows(report, true).length, 17);
});

test('keys move, open, copy, re-check and quit; q quits from anywhere but text inputs', async () => {
	const ctx = await context();
	let state = press(initialNavigation, '', {downArrow: true}, ctx).state;
	state = press({...state, selected: 2}, '', {return: true}, ctx).state;
	assert.equal(state.screen.name, 'problem');
	const copy = press(press(state, '', {downArrow: true}, ctx).state, 'c', {}, ctx);
	assert.deepEqual(copy.effect, {type: 'copy', text: 'two'});
	assert.deepEqual(press(state, 'r', {}, ctx).effect, {type: 'rerun', focus: 'login.audience'});
	assert.equal(press(state, '', {escape: true}, ctx).state.screen.name, 'run');
	assert.deepEqual(press(state, 'q', {}, ctx).effect, {type: 'quit'});
	const paste = press(initialNavigation, 'p', {}, ctx).state;
	assert.equal(press(paste, 'q', {}, ctx).effect, undefined, 'q is text while pasting');
	assert.deepEqual(press(press(paste, 'a.b.c', {}, ctx).state, '', {return: true}, ctx).effect, {
		type: 'paste',
		token: 'a.b.c',
	});
});

test('pickers filter as you type and choose; free text is allowed for roles', async () => {
	const ctx = await context();
	let state = press(initialNavigation, 'm', {}, ctx).state;
	state = press(state, 'b', {}, ctx).state;
	assert.deepEqual(press(state, '', {return: true}, ctx).effect, {
		type: 'choose',
		kind: 'mount',
		value: 'beta',
	});
	let role = press(initialNavigation, 'o', {}, ctx).state;
	for (const character of 'deploy') role = press(role, character, {}, ctx).state;
	assert.deepEqual(press(role, '', {return: true}, ctx).effect, {
		type: 'choose',
		kind: 'role',
		value: 'deploy',
	});
});
