import assert from 'node:assert/strict';
import {after, test} from 'node:test';
import {terminalTheme, terminalToSvg} from '../media/terminal-svg.js';
import {closeAllPty, spawnPty} from './helpers/pty.js';

after(closeAllPty);

const bound = {timeout: 3000};
const wait = 2000;

test('spawnPty shows coloured output, takes typed keys and reports the exit code', bound, async () => {
	const session = spawnPty('sh', ['-c', 'printf "\\033[31mred\\033[0m plain\\n"; read x; echo "got $x"']);
	await session.waitFor('red plain', wait);
	assert.ok(session.output().includes('\u001b[31mred\u001b[0m plain'), 'output() keeps the raw bytes');
	session.write('hello');
	session.press('enter');
	await session.waitFor('got hello', wait);
	assert.match(session.screen(), /^red plain\nhello\ngot hello\n/);
	assert.equal(await session.exited, 0);
});

test('the program sees a 256-colour terminal; CI and colour overrides only when asked', bound, async t => {
	const saved = process.env['CI'];
	process.env['CI'] = 'true';
	t.after(() => {
		if (saved === undefined) delete process.env['CI'];
		else process.env['CI'] = saved;
	});
	const session = spawnPty(
		'sh',
		['-c', 'printenv CI FORCE_COLOR NO_COLOR; echo "status=$? term=$TERM x=$X"'],
		{
			env: {X: 'set', NO_COLOR: '1'},
		},
	);
	assert.equal(await session.exited, 0);
	assert.match(session.screen(), /^1\nstatus=1 term=xterm-256color x=set\n/);
});

test('resize reaches the program', bound, async () => {
	const session = spawnPty('sh', ['-c', 'read x; stty size'], {cols: 80, rows: 24});
	session.resize(100, 30);
	session.press('enter');
	await session.waitFor('30 100', wait);
	assert.equal(session.terminal.cols, 100);
	assert.equal(session.terminal.rows, 30);
	assert.equal(await session.exited, 0);
});

test('waitFor rejects with the screen, and a killed program exits with 128+signal', bound, async () => {
	const session = spawnPty('sh', ['-c', 'echo waiting; sleep 10']);
	await session.settle(100, wait);
	await assert.rejects(session.waitFor('never shown', 200), /Timed out after 200 ms[\s\S]*waiting/);
	session.kill();
	session.kill();
	assert.equal(await session.exited, 128 + 1);
});

test('terminalToSvg draws the screen with colours and escaped text', bound, async () => {
	const session = spawnPty(
		'sh',
		['-c', 'printf "\\033[31mred\\033[0m plain <a & b> \\033[1;42m ok \\033[0m 日本\\n"'],
		{
			cols: 40,
			rows: 6,
		},
	);
	await session.exited;
	const svg = terminalToSvg(session.terminal, {title: 'Tom & <Jerry>'});
	assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
	assert.match(svg, /<\/svg>\n$/);
	assert.ok(svg.includes(`fill="${terminalTheme.ansi[1]}">red</tspan>`), svg);
	assert.ok(svg.includes('&lt;a &amp; b&gt;'), svg);
	assert.ok(svg.includes('Tom &amp; &lt;Jerry&gt;'), svg);
	assert.ok(svg.includes(`fill="${terminalTheme.ansi[2]}"`), 'green background rectangle');
	assert.ok(svg.includes('font-weight="bold">'), 'bold text');
	// Each wide character is placed on its own two-cell column: 日 at column 23, 本 at 25 (14 px padding + 8.4 px cells).
	assert.ok(
		svg.includes('<tspan x="207.2" fill="#abb2bf">日</tspan><tspan x="224" fill="#abb2bf">本</tspan>'),
		svg,
	);
	const withoutMarkup = svg.replace(/<[^>]*>/g, '');
	assert.ok(
		!/[<>]|&(?!amp;|lt;|gt;|quot;|apos;)/.test(withoutMarkup),
		'no unescaped markup characters in text',
	);
});
