/*
A JWT role as the plugin loads it (path_role.go: the jwtRole struct and role()), parsed once where a role is
read and passed on: Vault's defaults and legacy fields applied, bound values kept as Vault compares them.
*/
import {booleanField, listField, mapField, secondsField, stringField, type VaultData} from '../vault-data.js';
import {toBoundValue} from './claims.js';
import {type GoValue, isGoMap} from './go-values.js';
import type {Leeways} from './times.js';

// An interface: unlike a type alias, it does not fit VaultData, so raw data and the parsed form never mix up.
export interface JwtRole {
	/** The role as it was read, for writing fields back by Vault's names and for showing it. */
	readonly data: VaultData;
	/** "jwt" when the data has none, as Vault reads a stored empty role_type. */
	readonly roleType: string;
	/** Whether the data has a role_type: a write without one makes the role "oidc". */
	readonly roleTypeGiven: boolean;
	readonly boundAudiences: string[];
	readonly boundSubject: string;
	/** Bound values as Vault stores them: numbers are json.Number and compare by their text (123 is not 123.0). */
	readonly boundClaims: {[key: string]: GoValue};
	readonly boundClaimsType: 'string' | 'glob';
	readonly userClaim: string;
	readonly userClaimJsonPointer: boolean;
	readonly groupsClaim: string;
	/** Claim (or JSON pointer) to the metadata key it is copied to. */
	readonly claimMappings: {[claim: string]: string};
	/** In seconds as the role stores them: 0 means cap's default, a negative value none. */
	readonly leeways: Leeways;
	readonly allowedRedirectUris: string[];
	/** token_policies, else the legacy policies (role() copies them over when token_policies is empty). */
	readonly tokenPolicies: string[];
	/** token_bound_cidrs, else the legacy bound_cidrs; login refuses callers outside them with a 403. */
	readonly tokenBoundCidrs: string[];
	/** Seconds; token_ttl, else the legacy ttl; 0 when unset (the mount's default applies). */
	readonly tokenTtl: number;
	/** Seconds; token_max_ttl, else the legacy max_ttl; 0 when unset. */
	readonly tokenMaxTtl: number;
	/** Seconds; 0 when unset. */
	readonly tokenExplicitMaxTtl: number;
}

/**
The role in `data` (GET auth/<mount>/role/<name>, or a file of that shape). The write forms Vault accepts (a
comma-separated list, a map as JSON text, "true", a Go duration) are read as Vault reads them; values of other
types as unset.
*/
export function parseRole(data: VaultData): JwtRole {
	const roleType = stringField(data, 'role_type');
	const boundClaims = toBoundValue(mapField(data, 'bound_claims'));
	const tokenPolicies = listField(data, 'token_policies');
	const tokenBoundCidrs = listField(data, 'token_bound_cidrs');
	return {
		data,
		roleType: roleType || 'jwt',
		roleTypeGiven: roleType !== '',
		boundAudiences: listField(data, 'bound_audiences'),
		boundSubject: stringField(data, 'bound_subject'),
		boundClaims: isGoMap(boundClaims) ? boundClaims : {},
		boundClaimsType: stringField(data, 'bound_claims_type') === 'glob' ? 'glob' : 'string',
		userClaim: stringField(data, 'user_claim'),
		userClaimJsonPointer: booleanField(data, 'user_claim_json_pointer'),
		groupsClaim: stringField(data, 'groups_claim'),
		claimMappings: Object.fromEntries(
			Object.entries(mapField(data, 'claim_mappings')).map(([claim, key]) => [claim, String(key)]),
		),
		leeways: {
			expiration: secondsField(data, 'expiration_leeway'),
			notBefore: secondsField(data, 'not_before_leeway'),
			clockSkew: secondsField(data, 'clock_skew_leeway'),
		},
		allowedRedirectUris: listField(data, 'allowed_redirect_uris'),
		tokenPolicies: tokenPolicies.length > 0 ? tokenPolicies : listField(data, 'policies'),
		tokenBoundCidrs: tokenBoundCidrs.length > 0 ? tokenBoundCidrs : listField(data, 'bound_cidrs'),
		tokenTtl: secondsField(data, 'token_ttl') || secondsField(data, 'ttl'),
		tokenMaxTtl: secondsField(data, 'token_max_ttl') || secondsField(data, 'max_ttl'),
		tokenExplicitMaxTtl: secondsField(data, 'token_explicit_max_ttl'),
	};
}
