import {spawn} from 'node:child_process';
import {delimiter} from 'node:path';
import {fileURLToPath} from 'node:url';
import {adminToken} from './world.js';

const vaultCli = fileURLToPath(new URL('../fixtures/vault-cli', import.meta.url));

/** What the closed loops run of a fix: the Vault commands and the file steps around them, not comments or token-side lines. */
export const runnable = (command: string) => /^(?:vault|cat) /.test(command);

/**
Runs one printed command verbatim in bash, with the Vault CLI stand-in (test/fixtures/vault-cli) first on PATH,
the admin token, and the Vault at `addr`; `log` collects the stand-in's calls, one JSON line each.
*/
export async function runPrinted(
	command: string,
	options: {cwd: string; addr: string; log?: string},
): Promise<{code: number | null; stderr: string}> {
	const child = spawn('bash', ['-c', command], {
		cwd: options.cwd,
		env: {
			PATH: `${vaultCli}${delimiter}${process.env['PATH']}`,
			VAULT_ADDR: options.addr,
			VAULT_TOKEN: adminToken,
			...(options.log ? {VAULT_CLI_LOG: options.log} : {}),
		},
		stdio: ['ignore', 'ignore', 'pipe'],
	});
	let stderr = '';
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	return {code, stderr};
}
