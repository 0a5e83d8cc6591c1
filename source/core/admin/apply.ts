import {mkdir, readFile, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {isDeepStrictEqual} from 'node:util';
import type {DoctorReport} from '../doctor/diagnose.js';
import {configSecretRisk} from '../doctor/fixes.js';
import {parseConfig} from '../login/config.js';
import {invalidMountPath, invalidRoleName} from '../names.js';
import type {VaultWriter} from '../probes/vault.js';
import {shellQuote} from '../snippet-quoting.js';
import {readVaultData, type VaultData} from '../vault-data.js';
import {
	type Change,
	desiredFields,
	diffFields,
	type Edit,
	type FieldChange,
	normalizeField,
	wideningOf,
	writeBody,
} from './edits.js';

export type {FieldChange} from './edits.js';
export {diffFields} from './edits.js';

export type ChangeTarget =
	| {kind: 'role'; mount: string; role: string}
	| {kind: 'config'; mount: string}
	/** An ACL policy: onboarding appends to one or creates it, and backs it up first like a role. */
	| {kind: 'policy'; name: string};

/** A target changed field by field: a role or a config (a policy's text is appended to, not edited). */
export type FieldTarget = Extract<ChangeTarget, {kind: 'role' | 'config'}>;

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

/** What Vault holds after an apply, in words: every outcome says it. */
export type ApplyResult =
	| {outcome: 'unchanged'; changes: []; state: string}
	| {outcome: 'applied'; changes: FieldChange[]; backupFile: string; rollback: string; state: string}
	| {
			/** Nothing was written: the change would widen the role, or erase a secret, or the target moved. */
			outcome: 'refused' | 'stale' | 'not-written' | 'rolled-back' | 'failed';
			changes: FieldChange[];
			backupFile?: string;
			error: string;
			rollback?: string;
			state: string;
			/** For 'stale': the data Vault holds now, which the changes were rebased on. */
			current?: VaultData | null;
	  };

export function targetPath(target: ChangeTarget): string {
	switch (target.kind) {
		case 'role':
			return `auth/${target.mount}/role/${target.role}`;
		case 'config':
			return `auth/${target.mount}/config`;
		case 'policy':
			return `sys/policies/acl/${target.name}`;
	}
}

/** Refuses a target whose names Vault would not route as a role, config or policy (`..`, `%2e`, slashes in a name). */
export function checkTarget(target: ChangeTarget): void {
	const problem =
		target.kind === 'policy'
			? invalidRoleName(target.name)
			: (invalidMountPath(target.mount) ??
				(target.kind === 'role' ? invalidRoleName(target.role) : undefined));
	if (problem) throw new Error(problem);
}

export const restoreCommand = (backupFile: string) => `ona-vault-doctor restore ${shellQuote(backupFile)}`;

/** What a target held before a change (or that it did not exist), and on which Vault: a backup to save. */
export function backupOf(
	writer: VaultWriter,
	target: ChangeTarget,
	current: {existed: boolean; data: VaultData | null},
	now = new Date(),
): Backup {
	return {
		kind: 'ona-vault-doctor-backup',
		version: 1,
		createdAt: now.toISOString(),
		addr: writer.connection.addr,
		...(writer.connection.namespace ? {namespace: writer.connection.namespace} : {}),
		target,
		existed: current.existed,
		data: current.data,
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
	if (backup?.kind !== 'ona-vault-doctor-backup' || backup.version !== 1)
		throw new Error(`${file} is not an ona-vault-doctor backup`);
	const target = backup.target as
		| {kind?: unknown; mount?: unknown; role?: unknown; name?: unknown}
		| undefined;
	const named =
		target?.kind === 'policy'
			? typeof target.name === 'string'
			: (target?.kind === 'role' || target?.kind === 'config') &&
				typeof target.mount === 'string' &&
				(target.kind === 'config' || typeof target.role === 'string');
	if (!named) throw new Error(`${file} names no role, config or policy to restore`);
	checkTarget(backup.target);
	return backup;
}

type Current = {existed: boolean; data: VaultData | null};

async function readCurrent(writer: VaultWriter, target: ChangeTarget): Promise<Current> {
	const answer = await writer.read(targetPath(target));
	if (answer.ok) return {existed: true, data: readVaultData(answer.data) ?? null};
	if (answer.notFound && answer.status === 404) return {existed: false, data: null};
	throw new Error(answer.message);
}

/** Role or config data as Vault compares it, field by field. */
const comparable = (data: VaultData | null | undefined) =>
	data
		? Object.fromEntries(Object.entries(data).map(([field, value]) => [field, normalizeField(field, value)]))
		: null;

const sameData = (left: VaultData | null | undefined, right: VaultData | null | undefined) =>
	isDeepStrictEqual(comparable(left), comparable(right));

/** The edits that set each field of a proposal: onboarding writes a whole role this way. */
export const editsSetting = (fields: Record<string, unknown>): Edit[] =>
	Object.entries(fields).map(([field, value]) => ({op: 'set', field, value}));

export type ApplyOptions = {
	backupDirectory: string;
	now?: Date;
	/** The data the change was shown against; if Vault holds something else now, nothing is written. */
	basedOn?: VaultData | null;
	/** Told the backup file and the restore command before anything is written. */
	onBackup?: (backupFile: string, rollback: string) => void;
};

/**
Changes a role or config safely. It reads what Vault holds now and computes the fields from that; refuses a
change that widens the role or erases a secret; stops if Vault changed since the change was shown; saves a
backup (and says where) before it writes only the changed fields; then reads back. If the write failed, it
reads again: unchanged means nothing to undo; otherwise, and after a wrong read-back, it writes the saved values
back (a role that did not exist is deleted, no other is).
*/
export async function applyChange(
	writer: VaultWriter,
	target: FieldTarget,
	change: Change | Edit[],
	options: ApplyOptions,
): Promise<ApplyResult> {
	checkTarget(target);
	const path = targetPath(target);
	const edits = Array.isArray(change) ? change : change.edits;
	let current: Current;
	try {
		current = await readCurrent(writer, target);
	} catch (error) {
		return {
			outcome: 'not-written',
			changes: [],
			error: `reading ${path} before the change failed: ${(error as Error).message}`,
			state: `Nothing was written: ${path} is as it was.`,
		};
	}

	const desired = desiredFields(current.data, edits);
	const changes = diffFields(current.data, desired);
	const unchangedState = `Nothing was written: ${path} is as it was.`;
	if (options.basedOn !== undefined && !sameData(options.basedOn, current.data)) {
		return {
			outcome: 'stale',
			changes,
			error: `${path} changed in Vault since it was read for this change`,
			state: unchangedState,
			current: current.data,
		};
	}

	if (changes.length === 0 && current.existed)
		return {outcome: 'unchanged', changes: [], state: `${path} already holds these values.`};
	const widening = wideningOf(current.data, desired);
	if (widening.length > 0)
		return {
			outcome: 'refused',
			changes,
			error: `the change would widen who may log in (${widening.join('; ')})`,
			state: unchangedState,
		};
	const secret =
		target.kind === 'config' && current.data ? configSecretRisk(parseConfig(current.data)) : undefined;
	if (secret) return {outcome: 'refused', changes, error: secret, state: unchangedState};

	const backupFile = await saveBackup(
		options.backupDirectory,
		backupOf(writer, target, current, options.now),
	);
	const rollback = restoreCommand(backupFile);
	options.onBackup?.(backupFile, rollback);

	const written = await writer.write(path, writeBody(target, current.data, desired));
	let after: Current | undefined;
	let afterError: string | undefined;
	try {
		after = await readCurrent(writer, target);
	} catch (error) {
		afterError = (error as Error).message;
	}

	if (!written.ok) {
		if (after && after.existed === current.existed && sameData(after.data, current.data))
			return {outcome: 'not-written', changes, backupFile, error: written.message, state: unchangedState};
		if (!after)
			return {
				outcome: 'failed',
				changes,
				backupFile,
				rollback,
				error: `${written.message}; reading ${path} back also failed (${afterError})`,
				state: `Unknown: ${path} could not be read after a failed write. Check it, and restore it with: ${rollback}`,
			};
	} else if (after) {
		const wrong = diffFields(after.data, desired).map(field => field.field);
		// Every other field keeps its value (a new role has nothing to keep: Vault fills in its defaults).
		const others = Object.keys(current.existed ? {...current.data, ...after.data} : {}).filter(
			field =>
				!(field in desired) &&
				!isDeepStrictEqual(
					normalizeField(field, current.data?.[field]),
					normalizeField(field, after!.data?.[field]),
				),
		);
		if (wrong.length === 0 && others.length === 0)
			return {
				outcome: 'applied',
				changes,
				backupFile,
				rollback,
				state: `${path} now holds the change (read back and verified).`,
			};
		afterError = `read-back does not match for ${[...wrong, ...others].join(', ')}`;
	}

	const error = written.ok ? (afterError ?? 'read-back failed') : written.message;
	if (!after && written.ok) {
		return {
			outcome: 'failed',
			changes,
			backupFile,
			rollback,
			error: `the write was accepted but reading ${path} back failed (${afterError})`,
			state: `Unknown: the change was probably written but not verified. Check ${path}; undo it with: ${rollback}`,
		};
	}

	const restored = await restoreBackup(writer, await loadBackup(backupFile)).then(
		() => true as const,
		(failure: Error) => failure.message,
	);
	return restored === true
		? {
				outcome: 'rolled-back',
				changes,
				backupFile,
				error,
				state: `${path} was restored from the backup and reads back as before.`,
			}
		: {
				outcome: 'failed',
				changes,
				backupFile,
				rollback,
				error: `${error}; restoring the backup also failed (${restored})`,
				state: `${path} may hold a partial change: ${current.existed ? 'it still exists; ' : ''}restore it with: ${rollback}`,
			};
}

/** Fields a role read reports under their old names too: writing both names is an error in Vault. */
const legacyRoleFields = ['policies', 'bound_cidrs', 'ttl', 'max_ttl', 'period', 'num_uses'];

/** The body that puts every saved field back: written over the current data, never after a delete. */
export function restoreBody(backup: Backup): Record<string, unknown> {
	const data = backup.data ?? {};
	// A policy read also gives its name, which the path already carries: only the text is written back.
	if (backup.target.kind === 'policy') return {policy: String(data['policy'] ?? '')};
	const kept = Object.entries(data).filter(
		([field, value]) =>
			value !== null && !(backup.target.kind === 'role' && legacyRoleFields.includes(field)),
	);
	return Object.fromEntries(kept);
}

/** What a restore would change: each field of the target now, against the backup. */
export async function restorePlan(
	writer: VaultWriter,
	backup: Backup,
): Promise<{existed: boolean; changes: FieldChange[]}> {
	const current = await readCurrent(writer, backup.target);
	if (!backup.existed) return {existed: current.existed, changes: []};
	return {existed: current.existed, changes: diffFields(current.data, restoreBody(backup))};
}

/**
Puts back exactly what the backup holds by writing its values over the current ones: a role, config or policy
that existed is never deleted. Only a role or policy that did not exist before the change is deleted. Then it
reads back.
*/
export async function restoreBackup(writer: VaultWriter, backup: Backup): Promise<true> {
	checkTarget(backup.target);
	const path = targetPath(backup.target);
	if (backup.existed && backup.data) {
		const written = await writer.write(path, restoreBody(backup));
		if (!written.ok) throw new Error(`${written.message}; ${path} is as it was before the restore`);
	} else if (backup.target.kind !== 'config') {
		const removed = await writer.delete(path);
		if (!removed.ok && !removed.notFound) throw new Error(removed.message);
	}

	const now = await readCurrent(writer, backup.target);
	if (now.existed !== backup.existed || (backup.existed && !sameData(now.data, backup.data)))
		throw new Error(`${path} does not read back as the backup`);
	return true;
}

export type PlannedChange = {target: FieldTarget; edits: Edit[]; basedOn: VaultData | null | undefined};

/** The role and config edits of a report's failing checks, merged per target, with the data they were shown on. */
export function plannedChanges(report: DoctorReport): PlannedChange[] {
	const mount = report.vault?.mount ?? 'jwt';
	const role = report.vault?.role ?? '';
	const merged = new Map<string, PlannedChange>();
	for (const check of report.checks) {
		const change = check.fix?.change;
		if (check.status !== 'fail' || !change) continue;
		const target: FieldTarget =
			change.kind === 'role' ? {kind: 'role', mount, role} : {kind: 'config', mount};
		const key = targetPath(target);
		const entry = merged.get(key) ?? {
			target,
			edits: [],
			basedOn: change.kind === 'role' ? report.vault?.roleData : report.vault?.configData,
		};
		entry.edits.push(...change.edits);
		merged.set(key, entry);
	}

	return [...merged.values()].filter(entry => entry.target.kind === 'config' || role !== '');
}

/** The fields a planned change would send, computed against the data it was shown on. */
export const plannedFields = (change: PlannedChange) => desiredFields(change.basedOn, change.edits);
