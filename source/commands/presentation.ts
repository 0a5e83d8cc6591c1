import {colorWanted} from '../report/style.js';
import type {Output} from './io.js';

/** How a command shows its result: decided once, from the flags, the terminal and the environment. */
export type Presentation = {
	/** tui: the interactive doctor; text: a report for a person or a log; json: the stable document. */
	mode: 'tui' | 'text' | 'json';
	color: boolean;
	screenReader: boolean;
};

/** The one place the mode is decided (cli.tsx calls it before any command's action). */
export function decidePresentation(
	output: Output,
	stdin: {isTTY?: boolean},
	flags: {json?: boolean; tui?: boolean; color?: boolean; screenReader?: boolean},
): Presentation {
	return {
		mode: flags.json ? 'json' : wantsTui(output, stdin, flags) ? 'tui' : 'text',
		color: colorWanted(output.stdout, output.env, flags.color === false),
		screenReader: screenReaderWanted(output.env, flags.screenReader),
	};
}

/** The TUI runs only on a terminal, for a person: stdin and stdout TTYs, not CI, no --json, no --no-tui. */
function wantsTui(output: Output, stdin: {isTTY?: boolean}, flags: {json?: boolean; tui?: boolean}): boolean {
	const ci = output.env['CI'];
	const inCi =
		(ci !== undefined && ci !== '' && ci !== '0' && ci !== 'false') ||
		Boolean(output.env['CONTINUOUS_INTEGRATION']);
	return Boolean(
		output.stdout.isTTY &&
			stdin.isTTY &&
			!inCi &&
			!flags.json &&
			flags.tui !== false &&
			output.env['TERM'] !== 'dumb',
	);
}

function screenReaderWanted(env: NodeJS.ProcessEnv, flag?: boolean): boolean {
	return Boolean(flag) || env['INK_SCREEN_READER'] === 'true';
}

/**
The first frame, written before Ink and React are even loaded: the title and what is being checked, laid out as
the TUI's own first frame (title, a blank line, the checking line), so the TUI replaces it without a jump.
Returns the number of lines written, for the TUI to take back; none in screen-reader mode (no text twice).
*/
export function writeFirstFrame(
	stdout: NodeJS.WritableStream & {columns?: number},
	title: string,
	checking: string,
	screenReader: boolean,
	stdin?: NodeJS.ReadableStream & {isTTY?: boolean; setRawMode?: (mode: boolean) => unknown},
): number {
	// Keys pressed while the TUI loads arrive as the TUI reads them (Enter as Enter, not a cooked new line).
	if (stdin?.isTTY) stdin.setRawMode?.(true);
	if (screenReader) return 0;
	const width = Math.max(20, (stdout.columns ?? 80) - 1);
	const cut = (text: string) => (text.length > width ? `${text.slice(0, width - 1)}…` : text);
	stdout.write(`\u001B[1m${cut(title)}\u001B[22m\n\n${cut(checking)}\n`);
	return 3;
}

/** What a live diagnosis checks, from the flags and environment alone (nothing loaded, nothing asked). */
export function checkingLine(
	flags: {vaultAddr?: string; mount?: string; role?: string; offline?: boolean},
	env: NodeJS.ProcessEnv,
): string {
	if (flags.offline) return 'Checking the token, the role and the config offline (no network)…';
	const addr =
		flags.vaultAddr ?? (env['VAULT_ADDR'] || 'https://127.0.0.1:8200 (the default: VAULT_ADDR is unset)');
	const where = [flags.mount ? `auth/${flags.mount}` : '', flags.role ? `role ${flags.role}` : '']
		.filter(Boolean)
		.join(', ');
	return `Checking the token, its issuer and the login at ${addr}${where ? ` (${where})` : ''}…`;
}
