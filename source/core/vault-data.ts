import {parse as parseLossless} from 'lossless-json';
import {depthProblem, InputError} from './bounds.js';

export type VaultData = Record<string, unknown>;

/** The fields of a JWT role (GET auth/<mount>/role/<name>) parseRole reads: a typo is a type error, not ''. */
export type RoleField =
	| 'role_type'
	| 'bound_audiences'
	| 'bound_subject'
	| 'bound_claims'
	| 'bound_claims_type'
	| 'bound_cidrs'
	| 'token_bound_cidrs'
	| 'user_claim'
	| 'user_claim_json_pointer'
	| 'groups_claim'
	| 'claim_mappings'
	| 'allowed_redirect_uris'
	| 'policies'
	| 'token_policies'
	| 'ttl'
	| 'max_ttl'
	| 'token_ttl'
	| 'token_max_ttl'
	| 'token_explicit_max_ttl'
	| 'not_before_leeway'
	| 'expiration_leeway'
	| 'clock_skew_leeway';

/** The fields of a JWT auth method's config (GET auth/<mount>/config) parseConfig reads. */
export type ConfigField =
	| 'bound_issuer'
	| 'default_role'
	| 'oidc_discovery_url'
	| 'oidc_discovery_ca_pem'
	| 'oidc_client_id'
	| 'jwks_url'
	| 'jwks_ca_pem'
	| 'jwt_validation_pubkeys'
	| 'jwt_supported_algs'
	| 'provider_config';

export type VaultField = RoleField | ConfigField;

const envelopeKeys = [
	'request_id',
	'lease_id',
	'lease_duration',
	'renewable',
	'wrap_info',
	'warnings',
	'auth',
	'mount_type',
];

/**
Accepts the `data` of a Vault read, the whole response envelope, or raw JSON text of either. Raw text is parsed
keeping numbers' literal text, because Vault compares bound numbers by their text (123 is not 123.0).
*/
export function readVaultData(input: unknown): VaultData | null | undefined {
	if (input === undefined) return undefined;
	if (input === null) return null;
	const tooDeep = typeof input === 'string' ? depthProblem(input, 'The JSON') : undefined;
	if (tooDeep) throw new InputError(tooDeep);
	const value = typeof input === 'string' ? (parseLossless(input) as unknown) : input;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new TypeError('expected a JSON object (the data of a Vault read, or the whole response)');
	}

	const object = value as VaultData;
	const data = object['data'];
	if (
		typeof data === 'object' &&
		data !== null &&
		!Array.isArray(data) &&
		(Object.keys(object).length === 1 || envelopeKeys.some(key => key in object))
	) {
		return data as VaultData;
	}

	return object;
}

export function stringField(data: VaultData | null | undefined, key: VaultField): string {
	const value = data?.[key];
	return typeof value === 'string' ? value : '';
}

export function booleanField(data: VaultData | null | undefined, key: VaultField): boolean {
	const value = data?.[key];
	return value === true || value === 'true';
}

/** A list field as Vault returns it; a comma-separated string (the CLI's write form) is split like Vault does. */
export function listField(data: VaultData | null | undefined, key: VaultField): string[] {
	const value = data?.[key];
	if (Array.isArray(value)) return value.map(element => String(element));
	if (typeof value === 'string') {
		return value
			.split(',')
			.map(element => element.trim())
			.filter(element => element !== '');
	}

	return [];
}

export function mapField(data: VaultData | null | undefined, key: VaultField): Record<string, unknown> {
	const value = data?.[key];
	if (typeof value === 'string' && value.trim().startsWith('{')) {
		return parseLossless(value) as Record<string, unknown>;
	}

	return typeof value === 'object' && value !== null && !Array.isArray(value)
		? (value as Record<string, unknown>)
		: {};
}

const durationUnits: Record<string, number> = {ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600};

/** A TypeSignedDurationSecond field: whole seconds, or a Go duration string such as "90s" or "-1s". */
export function secondsField(data: VaultData | null | undefined, key: VaultField): number {
	return durationSeconds(data?.[key]);
}

/** A TypeSignedDurationSecond value: whole seconds, or a Go duration string such as "90s" or "-1s". */
export function durationSeconds(value: unknown): number {
	if (typeof value === 'number') return Math.trunc(value);
	if (typeof value === 'object' && value !== null && 'value' in value) return Math.trunc(Number(value.value));
	if (typeof value !== 'string' || value.trim() === '') return 0;
	const text = value.trim();
	if (/^[+-]?\d+$/.test(text)) return Number(text);
	const sign = text.startsWith('-') ? -1 : 1;
	let total = 0;
	for (const match of text.replace(/^[+-]/, '').matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
		total += Number(match[1]) * durationUnits[match[2]!]!;
	}

	return sign * Math.trunc(total);
}
