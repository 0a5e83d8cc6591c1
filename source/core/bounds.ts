import {closeSync, openSync, readSync} from 'node:fs';

/*
Input bounds: every file and token from outside is read up to a size cap and checked for nesting depth before it
is parsed, so a hostile or mistaken input (/dev/urandom, a 100,000-deep claim) gives a clear message, quickly,
instead of a long read or a stack overflow.
*/

/** Thrown for input the doctor refuses to read: exit code 2 with the message, never a stack trace. */
export class InputError extends Error {
	override name = 'InputError';
}

/** Deeper than any real token, role or config (Vault's own are a handful of levels) and far from the stack limit. */
export const maxJsonDepth = 64;
/** The largest JSON file read (--role-file, --config-file, a backup). */
export const maxJsonFileBytes = 4 * 1024 * 1024;
/** The largest CA bundle read. */
export const maxPemFileBytes = 4 * 1024 * 1024;

/** How deeply `text` nests arrays and objects (strings skipped), counting no further than `limit` + 1. */
export function jsonDepth(text: string, limit = maxJsonDepth): number {
	let depth = 0;
	let deepest = 0;
	let inString = false;
	for (let index = 0; index < text.length; index++) {
		const code = text.charCodeAt(index);
		if (inString) {
			if (code === 0x5c) index++;
			else if (code === 0x22) inString = false;
		} else if (code === 0x22) {
			inString = true;
		} else if (code === 0x5b || code === 0x7b) {
			depth++;
			if (depth > deepest) {
				deepest = depth;
				if (deepest > limit) return deepest;
			}
		} else if (code === 0x5d || code === 0x7d) {
			depth--;
		}
	}

	return deepest;
}

/** A sentence when JSON text nests deeper than the cap; undefined when it is fine. */
export function depthProblem(text: string, what: string): string | undefined {
	return jsonDepth(text) > maxJsonDepth
		? `${what} nests arrays or objects more than ${maxJsonDepth} levels deep; the doctor does not read it (no real token, role or config does that).`
		: undefined;
}

/**
Reads a file as UTF-8, stopping as soon as it is larger than `maxBytes` (a device such as /dev/urandom or a FIFO
included): the read never goes past the cap.
*/
export function readFileCapped(path: string, maxBytes: number, what: string): string {
	const descriptor = openSync(path, 'r');
	try {
		const chunks: Buffer[] = [];
		let size = 0;
		const buffer = Buffer.alloc(64 * 1024);
		for (;;) {
			const read = readSync(descriptor, buffer, 0, buffer.length, null);
			if (read === 0) break;
			size += read;
			if (size > maxBytes)
				throw new InputError(
					`${what} ${path} is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB; the doctor stops reading there.`,
				);
			chunks.push(Buffer.from(buffer.subarray(0, read)));
		}

		return Buffer.concat(chunks).toString('utf8');
	} finally {
		closeSync(descriptor);
	}
}
