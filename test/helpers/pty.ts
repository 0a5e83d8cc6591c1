import xtermHeadless, {type Terminal as XtermTerminal} from '@xterm/headless';
import {spawn as spawnNodePty} from 'node-pty';

const {Terminal} = xtermHeadless;

export type PtyKey =
	| 'enter'
	| 'escape'
	| 'up'
	| 'down'
	| 'left'
	| 'right'
	| 'tab'
	| 'shift-tab'
	| 'backspace'
	| 'delete'
	| 'space'
	| 'home'
	| 'end'
	| 'pageup'
	| 'pagedown'
	| 'ctrl-c'
	| 'ctrl-d';

export type PtySession = {
	/** The visible screen as text: rows joined by '\n', trailing spaces trimmed per row. */
	screen(): string;
	/** The full terminal object (an @xterm/headless Terminal), for colour-aware consumers. */
	terminal: XtermTerminal;
	/** Every byte the program wrote, for assertions that something never appeared (e.g. a secret). */
	output(): string;
	/** Raw input, as if typed: '\r' Enter, '\u001b' Esc, '\u001b[B' down, 'q' ... */
	write(data: string): void;
	/** A named key (see PtyKey, also 'ctrl-<letter>'); any other string is written as is. */
	press(key: PtyKey | (string & {})): void;
	/**
	 * Resolves when the screen matches (string = includes, RegExp = test). Rejects with the current screen
	 * after timeoutMs (default 10000), or as soon as the program has exited without the screen matching.
	 */
	waitFor(match: string | RegExp, timeoutMs?: number): Promise<void>;
	/** Resolves when the screen stops changing for quietMs (default 150); rejects after timeoutMs (default 10000). */
	settle(quietMs?: number, timeoutMs?: number): Promise<void>;
	resize(cols: number, rows: number): void;
	/** The exit code (signal exits give 128+n); resolves after all output has reached the terminal. */
	exited: Promise<number>;
	/** Hangs up (SIGHUP, then SIGKILL if still alive after 1 s). Idempotent. */
	kill(): void;
};

export type PtyOptions = {cols?: number; rows?: number; env?: Record<string, string>; cwd?: string};

const pollMs = 25;
const live = new Set<PtySession>();

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));

function ptyEnv(overrides: Record<string, string> = {}): Record<string, string> {
	const env: Record<string, string> = {};
	for (const [name, value] of Object.entries(process.env)) {
		if (value !== undefined && name !== 'CI' && name !== 'FORCE_COLOR' && name !== 'NO_COLOR')
			env[name] = value;
	}
	env['TERM'] = 'xterm-256color';
	return {...env, ...overrides};
}

function keySequence(key: string, applicationCursor: boolean): string {
	const arrow = (final: string) => (applicationCursor ? `\u001bO${final}` : `\u001b[${final}`);
	switch (key) {
		case 'enter':
			return '\r';
		case 'escape':
			return '\u001b';
		case 'up':
			return arrow('A');
		case 'down':
			return arrow('B');
		case 'right':
			return arrow('C');
		case 'left':
			return arrow('D');
		case 'home':
			return arrow('H');
		case 'end':
			return arrow('F');
		case 'tab':
			return '\t';
		case 'shift-tab':
			return '\u001b[Z';
		case 'backspace':
			return '\u007f';
		case 'delete':
			return '\u001b[3~';
		case 'space':
			return ' ';
		case 'pageup':
			return '\u001b[5~';
		case 'pagedown':
			return '\u001b[6~';
		default: {
			const ctrl = /^ctrl-([a-z])$/i.exec(key);
			if (ctrl) return String.fromCharCode(ctrl[1]!.toLowerCase().charCodeAt(0) - 96);
			return key;
		}
	}
}

function describe(match: string | RegExp): string {
	return typeof match === 'string' ? JSON.stringify(match) : String(match);
}

