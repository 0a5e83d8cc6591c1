import type {Output} from './io.js';
import type {Presentation} from './presentation.js';

/** What every command is given by cli.tsx: where to write, what to read, and how to answer. */
export type CommandContext = {
	output: Output;
	stdin: NodeJS.ReadableStream & {isTTY?: boolean};
	/** The command line as typed (for the support bundle, redacted there). */
	argv: string[];
	version: string;
	setCode: (code: number) => void;
	/** Decided once by cli.tsx from the flags and the terminal, before the command's action runs. */
	presentation: () => Presentation;
};
