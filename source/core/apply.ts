import {mkdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import {isLosslessNumber} from 'lossless-json';
import type {DoctorReport} from './doctor/diagnose.js';
import type {VaultWriter} from './probes/vault.js';
import {readVaultData, secondsField, type VaultData} from './vault-data.js';

export type ChangeTarget = {kind: 'role'; mount: string; role: string} | {kind: 'config'; mount: string};

export type FieldChange = {field: string; from: unknown; to: unknown};

export type Backup = {
	kind: 'ona-vault-doctor-backup';
	version: 1;
	createdAt: string;
	addr: string;
	namespace?: string;
	target: ChangeTarget;
	existed: boolean;
	/** The data exactly as Vault returned it before the change. */
	data: VaultData | null;
};

export type ApplyResult =
	| {outcome: 'unchanged'; changes: []}
	| {outcome: 'applied'; changes: FieldChange[]; backupFile: string; rollback: string}
	| {
			outcome: 'rolled-back' | 'failed';
			changes: FieldChange[];
			backupFile?: string;
			error: string;
			rollback?: string;
	  };

export const targetPath = (target: ChangeTarget) =>
	target.kind === 'role' ? `auth/${target.mount}/role/${target.role}` : `auth/${target.mount}/config`;

const durationFields = /(?:^|_)(?:ttl|max_ttl|explicit_max_ttl|period|leeway)$/;

/** A field's value the way Vault reads it back: durations in seconds, lossless numbers as numbers. */
function normalize(field: string, value: unknown): unknown {
	if (durationFields.test(field) && (typeof value === 'string' || typeof value === 'number'))
		return secondsField({[field]: value}, field);
	return JSON.parse(
		JSON.stringify(value ?? null, (_key, element: unknown) =>
			isLosslessNumber(element) ? Number((element as {value: string}).value) : element,
		),
	);
}

/** The fields whose values differ between what Vault has and what is wanted. */
export function diffFields(current: VaultData | null, desired: Record<string, unknown>): FieldChange[] {
	return Object.entries(desired)
		.filter(
			([field, value]) => !isDeepStrictEqual(normalize(field, current?.[field]), normalize(field, value)),
		)
		.map(([field, value]) => ({field, from: current?.[field], to: value}));
}

/**
What is sent: for a role, only the changed fields plus role_type and bound_claims_type (Vault resets those two
when omitted); for a config, everything (Vault replaces the config whole).
*/
export function writeBody(
	target: ChangeTarget,
	current: VaultData | null,
	desired: Record<string, unknown>,
): Record<string, unknown> {
	if (target.kind === 'config') return {...current, ...desired};
	const changed = Object.fromEntries(diffFields(current, desired).map(change => [change.field, change.to]));
	return {
		role_type: current?.['role_type'] ?? 'jwt',
		bound_claims_type: current?.['bound_claims_type'] ?? 'string',
		...changed,
	};
}

export async function saveBackup(directory: string, backup: Backup): Promise<string> {
	await mkdir(directory, {recursive: true, mode: 0o700});
	const stamp = backup.createdAt.replaceAll(/[:.]/g, '-');
	const name = `ona-vault-doctor-backup-${targetPath(backup.target).replaceAll('/', '_')}-${stamp}.json`;
	const file = join(directory, name);
	await writeFile(file, `${JSON.stringify(backup, null, 2)}\n`, {mode: 0o600, flag: 'wx'});
	const again = JSON.parse(await readFile(file, 'utf8')) as Backup;
	if (!isDeepStrictEqual(again.data, JSON.parse(JSON.stringify(backup.data))))
		throw new Error(`the backup ${file} does not read back the same`);
	return file;
}

export async function loadBackup(file: string): Promise<Backup> {
	const backup = JSON.parse(await readFile(file, 'utf8')) as Backup;
	if (backup.kind !== 'ona-vault-doctor-backup' || backup.version !== 1)
		throw new Error(`${file} is not an ona-vault-doctor backup`);
	return backup;
}

async function readCurrent(
	writer: VaultWriter,
	target: ChangeTarget,
): Promise<{existed: boolean; data: VaultData | null}> {
	const answer = await writer.read(targetPath(target));
	if (answer.ok) return {existed: true, data: readVaultData(answer.data) ?? null};
	if (answer.notFound && answer.status === 404) return {existed: false, data: null};
	throw new Error(answer.message);
}

/**
Changes a role or config safely: a backup first, then only the fields that change, then a read-back that every
field holds what was written. If the write or the check fails, the backup is restored.
*/
export async function applyChange(
	writer: VaultWriter,
	target: ChangeTarget,
	desired: Record<string, unknown>,
	options: {backupDirectory: string; now?: Date},
): Promise<ApplyResult> {
	const current = await readCurrent(writer, target);
	const changes = diffFields(current.data, desired);
	if (changes.length === 0 && current.existed) return {outcome: 'unchanged', changes: []};
	const backupFile = await saveBackup(options.backupDirectory, {
		kind: 'ona-vault-doctor-backup',
		version: 1,
		createdAt: (options.now ?? new Date()).toISOString(),
		addr: writer.connection.addr,
		...(writer.connection.namespace ? {namespace: writer.connection.namespace} : {}),
		target,
		existed: current.existed,
		data: current.data,
	});
	const rollback = `ona-vault-doctor restore ${backupFile}`;
	const written = await writer.write(targetPath(target), writeBody(target, current.data, desired));
	let error: string | undefined;
	if (written.ok) {
		const after = await readCurrent(writer, target).catch((failure: Error) => ({
			existed: false,
			data: null,
			failure,
		}));
		const wrong = after.data ? diffFields(after.data, desired) : changes;
		if (wrong.length > 0)
			error = `read-back does not match for ${wrong.map(change => change.field).join(', ')}`;
	} else {
		error = written.message;
	}

	if (!error) return {outcome: 'applied', changes, backupFile, rollback};
	const restored = await restoreBackup(writer, await loadBackup(backupFile)).catch(
		(failure: Error) => failure.message,
	);
	return restored === true
		? {outcome: 'rolled-back', changes, backupFile, error}
		: {
				outcome: 'failed',
				changes,
				backupFile,
				error: `${error}; restoring the backup also failed (${restored})`,
				rollback,
			};
}

/** Puts back exactly what the backup holds: the old role (or none), or the old config, then checks it. */
export async function restoreBackup(writer: VaultWriter, backup: Backup): Promise<true> {
	const path = targetPath(backup.target);
	if (backup.target.kind === 'role') {
		const removed = await writer.delete(path);
		if (!removed.ok && !removed.notFound) throw new Error(removed.message);
	}

	if (backup.existed && backup.data) {
		const written = await writer.write(path, backup.data);
		if (!written.ok) throw new Error(written.message);
	}

	const now = await readCurrent(writer, backup.target);
	if (
		now.existed !== backup.existed ||
		!isDeepStrictEqual(normalize('', now.data), normalize('', backup.data))
	) {
		throw new Error(`${path} does not read back as the backup`);
	}

	return true;
}

/** The role and config changes of a report's fixes, merged per target. */
export function plannedChanges(
	report: DoctorReport,
): Array<{target: ChangeTarget; fields: Record<string, unknown>}> {
	const mount = report.vault?.mount ?? 'jwt';
	const role = report.vault?.role ?? '';
	const merged = new Map<string, {target: ChangeTarget; fields: Record<string, unknown>}>();
	for (const check of report.checks) {
		const change = check.fix?.change;
		if (check.status !== 'fail' || !change) continue;
		const target: ChangeTarget =
			change.kind === 'role' ? {kind: 'role', mount, role} : {kind: 'config', mount};
		const key = targetPath(target);
		const entry = merged.get(key) ?? {target, fields: {}};
		for (const [field, value] of Object.entries(change.fields)) {
			const existing = entry.fields[field];
			entry.fields[field] =
				field === 'bound_claims' && existing && typeof existing === 'object'
					? {...(existing as object), ...(value as object)}
					: value;
		}

		merged.set(key, entry);
	}

	return [...merged.values()].filter(entry => entry.target.kind === 'config' || role !== '');
}
