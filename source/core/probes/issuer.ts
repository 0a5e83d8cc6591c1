import {HttpFailure, type HttpResponse, type HttpSettings, httpRequest} from './http.js';

/** How one GET went, before anyone judges it: no answer, a status other than 200, a 200 without JSON, or JSON. */
export type FetchOutcome =
	| {kind: 'no-answer'; url: string; failure: HttpFailure}
	| {kind: 'status'; url: string; response: HttpResponse; html: boolean}
	| {kind: 'not-json'; url: string; response: HttpResponse; html: boolean}
	| {kind: 'json'; url: string; response: HttpResponse; json: object};

/** What a discovery document says, as far as Vault reads it. */
export type DiscoveryDocument = {
	issuer: string;
	jwksUri: string;
	/** id_token_signing_alg_values_supported, as it was (any JSON). */
	signingAlgorithms: unknown;
};

export type IssuerProbeInput = {
	/** Where Vault starts: a discovery document (then the JWKS it names), or a JWKS URL. */
	from: {discoveryUrl: string} | {jwksUrl: string};
	/** The CAs Vault's config trusts for the issuer (oidc_discovery_ca_pem, jwks_ca_pem). */
	vaultCa?: string[];
	http: HttpSettings;
	/** Requests already under way (started before Vault's config was known), reused when the URL matches. */
	prefetched?: Map<string, Promise<HttpResponse>>;
};

export type IssuerProbeResult = {
	/** The discovery fetch; `document` when its JSON names an issuer and a jwks_uri (only then is the JWKS fetched). */
	discovery?: {fetch: FetchOutcome; document?: DiscoveryDocument};
	/** The JWKS fetch; `keys` when its JSON has a keys array. */
	jwks?: {fetch: FetchOutcome; keys?: unknown[]};
	/** Requests made, in order; the critical path is at most discovery then JWKS. */
	urls: string[];
};

const wellKnown = '/.well-known/openid-configuration';

/** The discovery URL Vault derives from a base: one trailing slash trimmed, then the well-known path. */
export function discoveryUrlFor(base: string): string {
	return `${base.endsWith('/') ? base.slice(0, -1) : base}${wellKnown}`;
}

async function fetchJson(
	url: string,
	http: HttpSettings,
	prefetched?: Promise<HttpResponse>,
): Promise<FetchOutcome> {
	let response: HttpResponse;
	try {
		response = await (prefetched ?? httpRequest(url, {}, http));
	} catch (error) {
		const failure = error instanceof HttpFailure ? error : new HttpFailure('network', url, String(error));
		return {kind: 'no-answer', url, failure};
	}

	if (response.status !== 200) return {kind: 'status', url, response, html: looksLikeHtml(response)};
	if (response.json === undefined || typeof response.json !== 'object' || response.json === null)
		return {kind: 'not-json', url, response, html: looksLikeHtml(response)};
	return {kind: 'json', url, response, json: response.json};
}

function looksLikeHtml(response: HttpResponse): boolean {
	return /html/i.test(response.contentType) || /^\s*</.test(response.body);
}

function discoveryDocument(json: object): DiscoveryDocument | undefined {
	const document = json as {
		issuer?: unknown;
		jwks_uri?: unknown;
		id_token_signing_alg_values_supported?: unknown;
	};
	if (typeof document.issuer !== 'string' || typeof document.jwks_uri !== 'string') return undefined;
	return {
		issuer: document.issuer,
		jwksUri: document.jwks_uri,
		signingAlgorithms: document.id_token_signing_alg_values_supported,
	};
}

/**
Fetches what Vault fetches from the issuer: the discovery document, then the JWKS it names (or a JWKS URL
directly). It stops where Vault could go no further and says how each request went; it judges nothing.
*/
export async function probeIssuer(input: IssuerProbeInput): Promise<IssuerProbeResult> {
	const vaultCa = input.vaultCa ?? [];
	const http =
		vaultCa.length > 0 ? {...input.http, extraCa: [...(input.http.extraCa ?? []), ...vaultCa]} : input.http;
	const result: IssuerProbeResult = {urls: []};

	let jwksUrl: string;
	if ('discoveryUrl' in input.from) {
		const url = input.from.discoveryUrl;
		result.urls.push(url);
		// A request started without Vault's CAs is only reused when Vault adds none.
		const fetch = await fetchJson(url, http, vaultCa.length === 0 ? input.prefetched?.get(url) : undefined);
		const document = fetch.kind === 'json' ? discoveryDocument(fetch.json) : undefined;
		result.discovery = {fetch, ...(document ? {document} : {})};
		if (!document) return result;
		jwksUrl = document.jwksUri;
	} else {
		jwksUrl = input.from.jwksUrl;
	}

	result.urls.push(jwksUrl);
	const fetch = await fetchJson(jwksUrl, http);
	const keys = fetch.kind === 'json' ? (fetch.json as {keys?: unknown}).keys : undefined;
	result.jwks = {fetch, ...(Array.isArray(keys) ? {keys} : {})};
	return result;
}
