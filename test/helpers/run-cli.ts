import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const cliPath = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export type CliResult = {code: number | null; stdout: string; stderr: string};

/** Runs the built CLI as a user would, without a terminal, and waits for it with a deadline. */
export async function runCli(
	args: string[],
	options: {input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number} = {},
): Promise<CliResult> {
	const child = spawn(process.execPath, [cliPath, ...args], {
		env: {...process.env, NO_COLOR: '', FORCE_COLOR: '0', CI: 'true', ...options.env},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	child.stdin.end(options.input ?? '');
	const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 15_000);
	const code = await new Promise<number | null>(resolve => child.on('close', resolve));
	clearTimeout(timer);
	return {code, stdout, stderr};
}

/** A compact JWS: three base64url parts, the signature included. Nothing the doctor prints may contain one. */
export const compactJws = /eyJ[\w-]+\.eyJ[\w-]+\.[\w-]{10,}/;
