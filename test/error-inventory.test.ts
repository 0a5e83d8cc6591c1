import assert from 'node:assert/strict';
import {test} from 'node:test';
import {problemIds} from '../source/core/problems/catalogue.js';
import {explainVaultError} from '../source/core/problems/explain-error.js';
import {loadVectors} from './helpers/vectors.js';

/*
The inventory (test/vectors/error-inventory.json) lists every error string a JWT/OIDC login and its set-up can
produce, read from the sources named in each entry and in NOTES-errors.md. Each string must give its problem bare
and in every way a user meets it: the Vault CLI's block, the API's JSON body, vault-action's and Vault Agent's log
lines, a CI log with a timestamp and colours, and JSON-escaped inside a structured log.
*/

type Stage = 'login' | 'config' | 'role' | 'core' | 'tools';
type InventoryEntry = {
	text: string;
	problem: string;
	source: string;
	stage: Stage;
	path?: string;
	note?: string;
};

const inventory = loadVectors<InventoryEntry>('error-inventory.json');
const vaultAddr = 'https://vault.example.com:8200';

function pathOf(entry: InventoryEntry): string {
	if (entry.path) return entry.path;
	return {config: 'auth/jwt/config', role: 'auth/jwt/role/ci'}[entry.stage as string] ?? 'auth/jwt/login';
}

/** Go's %q of a string, as Vault Agent's hclog prints an error value. */
const goQuoted = (text: string) => JSON.stringify(text);

type Wrapper = {
	name: string;
	applies: (entry: InventoryEntry) => boolean;
	wrap: (entry: InventoryEntry) => string;
};
const fromVault = (entry: InventoryEntry) => entry.stage !== 'tools';
const onLogin = (entry: InventoryEntry) => fromVault(entry) && pathOf(entry) === 'auth/jwt/login';

const wrappers: Wrapper[] = [
	{name: 'bare', applies: () => true, wrap: entry => entry.text},
	{
		name: 'vault CLI',
		applies: fromVault,
		wrap: entry =>
			`Error writing data to ${pathOf(entry)}: Error making API request.\n\nURL: PUT ${vaultAddr}/v1/${pathOf(entry)}\nCode: 400. Errors:\n\n* ${entry.text}\n`,
	},
	{
		name: 'API JSON (curl)',
		applies: fromVault,
		wrap: entry =>
			`$ curl -sS -X POST --data @body.json ${vaultAddr}/v1/${pathOf(entry)}\n${JSON.stringify({errors: [entry.text]})}`,
	},
	{
		name: 'vault-action log',
		applies: onLogin,
		wrap: entry =>
			`Run hashicorp/vault-action@v3\nGet Vault Secrets\nError: failed to retrieve vault token. code: ERR_NON_2XX_3XX_RESPONSE, message: Response code 400 (Bad Request), vaultResponse: ${JSON.stringify({errors: [entry.text]})}`,
	},
	{
		name: 'Vault Agent log',
		applies: onLogin,
		wrap: entry =>
			`2024-05-01T10:00:00.000Z [INFO]  agent.auth.handler: authenticating\n2024-05-01T10:00:00.120Z [ERROR] agent.auth.handler: error authenticating: error=${goQuoted(
				`Error making API request.\n\nURL: PUT ${vaultAddr}/v1/${pathOf(entry)}\nCode: 400. Errors:\n\n* ${entry.text}`,
			)} backoff=1s`,
	},
	{
		name: 'CI log with timestamp and ANSI colour',
		applies: () => true,
		wrap: entry =>
			`2024-05-01T10:00:00.0000000Z \u001B[36;1mRun ./deploy.sh\u001B[0m\n2024-05-01T10:00:01.0000000Z \u001B[31;1m##[error]${entry.text}\u001B[0m\n2024-05-01T10:00:01.0000000Z ##[error]Process completed with exit code 1.`,
	},
	{
		name: 'JSON-escaped in a structured log',
		applies: () => true,
		wrap: entry =>
			JSON.stringify({level: 'error', ts: '2024-05-01T10:00:01Z', msg: 'login failed', error: entry.text}),
	},
];

test('the inventory is read from the sources: every entry names its source and a known problem', () => {
	assert.ok(inventory.length >= 200, `${inventory.length} strings`);
	for (const entry of inventory) {
		assert.ok(problemIds.includes(entry.problem as never), entry.problem);
		assert.notEqual(entry.problem, 'unknown', entry.text);
		assert.ok(entry.source.trim().length > 0, entry.text);
	}

	const texts = inventory.map(entry => entry.text);
	assert.deepEqual(
		texts.filter((text, index) => texts.indexOf(text) !== index),
		[],
		'no string twice',
	);
});

test('every inventory string gives its problem bare, as the Vault CLI, the API, vault-action and Agent print it, in CI logs and JSON logs', () => {
	const failures: string[] = [];
	let cases = 0;
	for (const entry of inventory) {
		for (const wrapper of wrappers) {
			if (!wrapper.applies(entry)) continue;
			cases++;
			const explanation = explainVaultError(wrapper.wrap(entry));
			if (explanation.problem !== entry.problem)
				failures.push(
					`${wrapper.name}: ${JSON.stringify(entry.text)} gave ${explanation.problem}, expected ${entry.problem}`,
				);
		}
	}

	assert.deepEqual(failures, []);
	assert.ok(cases >= 4 * inventory.length, `${cases} cases`);
});
