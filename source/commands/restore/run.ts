import {loadBackup, restoreBackup, restorePlan, targetPath} from '../../core/admin/apply.js';
import {displayUrl} from '../../core/probes/http.js';
import {diffLines, whileWriting, writerFromEnv} from '../apply.js';
import {confirm} from '../confirm.js';
import {ExitCode} from '../exit-code.js';
import {type Output, UsageError} from '../io.js';
import type {RestoreFlags} from './command.js';

/** `restore <backup>`: puts back a role, config or policy exactly as saved before a change, on the current Vault only. */
export async function runRestore(
	file: string,
	flags: RestoreFlags,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const backup = await loadBackup(file).catch((error: Error) => {
		throw new UsageError(`Cannot use ${file}: ${error.message}`);
	});
	// The admin token goes to the Vault of this shell (VAULT_ADDR or --vault-addr), never to an address read from a file.
	const writer = writerFromEnv(output.env, {
		...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
		...(backup.namespace ? {namespace: backup.namespace} : {}),
	});
	const path = targetPath(backup.target);
	if (sameAddress(backup.addr, writer.connection.addr) === false && !flags.otherAddress) {
		throw new UsageError(
			`${file} was saved from ${displayUrl(backup.addr)}, but this Vault is ${displayUrl(writer.connection.addr)}. Nothing was written. If this is the same server under another name, re-run with --other-address.`,
		);
	}

	let plan: Awaited<ReturnType<typeof restorePlan>>;
	try {
		plan = await restorePlan(writer, backup);
	} catch (error) {
		output.stderr.write(
			`ona-vault-doctor: reading ${path} failed: ${(error as Error).message}; nothing was written.\n`,
		);
		return ExitCode.problem;
	}

	if (backup.existed) {
		output.stdout.write(
			plan.changes.length > 0
				? `Restoring ${path} changes:\n${diffLines(plan.changes).join('\n')}\n`
				: `${path} already holds the saved values.\n`,
		);
	} else {
		output.stdout.write(
			plan.existed
				? `${path} did not exist before the change: restoring deletes it.\n`
				: `${path} does not exist, as before the change.\n`,
		);
	}

	const what = backup.existed ? `the version saved ${backup.createdAt}` : 'nothing (it did not exist before)';
	if (
		!(await confirm(`Restore ${path} on ${displayUrl(writer.connection.addr)} to ${what}?`, {
			yes: Boolean(flags.yes),
			output,
			stdin: stdin as NodeJS.ReadableStream & {isTTY?: boolean},
		}))
	) {
		output.stdout.write('Nothing was written.\n');
		return ExitCode.problem;
	}

	const outcome = await whileWriting(output, () =>
		restoreBackup(writer, backup).then(
			() => undefined,
			(error: Error) => error.message,
		),
	);
	if (outcome !== undefined) {
		output.stderr.write(`ona-vault-doctor: restoring ${path} failed: ${outcome}\n`);
		return ExitCode.problem;
	}

	output.stdout.write(`${path} restored and verified against ${file}.\n`);
	return ExitCode.ok;
}

/** Two Vault addresses name the same server: scheme, host and port (default ports filled in), no path or user. */
function sameAddress(left: string, right: string): boolean | undefined {
	try {
		const key = (text: string) => {
			const url = new URL(text);
			return `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'https:' ? '443' : '80')}`;
		};
		return key(left) === key(right);
	} catch {
		return false;
	}
}
