import {createInterface} from 'node:readline/promises';
import type {Output} from './io.js';
import {UsageError} from './io.js';

/** Asks before a write to Vault; in scripts only --yes says yes, and without it nothing is written. */
export async function confirm(
	question: string,
	options: {yes: boolean; output: Output; stdin: NodeJS.ReadableStream & {isTTY?: boolean}},
): Promise<boolean> {
	if (options.yes) return true;
	if (!options.stdin.isTTY)
		throw new UsageError(
			`${question.replace(/\?$/, '')}: not on a terminal, so nothing was written. Re-run with --yes to apply.`,
		);
	const prompt = createInterface({input: options.stdin, output: options.output.stderr});
	try {
		const answer = await prompt.question(`${question} [y/N] `);
		return /^y(?:es)?$/i.test(answer.trim());
	} finally {
		prompt.close();
	}
}
