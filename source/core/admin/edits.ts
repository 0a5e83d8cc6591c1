import {isDeepStrictEqual} from 'node:util';
import {isLosslessNumber} from 'lossless-json';
import {durationSeconds, type VaultData} from '../vault-data.js';

/**
One change to one field of a role or a config, stated relative to whatever Vault holds when it is applied, so
that a fix computed minutes ago still changes only its own field of the role read just before the write.
*/
export type Edit =
	/** Give a field this value (bound_subject, user_claim, role_type, clock_skew_leeway, bound_issuer...). */
	| {op: 'set'; field: string; value: unknown}
	/** Add values to a list field, keeping every value it has (bound_audiences, jwt_supported_algs). */
	| {op: 'add'; field: string; values: string[]}
	/** Bind one bound_claims key to the token's value: a list gains the value, a single value is replaced. */
	| {op: 'bind-claim'; claim: string; value: unknown}
	/** Drop claim_mappings entries (mappings copy claims into metadata; they grant nothing). */
	| {op: 'unmap-claims'; claims: string[]};

export type Change = {kind: 'role' | 'config'; edits: Edit[]};

/** A value as Vault compares it: lossless numbers as plain numbers. */
export function plainValue(value: unknown): unknown {
	return JSON.parse(
		JSON.stringify(value ?? null, (_key, element: unknown) =>
			isLosslessNumber(element) ? Number((element as {value: string}).value) : element,
		),
	);
}

const isMap = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);

const asList = (value: unknown): unknown[] =>
	Array.isArray(value) ? value : value === undefined || value === null || value === '' ? [] : [value];

const includesValue = (list: unknown[], value: unknown) =>
	list.some(element => isDeepStrictEqual(plainValue(element), plainValue(value)));

/** The fields the edits touch, each computed from `current` (the data as just read): nothing else is sent. */
export function desiredFields(current: VaultData | null | undefined, edits: Edit[]): Record<string, unknown> {
	const fields: Record<string, unknown> = {};
	const now = (field: string) => (field in fields ? fields[field] : current?.[field]);
	for (const edit of edits) {
		switch (edit.op) {
			case 'set': {
				fields[edit.field] = edit.value;
				break;
			}

			case 'add': {
				const list = asList(now(edit.field));
				fields[edit.field] = [...list, ...edit.values.filter(value => !includesValue(list, value))];
				break;
			}

			case 'bind-claim': {
				const bound = isMap(now('bound_claims')) ? {...(now('bound_claims') as Record<string, unknown>)} : {};
				const existing = bound[edit.claim];
				bound[edit.claim] = Array.isArray(existing)
					? includesValue(existing, edit.value)
						? existing
						: [...existing, edit.value]
					: edit.value;
				fields['bound_claims'] = bound;
				break;
			}

			case 'unmap-claims': {
				const mappings = isMap(now('claim_mappings'))
					? {...(now('claim_mappings') as Record<string, unknown>)}
					: {};
				for (const claim of edit.claims) delete mappings[claim];
				fields['claim_mappings'] = mappings;
				break;
			}
		}
	}

	return fields;
}

/** Fields that restrict who may log in: none of them may lose a value or be emptied by a fix. */
const bindingLists = ['bound_audiences', 'token_bound_cidrs', 'bound_cidrs'] as const;

/**
What a change would open up: a bound claim removed, a binding list or bound_subject emptied, a restriction
dropped. Empty when the change only narrows, re-points or adds the token's own value. Apply refuses a change
with any, whatever built it.
*/
export function wideningOf(before: VaultData | null | undefined, after: Record<string, unknown>): string[] {
	if (!before) return [];
	const found: string[] = [];
	if ('bound_claims' in after) {
		const old = isMap(before['bound_claims']) ? before['bound_claims'] : {};
		const next = isMap(after['bound_claims']) ? after['bound_claims'] : {};
		for (const key of Object.keys(old)) {
			if (!(key in next)) found.push(`bound_claims loses "${key}"`);
			else if (Array.isArray(old[key]) && asList(next[key]).length === 0)
				found.push(`bound_claims "${key}" is emptied`);
		}
	}

	for (const field of bindingLists) {
		if (!(field in after)) continue;
		const old = asList(before[field]);
		const next = asList(after[field]);
		const lost = old.filter(value => !includesValue(next, value));
		if (old.length > 0 && next.length === 0) found.push(`${field} is emptied`);
		else if (lost.length > 0)
			found.push(`${field} loses ${lost.map(value => JSON.stringify(value)).join(', ')}`);
	}

	for (const field of ['bound_subject', 'bound_issuer'] as const) {
		if (field in after && before[field] && !after[field]) found.push(`${field} is cleared`);
	}

	if (
		'bound_claims_type' in after &&
		before['bound_claims_type'] === 'string' &&
		after['bound_claims_type'] === 'glob'
	)
		found.push('bound_claims_type becomes glob (patterns match more than the literal values)');
	return found;
}

export type FieldChange = {field: string; from: unknown; to: unknown};

const durationFields = /(?:^|_)(?:ttl|max_ttl|explicit_max_ttl|period|leeway)$/;

/** A field's value the way Vault reads it back: durations in seconds, lossless numbers as numbers. */
export function normalizeField(field: string, value: unknown): unknown {
	if (durationFields.test(field) && (typeof value === 'string' || typeof value === 'number'))
		return durationSeconds(value);
	return plainValue(value);
}

/** The fields whose values differ between what Vault has and what is wanted. */
export function diffFields(
	current: VaultData | null | undefined,
	desired: Record<string, unknown>,
): FieldChange[] {
	return Object.entries(desired)
		.filter(
			([field, value]) =>
				!isDeepStrictEqual(normalizeField(field, current?.[field]), normalizeField(field, value)),
		)
		.map(([field, value]) => ({field, from: current?.[field], to: value}));
}

const isEmpty = (value: unknown) =>
	value === undefined ||
	value === null ||
	value === '' ||
	(Array.isArray(value) && value.length === 0) ||
	(isMap(value) && Object.keys(value).length === 0);

/**
What is sent: for a role, only the changed fields plus role_type and bound_claims_type (Vault resets those two
when omitted); for a config, every field read (Vault replaces the config whole), empty ones left at their
defaults.
*/
export function writeBody(
	target: {kind: 'role' | 'config'},
	current: VaultData | null | undefined,
	desired: Record<string, unknown>,
): Record<string, unknown> {
	if (target.kind === 'config') {
		const kept = Object.entries(current ?? {}).filter(([, value]) => !isEmpty(value));
		return {...Object.fromEntries(kept), ...desired};
	}

	const changed = Object.fromEntries(diffFields(current, desired).map(change => [change.field, change.to]));
	return {
		role_type: current?.['role_type'] || 'jwt',
		bound_claims_type: current?.['bound_claims_type'] || 'string',
		...changed,
	};
}
