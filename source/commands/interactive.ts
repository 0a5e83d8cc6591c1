import type {Output} from './io.js';

/** The TUI runs only on a terminal, for a person: stdin and stdout TTYs, not CI, no --json, no --no-tui. */
export function wantsTui(
	output: Output,
	stdin: {isTTY?: boolean},
	flags: {json?: boolean; tui?: boolean},
): boolean {
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

export function screenReaderWanted(env: NodeJS.ProcessEnv, flag?: boolean): boolean {
	return Boolean(flag) || env['INK_SCREEN_READER'] === 'true';
}
