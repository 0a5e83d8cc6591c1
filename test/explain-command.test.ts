import assert from 'node:assert/strict';
import {test} from 'node:test';
import {printable} from '../source/commands/explain/run.js';
import {runCli} from './helpers/run-cli.js';

const twoErrors = [
	'2024-05-01T10:00:00Z \u001B[31m[ERROR]\u001B[0m error="Code: 400. Errors: * error validating token: invalid issuer (iss) claim"',
	'2024-05-01T10:05:00Z \u001B[31m[ERROR]\u001B[0m Code: 503. Errors: * Vault is sealed \u0007\u001B',
].join('\n');

test('explain prints each distinct error of a pasted log, first first, in text and JSON', async () => {
	const text = await runCli(['explain', '-'], {input: twoErrors});
	assert.equal(text.code, 0);
	assert.match(text.stdout, /2 different errors in this text, in the order they appear/);
	assert.ok(text.stdout.indexOf('[issuer-mismatch]') < text.stdout.indexOf('[vault-sealed]'));
	assert.match(text.stdout, /ona-vault-doctor diagnose/);

	const json = await runCli(['explain', '--json', '-'], {input: twoErrors});
	const document = JSON.parse(json.stdout) as {
		schemaVersion: number;
		problem: string;
		alternatives: string[];
		matched: string;
		errors: Array<{problem: string; matched: string}>;
	};
	assert.equal(document.schemaVersion, 1);
	assert.equal(document.problem, 'issuer-mismatch', 'the first error keeps the top-level fields');
	assert.deepEqual(
		document.errors.map(error => error.problem),
		['issuer-mismatch', 'vault-sealed'],
	);
});

test('explain never sends control characters of the paste back to the terminal', async () => {
	const {stdout} = await runCli(['explain', '-'], {input: twoErrors});
	assert.equal(printable(stdout), stdout, 'only new lines and tabs among the control characters');
	assert.match(stdout, /\\x07/);
	assert.equal(printable('a\u0007b\u001B[31mc\u009Bd\te'), 'a\\x07b\\x1b[31mc\\x9bd\te');
});

test('explain on an unknown text shows the line that looked like an error and the nearest problems (exit 1)', async () => {
	const {code, stdout} = await runCli([
		'explain',
		'Get Vault Secrets\nError: Response code 400 (Bad Request)',
	]);
	assert.equal(code, 1);
	assert.match(stdout, /This line looks like the error: Error: Response code 400 \(Bad Request\)/);
	assert.match(stdout, /The nearest known problems: /);
});

test('explain says why a misleading wording misleads', async () => {
	const {stdout} = await runCli([
		'explain',
		'error performing token check: failed to look up namespace from the token: no namespace',
	]);
	assert.match(stdout, /\[vault-token-foreign\]/);
	assert.match(stdout, /The wording misleads: The message blames namespaces/);
});
