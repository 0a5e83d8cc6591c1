/*
A JWT auth method's config as the plugin loads it (path_config.go: the jwtConfig struct), parsed once where it
is read and passed on.
*/
import {listField, mapField, stringField, type VaultData} from '../vault-data.js';

// An interface: unlike a type alias, it does not fit VaultData, so raw data and the parsed form never mix up.
export interface JwtConfig {
	/** The config as it was read, for writing it back (Vault replaces it whole) and for showing it. */
	readonly data: VaultData;
	readonly boundIssuer: string;
	/** As stored; the login lowercases it, as it does every role name. */
	readonly defaultRole: string;
	readonly oidcDiscoveryUrl: string;
	readonly oidcDiscoveryCaPem: string;
	/** Set only together with oidc_client_secret, which Vault never returns. */
	readonly oidcClientId: string;
	readonly jwksUrl: string;
	readonly jwksCaPem: string;
	readonly jwksPairs: unknown[];
	readonly jwtValidationPubkeys: string[];
	/** Empty means Vault's default list (RS256 only on plugin v0.9.0). */
	readonly jwtSupportedAlgs: string[];
	readonly providerConfig: Record<string, unknown>;
}

/**
The config in `data` (GET auth/<mount>/config, or a file of that shape). A comma-separated list, the write form,
is read as Vault reads it; fields of another wrong type read as unset.
*/
export function parseConfig(data: VaultData): JwtConfig {
	const jwksPairs = data['jwks_pairs'];
	return {
		data,
		boundIssuer: stringField(data, 'bound_issuer'),
		defaultRole: stringField(data, 'default_role'),
		oidcDiscoveryUrl: stringField(data, 'oidc_discovery_url'),
		oidcDiscoveryCaPem: stringField(data, 'oidc_discovery_ca_pem'),
		oidcClientId: stringField(data, 'oidc_client_id'),
		jwksUrl: stringField(data, 'jwks_url'),
		jwksCaPem: stringField(data, 'jwks_ca_pem'),
		jwksPairs: Array.isArray(jwksPairs) ? jwksPairs : [],
		jwtValidationPubkeys: listField(data, 'jwt_validation_pubkeys'),
		jwtSupportedAlgs: listField(data, 'jwt_supported_algs'),
		providerConfig: mapField(data, 'provider_config'),
	};
}

export type KeySource = 'static' | 'jwks' | 'jwks-pairs' | 'discovery' | 'oidc-flow' | 'none';

/** Where Vault gets the keys that verify a token, in the order of the plugin's authType(). */
export function keySource(config: JwtConfig): KeySource {
	if (config.jwtValidationPubkeys.length > 0) return 'static';
	if (config.jwksUrl) return 'jwks';
	if (config.jwksPairs.length > 0) return 'jwks-pairs';
	if (config.oidcDiscoveryUrl) return config.oidcClientId ? 'oidc-flow' : 'discovery';
	return 'none';
}
