import assert from 'node:assert/strict';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {dirname, join, relative, resolve} from 'node:path';
import test from 'node:test';
import {fileURLToPath} from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function sourceFiles(folder: string): string[] {
	return readdirSync(join(root, folder), {recursive: true, encoding: 'utf8'})
		.filter(name => /\.tsx?$/.test(name))
		.map(name => join(folder, name));
}

/** Every module a file imports, statically or dynamically. */
function importsOf(file: string): string[] {
	const text = readFileSync(join(root, file), 'utf8');
	return [...text.matchAll(/(?:\bfrom|\bimport\(?)\s*['"]([^'"]+)['"]/g)].map(match => match[1]!);
}

test('source/core is the logic: it imports neither Ink nor React, nor anything outside source/core', () => {
	const files = sourceFiles('source/core');
	assert.ok(files.length > 30);
	for (const file of files) {
		for (const specifier of importsOf(file)) {
			assert.ok(!/^(?:ink|react)(?:$|[-/])/.test(specifier), `${file} imports ${specifier}`);
			if (!specifier.startsWith('.')) continue;
			const target = relative(join(root, 'source/core'), resolve(join(root, dirname(file)), specifier));
			assert.ok(!target.startsWith('..'), `${file} imports ${specifier}, outside source/core`);
		}
	}
});

test('source/report imports neither Ink nor React', () => {
	for (const file of sourceFiles('source/report'))
		for (const specifier of importsOf(file))
			assert.ok(!/^(?:ink|react)(?:$|[-/])/.test(specifier), `${file} imports ${specifier}`);
});

test('the README\'s "Where things are" names folders and files that exist', () => {
	const readme = readFileSync(join(root, 'README.md'), 'utf8');
	const section = readme.slice(readme.indexOf('## Where things are'), readme.indexOf('## Testing against'));
	const paths = [...section.matchAll(/`((?:source|test)\/[\w./-]*?)\/?`/g)].map(match => match[1]!);
	assert.ok(paths.length > 10);
	for (const path of paths.filter(path => !path.includes('*')))
		assert.ok(existsSync(join(root, path)), `the README names ${path}, which does not exist`);
	for (const step of ['token', 'health', 'mount', 'reads', 'issuer', 'login', 'access'])
		assert.ok(existsSync(join(root, 'source/core/doctor/steps', `${step}.ts`)), step);
});

test('each command owns its flags in commands/<name>/command.ts; cli.tsx declares none', () => {
	const cli = readFileSync(join(root, 'source/cli.tsx'), 'utf8');
	assert.doesNotMatch(cli, /\.(?:option|addOption|argument)\(/, 'cli.tsx declares a flag');
	const commands = readdirSync(join(root, 'source/commands'), {withFileTypes: true})
		.filter(entry => entry.isDirectory())
		.map(entry => entry.name);
	assert.deepEqual([...commands].sort(), [
		'audit',
		'decode',
		'demo',
		'diagnose',
		'explain',
		'onboard',
		'report',
		'restore',
	]);
	for (const name of commands) {
		const file = `source/commands/${name}/command.ts`;
		assert.ok(existsSync(join(root, file)), `${file} is missing`);
		assert.match(
			cli,
			new RegExp(`from './commands/${name}/command\\.js'`),
			`cli.tsx does not register ${name}`,
		);
	}
});

test('what loads before the first frame stays small: command.ts modules import the rest of a command lazily', () => {
	// The modules cli.tsx imports before a command runs; anything heavier (jose, Vault, Ink) must be import()ed.
	const light = new Set([
		'@commander-js/extra-typings',
		'../command-context.js',
		'../flags.js',
		'../io.js',
		'../presentation.js',
		'./diagnosis-flags.js',
		'../diagnose/diagnosis-flags.js',
		'../report/style.js',
		'../../core/names.js',
		'../../core/token-source-names.js',
	]);
	const eager = (file: string) =>
		[...readFileSync(join(root, file), 'utf8').matchAll(/^import (?!type )[^;]*?from '([^']+)'/gm)].map(
			match => match[1]!,
		);
	const files = [
		...sourceFiles('source/commands').filter(file => file.endsWith('command.ts')),
		'source/commands/flags.ts',
		'source/commands/presentation.ts',
		'source/commands/diagnose/diagnosis-flags.ts',
	];
	for (const file of files)
		for (const specifier of eager(file))
			assert.ok(light.has(specifier), `${file} loads ${specifier} up front`);
});
