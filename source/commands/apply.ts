import {homedir} from 'node:os';
import {join} from 'node:path';
import {
	type ApplyResult,
	applyChange,
	backupOf,
	type FieldTarget,
	restoreCommand,
	saveBackup,
	targetPath,
} from '../core/admin/apply.js';
import {desiredFields, diffFields, type Edit} from '../core/admin/edits.js';
import {looseDirectoryWarning} from '../core/private-file.js';
import {defaultHttpSettings} from '../core/probes/http.js';
import {VaultWriter, vaultConnectionFromEnv} from '../core/probes/vault.js';
import {readVaultData, type VaultData} from '../core/vault-data.js';
import {formatValue} from '../report/text.js';
import {confirm} from './confirm.js';
import {type EndingSignal, signalExitCodes} from './exit-code.js';
import {type Output, UsageError} from './io.js';

export function backupDirectory(env: NodeJS.ProcessEnv, flag?: string): string {
	return flag ?? join(env['HOME'] ?? homedir(), '.ona-vault-doctor', 'backups');
}

export function describeResult(result: ApplyResult, path: string): string {
	const backup = 'backupFile' in result && result.backupFile ? `\n  backup: ${result.backupFile}` : '';
	switch (result.outcome) {
		case 'unchanged':
			return `${path}: already holds these values; nothing written.`;
		case 'applied':
			return `${path}: applied and verified (${result.changes.map(change => change.field).join(', ')}).${backup}\n  undo:\n${result.rollback}`;
		case 'stale':
			return `${path}: NOT applied: ${result.error}. ${result.state}\n  The change against what it holds now:\n${diffLines(result.changes).join('\n')}\n  Run it again to apply that.`;
		case 'failed':
			return `${path}: FAILED: ${result.error}.\n  ${result.state}${backup}${result.rollback ? `\n  restore by hand:\n${result.rollback}` : ''}`;
		default:
			return `${path}: NOT applied: ${result.error}. ${result.state}${backup}`;
	}
}

/** A field diff, one line each side, the values escaped onto one line. */
export function diffLines(changes: Array<{field: string; from: unknown; to: unknown}>): string[] {
	return changes.flatMap(field => [
		`  ${field.field}`,
		`    - ${formatValue(field.from ?? null)}`,
		`    + ${formatValue(field.to)}`,
	]);
}

/** Signals that end a run: during a write they wait for it to finish, so that Vault is left in a known state. */
const endingSignals = Object.keys(signalExitCodes) as EndingSignal[];

/**
Runs the writes with SIGINT, SIGTERM and SIGHUP held: the write in progress finishes (with its read-back or
rollback), no further target is started, and the process then exits with the signal's code.
*/
export async function whileWriting<T>(
	output: Output,
	run: (interrupted: () => boolean) => Promise<T>,
): Promise<T> {
	let received: EndingSignal | undefined;
	const handlers = endingSignals.map(signal => {
		const handler = () => {
			if (received) return;
			received = signal;
			output.stderr.write(
				`\nona-vault-doctor: ${signal}: finishing the write in progress so that Vault is left in a known state; no further change is started.\n`,
			);
		};
		process.on(signal, handler);
		return [signal, handler] as const;
	});
	try {
		return await run(() => received !== undefined);
	} finally {
		for (const [signal, handler] of handlers) process.removeListener(signal, handler);
		if (received) {
			output.stderr.write(`ona-vault-doctor: stopped by ${received} after the write in progress.\n`);
			process.exitCode = signalExitCodes[received];
			process.exit(signalExitCodes[received]);
		}
	}
}

type Writable = {target: FieldTarget; edits: Edit[]; basedOn?: VaultData | null | undefined};

/**
Shows each change as a diff against what Vault holds now, asks, then applies it with backup, read-back and
rollback. If Vault changes between the diff and the write, the new diff is shown and asked for again.
Returns whether every change applied.
*/
export async function applyPlanned(
	changes: Writable[],
	options: {
		writer: VaultWriter;
		yes: boolean;
		output: Output;
		stdin: NodeJS.ReadableStream;
		backupDir: string;
	},
): Promise<boolean> {
	const {output, writer} = options;
	if (changes.length === 0) {
		output.stdout.write(
			'No fix can be applied on the Vault side; the remaining fixes are on the token or platform side.\n',
		);
		return false;
	}

	const loose = looseDirectoryWarning(options.backupDir, 'The backup directory');
	if (loose) output.stderr.write(`ona-vault-doctor: warning: ${loose}\n`);
	let pending: Array<Writable & {basedOn: VaultData | null}> = [];
	for (const change of changes) {
		const answer = await writer.read(targetPath(change.target));
		if (!answer.ok && !(answer.notFound && answer.status === 404)) {
			output.stdout.write(
				`\nCannot read ${targetPath(change.target)} before changing it (${answer.message}); nothing was written.\n`,
			);
			return false;
		}

		pending.push({...change, basedOn: answer.ok ? (readVaultData(answer.data) ?? null) : null});
	}

	let allApplied = true;
	await whileWriting(output, async interrupted => {
		for (let round = 0; pending.length > 0 && round < 3; round++) {
			for (const change of pending) {
				const desired = desiredFields(change.basedOn, change.edits);
				output.stdout.write(`\nChange to ${targetPath(change.target)}:\n`);
				const fields = diffFields(change.basedOn, desired);
				output.stdout.write(
					`${fields.length > 0 ? diffLines(fields).join('\n') : '  (nothing to change)'}\n`,
				);
			}

			if (
				!(await confirm('\nApply these changes to Vault?', {
					yes: options.yes,
					output,
					stdin: options.stdin as NodeJS.ReadableStream & {isTTY?: boolean},
				}))
			) {
				output.stdout.write('Nothing was written.\n');
				allApplied = false;
				return;
			}

			const stale: typeof pending = [];
			for (const change of pending) {
				const path = targetPath(change.target);
				if (interrupted()) {
					output.stdout.write(`${path}: not started (interrupted); it is as it was.\n`);
					allApplied = false;
					continue;
				}

				const result = await applyChange(writer, change.target, change.edits, {
					backupDirectory: options.backupDir,
					basedOn: change.basedOn,
					onBackup: (file, rollback) =>
						output.stdout.write(
							`${path}: backup saved before writing: ${file}\n  to undo, run:\n${rollback}\n`,
						),
				});
				if (result.outcome === 'stale' && !options.yes) {
					output.stdout.write(`${path}: changed in Vault since the diff above; here is the new one.\n`);
					stale.push({...change, basedOn: result.current ?? null});
					continue;
				}

				output.stdout.write(`${describeResult(result, path)}\n`);
				if (result.outcome !== 'applied' && result.outcome !== 'unchanged') allApplied = false;
			}

			pending = stale;
		}

		if (pending.length > 0) {
			output.stdout.write('Vault kept changing under the diff; nothing more was written.\n');
			allApplied = false;
		}
	});
	return allApplied;
}

