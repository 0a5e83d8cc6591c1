import {stripVTControlCharacters} from 'node:util';
import {render as inkRender} from 'ink-testing-library';
import type {ReactElement} from 'react';

const tick = () => new Promise(resolve => setImmediate(resolve));

export type Rendered = {
	/** The last frame without colours. */
	frame(): string;
	/** Waits until the frame matches, then yields once more so input handlers are armed. */
	waitFor(match: string | RegExp, timeoutMs?: number): Promise<void>;
	/** Sends keys one at a time, yielding between them as a terminal would. */
	press(...keys: string[]): Promise<void>;
	unmount(): void;
};

export const keys = {
	enter: '\r',
	escape: '\u001B',
	up: '\u001B[A',
	down: '\u001B[B',
	backspace: '\u007F',
	pageDown: '\u001B[6~',
	pageUp: '\u001B[5~',
};

/** ink-testing-library behind explicit waits: Ink updates frames asynchronously, and input must not race the handlers. */
export function render(tree: ReactElement): Rendered {
	const instance = inkRender(tree);
	const frame = () => stripVTControlCharacters(instance.lastFrame() ?? '');
	return {
		frame,
		async waitFor(match, timeoutMs = 10_000) {
			const deadline = Date.now() + timeoutMs;
			const matches = () => (typeof match === 'string' ? frame().includes(match) : match.test(frame()));
			while (!matches()) {
				if (Date.now() > deadline)
					throw new Error(`timed out waiting for ${String(match)}; the screen shows:\n${frame()}`);
				await new Promise(resolve => setTimeout(resolve, 10));
			}

			await tick();
		},
		async press(...sequence) {
			for (const key of sequence) {
				await tick();
				instance.stdin.write(key);
				await tick();
				await tick();
			}
		},
		unmount: () => instance.unmount(),
	};
}
