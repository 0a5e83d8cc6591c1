import type {Claims} from './claims.js';
import type {GoValue} from './go-values.js';

export type RegisteredClaims = {
	iss: string;
	sub: string;
	/** null when the token has no aud (absent); a string aud is a list of one. */
	aud: string[] | null;
	exp?: number;
	nbf?: number;
	iat?: number;
};

export type RegisteredClaimsResult = {ok: true; claims: RegisteredClaims} | {ok: false; error: string};

const stringFields = {iss: 'iss', sub: 'sub', jti: 'jti'} as const;
const timeFields = ['exp', 'nbf', 'iat'] as const;

/**
Decodes iss, sub, aud, exp, nbf, iat and jti the way go-jose's jwt.Claims does inside cap, with Go's
encoding/json: an Audience or NumericDate error aborts at once (first in document order wins); a wrong type
for a string field is remembered and reported only when nothing aborts.
*/
export function decodeRegisteredClaims(claims: Claims, joseLibPrefix: string): RegisteredClaimsResult {
	const decoded: RegisteredClaims = {iss: '', sub: '', aud: null};
	let typeError: string | undefined;

	for (const [key, value] of Object.entries(claims)) {
		if (key === 'aud') {
			const audience = decodeAudience(value);
			if (audience === 'error')
				return {
					ok: false,
					error: `${joseLibPrefix}/jwt: expected string or array value to unmarshal to Audience`,
				};
			decoded.aud = audience;
		} else if ((timeFields as readonly string[]).includes(key)) {
			if (value === null) continue;
			if (typeof value !== 'number') {
				return {ok: false, error: `${joseLibPrefix}/jwt: expected number value to unmarshal NumericDate`};
			}

			decoded[key as (typeof timeFields)[number]] = Math.trunc(value);
		} else if (Object.hasOwn(stringFields, key)) {
			if (value === null) continue;
			if (typeof value === 'string') {
				if (key !== 'jti') decoded[key as 'iss' | 'sub'] = value;
			} else {
				typeError ??= `json: cannot unmarshal ${goJsonKind(value)} into Go struct field Claims.${key} of type string`;
			}
		}
	}

	return typeError ? {ok: false, error: typeError} : {ok: true, claims: decoded};
}

function decodeAudience(value: GoValue): string[] | 'error' {
	if (typeof value === 'string') return [value];
	if (Array.isArray(value) && value.every(element => typeof element === 'string')) return value as string[];
	return 'error';
}

function goJsonKind(value: GoValue): string {
	if (typeof value === 'number') return 'number';
	if (typeof value === 'boolean') return 'bool';
	if (Array.isArray(value)) return 'array';
	return 'object';
}
