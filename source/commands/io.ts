/** A failure of the doctor itself (bad usage, unreadable input): exit code 2, a message, no stack trace. */
export class UsageError extends Error {
	override name = 'UsageError';
}

export type Output = {
	stdout: NodeJS.WritableStream & {isTTY?: boolean};
	stderr: NodeJS.WritableStream & {isTTY?: boolean};
	env: NodeJS.ProcessEnv;
};

const stdinLimit = 4 * 1024 * 1024;

/** Reads all of standard input, refusing more than 4 MiB and an interactive terminal (which would wait forever). */
export async function readStdin(
	stdin: NodeJS.ReadableStream & {isTTY?: boolean},
	what: string,
): Promise<string> {
	if (stdin.isTTY)
		throw new UsageError(
			`Expected ${what} on standard input, but it is a terminal. Pipe it in, or pass it as an argument.`,
		);
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of stdin) {
		const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
		size += buffer.length;
		if (size > stdinLimit)
			throw new UsageError(`Standard input is larger than 4 MiB; ${what} is never that large.`);
		chunks.push(buffer);
	}

	return Buffer.concat(chunks).toString('utf8');
}
