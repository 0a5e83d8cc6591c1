import {randomBytes} from 'node:crypto';
import {lstatSync, statSync} from 'node:fs';
import {open, rename, rm} from 'node:fs/promises';
import {basename, dirname, join} from 'node:path';
import {InputError} from './bounds.js';

/**
Writes a file only its owner may read (0600), never through a symlink: the text goes to a new temporary file
(O_CREAT|O_EXCL, so nothing planted there is followed or reused) that is then renamed over the target. An existing
symlink or non-file at the target is refused; an existing file is replaced by a new one, so its old mode is gone.
*/
export async function writePrivateFile(path: string, text: string): Promise<void> {
	const existing = (() => {
		try {
			return lstatSync(path);
		} catch {
			return undefined;
		}
	})();
	if (existing?.isSymbolicLink())
		throw new InputError(
			`${path} is a symbolic link; the doctor does not write through links. Remove it or choose another file.`,
		);
	if (existing && !existing.isFile()) throw new InputError(`${path} exists and is not a regular file.`);
	const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
	const handle = await open(temporary, 'wx', 0o600);
	try {
		await handle.writeFile(text);
		await handle.close();
		await rename(temporary, path);
	} catch (error) {
		await handle.close().catch(() => {});
		await rm(temporary, {force: true});
		throw error;
	}
}

/** A warning when others may write to a directory (group or world writable, no sticky bit); undefined otherwise. */
export function looseDirectoryWarning(directory: string, what: string): string | undefined {
	try {
		const info = statSync(directory);
		const mode = info.mode & 0o7777;
		if ((mode & 0o022) === 0 || (mode & 0o1000) !== 0) return undefined;
		return `${what} ${directory} is writable by ${mode & 0o002 ? 'every user' : 'its group'} (mode ${mode.toString(8).padStart(4, '0')}): others could replace or read what is kept there. Use a private directory (chmod 700).`;
	} catch {
		return undefined;
	}
}