/** Runs a command in a real pseudo-terminal and mirrors its output into a headless xterm.js terminal. */
export function spawnPty(command: string, args: string[], options: PtyOptions = {}): PtySession {
	const cols = options.cols ?? 80;
	const rows = options.rows ?? 24;
	const env = ptyEnv(options.env);
	const terminal = new Terminal({cols, rows, allowProposedApi: true, scrollback: 1000});
	const pty = spawnNodePty(command, args, {
		name: env['TERM'] ?? 'xterm-256color',
		cols,
		rows,
		cwd: options.cwd ?? process.cwd(),
		env,
	});

	let output = '';
	let lastWrite: Promise<void> = Promise.resolve();
	let exitCode: number | undefined;
	let killed = false;
	let killTimer: NodeJS.Timeout | undefined;

	const dataListener = pty.onData(data => {
		output += data;
		lastWrite = new Promise<void>(resolve => terminal.write(data, resolve));
	});
	// Answers to the program's queries (cursor position, device attributes...) go back, as a real terminal's do.
	const replyListener = terminal.onData(data => {
		if (exitCode === undefined) pty.write(data);
	});

	const exited = new Promise<number>(resolve => {
		const exitListener = pty.onExit(({exitCode: code, signal}) => {
			exitListener.dispose();
			dataListener.dispose();
			replyListener.dispose();
			if (killTimer) clearTimeout(killTimer);
			live.delete(session);
			const result = signal ? 128 + signal : code;
			void lastWrite.then(() => {
				exitCode = result;
				resolve(result);
			});
		});
	});

	const screen = (): string => {
		const buffer = terminal.buffer.active;
		const lines: string[] = [];
		for (let y = 0; y < terminal.rows; y++) {
			lines.push(
				buffer
					.getLine(buffer.viewportY + y)
					?.translateToString(true)
					.trimEnd() ?? '',
			);
		}
		return lines.join('\n');
	};

	const write = (data: string): void => {
		if (exitCode === undefined && !killed) pty.write(data);
	};

	const session: PtySession = {
		terminal,
		screen,
		output: () => output,
		write,
		press: key => write(keySequence(key, terminal.modes.applicationCursorKeysMode)),
		async waitFor(match, timeoutMs = 30_000) {
			const test =
				typeof match === 'string'
					? (text: string) => text.includes(match)
					: (text: string) => match.test(text);
			const deadline = Date.now() + timeoutMs;
			for (;;) {
				await lastWrite;
				const text = screen();
				if (test(text)) return;
				if (exitCode !== undefined) {
					throw new Error(
						`Program exited (${exitCode}) before the screen showed ${describe(match)}:\n${text}`,
					);
				}
				if (Date.now() >= deadline) {
					throw new Error(
						`Timed out after ${timeoutMs} ms waiting for ${describe(match)}; the screen shows:\n${text}`,
					);
				}
				await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
			}
		},
		async settle(quietMs = 150, timeoutMs = 10_000) {
			const deadline = Date.now() + timeoutMs;
			await lastWrite;
			let previous = screen();
			let stableSince = Date.now();
			for (;;) {
				await sleep(pollMs);
				await lastWrite;
				const text = screen();
				if (text !== previous) {
					previous = text;
					stableSince = Date.now();
				}
				if (Date.now() - stableSince >= quietMs) return;
				if (Date.now() >= deadline) {
					throw new Error(`Screen still changing after ${timeoutMs} ms; it shows:\n${text}`);
				}
			}
		},
		resize(newCols, newRows) {
			terminal.resize(newCols, newRows);
			if (exitCode === undefined && !killed) pty.resize(newCols, newRows);
		},
		exited,
		kill() {
			if (killed || exitCode !== undefined) return;
			killed = true;
			pty.kill('SIGHUP');
			killTimer = setTimeout(() => pty.kill('SIGKILL'), 1000);
			killTimer.unref();
		},
	};
	live.add(session);
	return session;
}

/** Kills every live session and waits (at most 2 s) for them to exit. Meant for `after(closeAllPty)`. */
export async function closeAllPty(): Promise<void> {
	const timeoutMs = 2000;
	const sessions = [...live];
	for (const session of sessions) session.kill();
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([
		Promise.all(sessions.map(session => session.exited)),
		new Promise<void>(resolve => {
			timer = setTimeout(resolve, timeoutMs);
		}),
	]);
	clearTimeout(timer);
}
