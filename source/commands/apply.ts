import {homedir} from 'node:os';
import {join} from 'node:path';
import {
	type ApplyResult,
	applyChange,
	type ChangeTarget,
	diffFields,
	loadBackup,
	restoreBackup,
	targetPath,
} from '../core/apply.js';
import {defaultHttpSettings} from '../core/probes/http.js';
import {VaultWriter, vaultConnectionFromEnv} from '../core/probes/vault.js';
import {formatValue} from '../report/text.js';
import {confirm} from './confirm.js';
import {type Output, UsageError} from './io.js';

export function backupDirectory(env: NodeJS.ProcessEnv, flag?: string): string {
	return flag ?? join(env['HOME'] ?? homedir(), '.ona-vault-doctor', 'backups');
}

export function describeResult(result: ApplyResult, path: string): string {
	switch (result.outcome) {
		case 'unchanged':
			return `${path}: already as wanted, nothing written.`;
		case 'applied':
			return `${path}: applied and verified (${result.changes.map(change => change.field).join(', ')}).\n  backup: ${result.backupFile}\n  undo:   ${result.rollback}`;
		case 'rolled-back':
			return `${path}: NOT applied: ${result.error}. The backup was restored; nothing changed.\n  backup: ${result.backupFile}`;
		default:
			return `${path}: FAILED: ${result.error}.${result.rollback ? `\n  restore by hand: ${result.rollback}` : ''}`;
	}
}

/** Shows each change as a diff, asks, then applies with backup, read-back and rollback. Returns whether all applied. */
export async function applyPlanned(
	changes: Array<{
		target: ChangeTarget;
		fields: Record<string, unknown>;
		current?: Record<string, unknown> | null;
	}>,
	options: {
		writer: VaultWriter;
		yes: boolean;
		output: Output;
		stdin: NodeJS.ReadableStream;
		backupDir: string;
	},
): Promise<boolean> {
	const {output} = options;
	if (changes.length === 0) {
		output.stdout.write(
			'No fix can be applied on the Vault side; the remaining fixes are on the token or platform side.\n',
		);
		return false;
	}

	for (const change of changes) {
		output.stdout.write(`\nChange to ${targetPath(change.target)}:\n`);
		for (const field of diffFields(change.current ?? null, change.fields)) {
			output.stdout.write(
				`  ${field.field}\n    - ${formatValue(field.from ?? null)}\n    + ${formatValue(field.to)}\n`,
			);
		}
	}

	if (
		!(await confirm('\nApply these changes to Vault?', {
			yes: options.yes,
			output,
			stdin: options.stdin as NodeJS.ReadableStream & {isTTY?: boolean},
		}))
	) {
		output.stdout.write('Nothing was written.\n');
		return false;
	}

	const {lines, allApplied} = await applyChanges(options.writer, changes, options.backupDir);
	output.stdout.write(`${lines.join('\n')}\n`);
	return allApplied;
}

/** Applies each change (backup, write, read-back, rollback on failure): one line per target says what happened. */
export async function applyChanges(
	writer: VaultWriter,
	changes: Array<{target: ChangeTarget; fields: Record<string, unknown>}>,
	backupDir: string,
): Promise<{lines: string[]; allApplied: boolean}> {
	const lines: string[] = [];
	let allApplied = true;
	for (const change of changes) {
		const result = await applyChange(writer, change.target, change.fields, {backupDirectory: backupDir});
		lines.push(describeResult(result, targetPath(change.target)));
		if (result.outcome !== 'applied' && result.outcome !== 'unchanged') allApplied = false;
	}

	return {lines, allApplied};
}

/** Writes a new policy; an existing one is never overwritten (its paths are merged by hand). */
export async function writePolicyIfAbsent(
	writer: VaultWriter,
	name: string,
	text: string,
): Promise<{ok: boolean; message: string}> {
	const path = `sys/policies/acl/${name}`;
	if ((await writer.read(path)).ok) {
		return {
			ok: true,
			message: `Policy ${name} already exists and was left as it is; merge the paths above into it by hand if needed.`,
		};
	}

	const written = await writer.write(path, {policy: text});
	return written.ok
		? {ok: true, message: `Policy ${name} written.`}
		: {ok: false, message: `Writing policy ${name} failed: ${written.message}`};
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

/** `restore <backup>`: puts back a role or config exactly as saved before a change. */
export async function runRestore(
	file: string,
	flags: {yes?: boolean; vaultAddr?: string},
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const backup = await loadBackup(file).catch((error: Error) => {
		throw new UsageError(`Cannot use ${file}: ${error.message}`);
	});
	const writer = writerFromEnv(output.env, {
		vaultAddr: flags.vaultAddr ?? backup.addr,
		...(backup.namespace ? {namespace: backup.namespace} : {}),
	});
	const path = targetPath(backup.target);
	const what = backup.existed ? `the version saved ${backup.createdAt}` : 'nothing (it did not exist before)';
	if (
		!(await confirm(`Restore ${path} on ${writer.connection.addr} to ${what}?`, {
			yes: Boolean(flags.yes),
			output,
			stdin: stdin as NodeJS.ReadableStream & {isTTY?: boolean},
		}))
	) {
		output.stdout.write('Nothing was written.\n');
		return 1;
	}

	try {
		await restoreBackup(writer, backup);
	} catch (error) {
		output.stderr.write(`ona-vault-doctor: restoring ${path} failed: ${(error as Error).message}\n`);
		return 1;
	}

	output.stdout.write(`${path} restored and verified against ${file}.\n`);
	return 0;
}