/** Applies each change (backup, write, read-back, rollback on failure): one line per target says what happened. */
export async function applyChanges(
	writer: VaultWriter,
	changes: Writable[],
	backupDir: string,
): Promise<{lines: string[]; allApplied: boolean}> {
	const loose = changes.length > 0 ? looseDirectoryWarning(backupDir, 'The backup directory') : undefined;
	const lines: string[] = loose ? [`Warning: ${loose}`] : [];
	let allApplied = true;
	for (const change of changes) {
		const path = targetPath(change.target);
		const result = await applyChange(writer, change.target, change.edits, {
			backupDirectory: backupDir,
			...(change.basedOn === undefined ? {} : {basedOn: change.basedOn}),
			onBackup: file => lines.push(`${path}: backup saved before writing: ${file}`),
		});
		lines.push(describeResult(result, path));
		if (result.outcome !== 'applied' && result.outcome !== 'unchanged') allApplied = false;
	}

	return {lines, allApplied};
}

/** The rule a policy gains, after a blank line, at its end. */
export const appendedPolicy = (current: string, rule: string) =>
	current.trim() === '' ? rule : `${current.replace(/\s+$/, '')}\n\n${rule}`;

/**
Adds rules to a policy: a new policy is written as given; an existing one keeps every line it has and gains
the rules it lacks at its end (Vault replaces a policy whole on write, so it is read first). The policy as it
was, or that it did not exist, is saved as a backup before the write: `restore` puts it back, or deletes a
policy the write created.
*/
export async function writePolicyAdding(
	writer: VaultWriter,
	name: string,
	text: string,
	backupDir: string,
): Promise<{ok: boolean; message: string; created: boolean}> {
	const target = {kind: 'policy' as const, name};
	const path = targetPath(target);
	const current = await writer.read(path);
	if (!current.ok && !(current.notFound && current.status === 404))
		return {
			ok: false,
			created: false,
			message: `Reading policy ${name} failed: ${current.message}; it was left as it is.`,
		};
	const existing = current.ok ? String((current.data as {policy?: unknown}).policy ?? '') : '';
	if (existing.includes(text.trim()))
		return {ok: true, created: false, message: `Policy ${name} already grants these paths; left as it is.`};
	let backupFile: string;
	try {
		const before = {existed: current.ok, data: current.ok ? (readVaultData(current.data) ?? null) : null};
		backupFile = await saveBackup(backupDir, backupOf(writer, target, before));
	} catch (error) {
		return {
			ok: false,
			created: false,
			message: `Policy ${name} was not written: its backup could not be saved (${(error as Error).message}).`,
		};
	}

	const undo = `\n  backup: ${backupFile}\n  undo (${current.ok ? 'puts the policy back as it was' : 'the policy did not exist before: deletes it'}):\n${restoreCommand(backupFile)}`;
	const written = await writer.write(path, {policy: appendedPolicy(existing, text.trim())});
	if (!written.ok)
		return {ok: false, created: false, message: `Writing policy ${name} failed: ${written.message}`};
	return current.ok
		? {
				ok: true,
				created: false,
				message: `Policy ${name}: the new paths were added at its end; nothing in it was replaced.${undo}`,
			}
		: {ok: true, created: true, message: `Policy ${name} written.${undo}`};
}

export function writerFromEnv(
	env: NodeJS.ProcessEnv,
	flags: {vaultAddr?: string; namespace?: string; timeoutMs?: number},
): VaultWriter {
	const connection = vaultConnectionFromEnv(
		env,
		{
			...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
			...(flags.namespace ? {namespace: flags.namespace} : {}),
		},
		{...defaultHttpSettings, ...(flags.timeoutMs ? {timeoutMs: flags.timeoutMs} : {})},
	);
	if (!connection.token)
		throw new UsageError(
			'Writing to Vault needs a token that may write roles: set VAULT_TOKEN (or log in with vault login).',
		);
	return new VaultWriter(connection);
}
