import type {JwtConfig} from '../login/config.js';
import {discoveryUrlFor, type IssuerProbeInput} from '../probes/issuer.js';

/**
How Vault reaches the issuer's keys, read from the mount's config: it fetches nothing (static keys), a JWKS URL,
or a discovery document. When the config is unknown the doctor follows the token's iss, as a discovery base.
*/
export type IssuerRoute =
	| {kind: 'static-keys'}
	| {
			kind: 'jwks';
			url: string;
			/** oidc_discovery_url, or '' when unset. */
			configuredDiscovery: string;
			vaultCa: string[];
	  }
	| {
			kind: 'discovery';
			/** The base the well-known path is appended to: oidc_discovery_url, else the token's iss. */
			base: string;
			url: string;
			configuredDiscovery: string;
			vaultCa: string[];
	  };

export function issuerRoute(config: JwtConfig | null | undefined, iss: string): IssuerRoute {
	const configuredDiscovery = config?.oidcDiscoveryUrl ?? '';
	const configuredJwks = config?.jwksUrl ?? '';
	const staticKeys = (config?.jwtValidationPubkeys ?? []).length > 0;
	if (config && staticKeys && !configuredDiscovery && !configuredJwks) return {kind: 'static-keys'};
	const vaultCa = [config?.oidcDiscoveryCaPem ?? '', config?.jwksCaPem ?? ''].filter(Boolean);
	if (configuredJwks) return {kind: 'jwks', url: configuredJwks, configuredDiscovery, vaultCa};
	const base = configuredDiscovery || iss;
	return {kind: 'discovery', base, url: discoveryUrlFor(base), configuredDiscovery, vaultCa};
}

/** A discovery base that already holds a /.well-known/ path: Vault appends another, so nothing useful is fetched. */
export const doubledWellKnown = (route: IssuerRoute) =>
	route.kind === 'discovery' && route.base.includes('/.well-known/');

/** What the probe fetches for a route; nothing when Vault fetches nothing or would fetch a doubled path. */
export function issuerRequest(route: IssuerRoute): IssuerProbeInput['from'] | undefined {
	if (route.kind === 'static-keys' || doubledWellKnown(route)) return undefined;
	return route.kind === 'jwks' ? {jwksUrl: route.url} : {discoveryUrl: route.url};
}
