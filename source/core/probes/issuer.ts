import type {JWK} from 'jose';
import type {Check, CheckId} from '../check.js';
import type {JwtConfig} from '../login/config.js';
import {verifyWithJwks} from '../login/signature.js';
import type {ProblemId} from '../problems/catalogue.js';
import {HttpFailure, type HttpResponse, type HttpSettings, httpRequest} from './http.js';

export type IssuerProbeInput = {
	/** The token's iss. */
	iss: string;
	header: Record<string, unknown>;
	/** The compact token, to verify its signature. */
	compact?: string;
	/** Vault's auth config when known: which discovery URL or JWKS Vault itself uses. */
	config?: JwtConfig | null;
	http: HttpSettings;
	/** Requests already under way (started before Vault's config was known), reused when the URL matches. */
	prefetched?: Map<string, Promise<HttpResponse>>;
};

export type IssuerProbeResult = {
	checks: Check[];
	/** The discovery document's issuer, as Vault would see it (for simulateLogin). */
	discoveryIssuer?: string;
	/** The key set Vault would verify with (for simulateLogin). */
	jwks?: {keys: JWK[]};
	/** Requests made, in order; the critical path is at most discovery then JWKS. */
	urls: string[];
};

const wellKnown = '/.well-known/openid-configuration';

/** The discovery URL Vault derives from a base: one trailing slash trimmed, then the well-known path. */
export function discoveryUrlFor(base: string): string {
	return `${base.endsWith('/') ? base.slice(0, -1) : base}${wellKnown}`;
}

type Fetched = {ok: true; response: HttpResponse} | {ok: false; check: Check};

async function fetchJson(
	id: CheckId,
	title: string,
	url: string,
	problem: ProblemId,
	http: HttpSettings,
	tlsProblem: ProblemId,
	prefetched?: Promise<HttpResponse>,
): Promise<Fetched> {
	let response: HttpResponse;
	try {
		response = await (prefetched ?? httpRequest(url, {}, http));
	} catch (error) {
		const failure = error instanceof HttpFailure ? error : new HttpFailure('network', url, String(error));
		const advice: Record<string, string> = {
			tls: "Pass the issuer's CA with --ca-file (or NODE_EXTRA_CA_CERTS); Vault needs it in oidc_discovery_ca_pem / jwks_ca_pem.",
			timeout:
				'The host did not answer in time: a firewall dropping packets, or a slow proxy. Raise --timeout to be sure.',
			dns: 'Check the host name for typos; on a private network, check the DNS this machine uses.',
			refused: 'Nothing listens on that address and port.',
			proxy: 'Check HTTPS_PROXY / HTTP_PROXY and NO_PROXY.',
			'too-large': 'This is not a discovery document or key set; check the URL.',
			redirects: 'The URL redirects in a loop or too often; use the final URL.',
		};
		return {
			ok: false,
			check: {
				id,
				title,
				status: 'fail',
				problem: failure.kind === 'tls' ? tlsProblem : problem,
				message: `${url}: ${failure.message}.`,
				...(advice[failure.kind] ? {hint: advice[failure.kind]} : {}),
			},
		};
	}

	const redirected =
		response.redirects.length > 0 ? ` (after redirects from ${response.redirects.join(' → ')})` : '';
	const failed = (message: string, actual: unknown): Fetched => ({
		ok: false,
		check: {id, title, status: 'fail', problem, message, actual},
	});
	if (response.status !== 200) {
		return failed(
			`${url} answered HTTP ${response.status}${redirected}${looksLikeHtml(response) ? ' with an HTML page' : ''}.`,
			response.status,
		);
	}

	if (response.json === undefined || typeof response.json !== 'object' || response.json === null) {
		const what = looksLikeHtml(response)
			? 'with an HTML page (a login or proxy page, or a wrong URL)'
			: 'not with JSON';
		return failed(
			`${url} answered 200 but ${what}${redirected}.`,
			response.contentType || '(no content type)',
		);
	}

	return {ok: true, response};
}

function looksLikeHtml(response: HttpResponse): boolean {
	return /html/i.test(response.contentType) || /^\s*</.test(response.body);
}

/**
Reaches the issuer the way Vault would: the discovery document of Vault's oidc_discovery_url (or of the token's
iss when Vault's config is unknown), then the JWKS it names, then verifies the token's signature with it.
*/
export async function probeIssuer(input: IssuerProbeInput): Promise<IssuerProbeResult> {
	const checks: Check[] = [];
	const urls: string[] = [];
	const config = input.config ?? undefined;
	const configuredDiscovery = config?.oidcDiscoveryUrl ?? '';
	const configuredJwks = config?.jwksUrl ?? '';
	const staticKeys = (config?.jwtValidationPubkeys ?? []).length > 0;
	const result: IssuerProbeResult = {checks, urls};
	const vaultCa = [config?.oidcDiscoveryCaPem ?? '', config?.jwksCaPem ?? ''].filter(Boolean);
	const http =
		vaultCa.length > 0 ? {...input.http, extraCa: [...(input.http.extraCa ?? []), ...vaultCa]} : input.http;

	if (config && staticKeys && !configuredDiscovery && !configuredJwks) {
		checks.push({
			id: 'issuer.discovery',
			title: "Issuer's discovery document",
			status: 'skip',
			message: 'Vault verifies with jwt_validation_pubkeys; it fetches nothing from the issuer.',
		});
		return result;
	}

	if (configuredDiscovery && trimSlash(configuredDiscovery) !== trimSlash(input.iss)) {
		checks.push({
			id: 'issuer.vault-trusts',
			title: "Vault trusts the token's issuer",
			status: 'fail',
			problem: 'signature-invalid',
			message: `Vault's mount trusts ${configuredDiscovery}, but the token comes from ${input.iss}; Vault will not find the token's key.`,
			expected: configuredDiscovery,
			actual: input.iss,
			...(input.iss.startsWith('https://oidc.circleci.com/org/')
				? {
						hint: 'CircleCI issuers are per organization: a mount configured for one organization rejects tokens of another.',
					}
				: {}),
		});
	}

	let jwksUrl = configuredJwks;
	if (!jwksUrl) {
		const base = configuredDiscovery || input.iss;
		const url = discoveryUrlFor(base);
		urls.push(url);
		const title = "Issuer's discovery document";
		if (base.includes('/.well-known/')) {
			checks.push({
				id: 'issuer.discovery',
				title,
				status: 'fail',
				problem: 'discovery-unreachable',
				message: `${configuredDiscovery ? 'oidc_discovery_url' : 'The issuer'} already contains a /.well-known/ path (${base}); Vault appends ${wellKnown} itself, so it requests ${url}.`,
				expected: base.slice(0, base.indexOf('/.well-known/')),
				actual: base,
			});
			return result;
		}

		const fetched = await fetchJson(
			'issuer.discovery',
			title,
			url,
			'discovery-unreachable',
			http,
			'discovery-tls',
			http === input.http ? input.prefetched?.get(url) : undefined,
		);
		if (!fetched.ok) {
			checks.push(fetched.check);
			return result;
		}

		const document = fetched.response.json as {
			issuer?: unknown;
			jwks_uri?: unknown;
			id_token_signing_alg_values_supported?: unknown;
		};
		if (typeof document.issuer !== 'string' || typeof document.jwks_uri !== 'string') {
			checks.push({
				id: 'issuer.discovery',
				title,
				status: 'fail',
				problem: 'discovery-unreachable',
				message: `${url} is JSON but not a discovery document (no issuer or jwks_uri).`,
			});
			return result;
		}

		result.discoveryIssuer = document.issuer;
		const expected = configuredDiscovery || input.iss;
		if (document.issuer !== expected) {
			checks.push({
				id: 'issuer.discovery',
				title,
				status: configuredDiscovery ? 'fail' : 'warn',
				problem: 'discovery-issuer-mismatch',
				message: `The discovery document names issuer ${JSON.stringify(document.issuer)}, not ${JSON.stringify(expected)}${trimSlash(document.issuer) === trimSlash(expected) ? ' (only a trailing slash differs, and Vault compares byte for byte)' : ''}.`,
				expected,
				actual: document.issuer,
				...(configuredDiscovery
					? {
							vaultMessage: `error configuring token validator: keyset configuration error: issuer did not match the returned issuer, expected "${configuredDiscovery}" got "${document.issuer}"`,
						}
					: {}),
			});
		} else {
			const note = /json/i.test(fetched.response.contentType)
				? ''
				: ` (served as ${fetched.response.contentType || 'no content type'}, which Vault tolerates)`;
			checks.push({
				id: 'issuer.discovery',
				title,
				status: 'pass',
				message: `${url} names issuer ${document.issuer}${note}.`,
			});
		}

		const algorithms = document.id_token_signing_alg_values_supported;
		const alg = String(input.header['alg'] ?? '');
		if (Array.isArray(algorithms) && alg && !algorithms.includes(alg)) {
			checks.push({
				id: 'issuer.algorithm',
				title: 'Issuer signs with this algorithm',
				status: 'warn',
				problem: 'algorithm-not-allowed',
				message: `The token is signed with ${alg}, which the issuer does not list in id_token_signing_alg_values_supported (${algorithms.join(', ')}).`,
			});
		}

		jwksUrl = document.jwks_uri;
	}

	urls.push(jwksUrl);
	const jwksTitle = "Issuer's keys (JWKS)";
	const fetched = await fetchJson(
		'issuer.jwks',
		jwksTitle,
		jwksUrl,
		'jwks-unavailable',
		http,
		'discovery-tls',
	);
	if (!fetched.ok) {
		checks.push(fetched.check);
		return result;
	}

	const keys = (fetched.response.json as {keys?: unknown}).keys;
	if (!Array.isArray(keys) || keys.length === 0) {
		checks.push({
			id: 'issuer.jwks',
			title: jwksTitle,
			status: 'fail',
			problem: 'jwks-unavailable',
			message: `${jwksUrl} is JSON but holds no keys.`,
		});
		return result;
	}

	result.jwks = {keys: keys as JWK[]};
	const kid = typeof input.header['kid'] === 'string' ? input.header['kid'] : undefined;
	const kids = (keys as JWK[]).map(key => key.kid ?? '(no kid)');
	if (kid !== undefined && !(keys as JWK[]).some(key => key.kid === kid)) {
		const noKids = (keys as JWK[]).every(key => key.kid === undefined);
		checks.push({
			id: 'issuer.jwks',
			title: jwksTitle,
			status: 'fail',
			problem: 'signature-invalid',
			message: noKids
				? `The token names kid "${kid}" but the JWKS keys have no kid; Vault then tries no key at all.`
				: `The token's kid "${kid}" is not in the JWKS (${kids.join(', ')}): the issuer rotated its keys, or the token comes from another issuer.`,
			expected: kid,
			actual: kids,
		});
	} else {
		checks.push({
			id: 'issuer.jwks',
			title: jwksTitle,
			status: 'pass',
			message: `${jwksUrl} holds ${keys.length} key(s)${kid ? `, including kid "${kid}"` : ''}.`,
		});
	}

	if (input.compact) {
		const verdict = await verifyWithJwks(
			input.compact,
			String(input.header['alg'] ?? ''),
			kid,
			keys as JWK[],
		);
		const title = "Signature (with the issuer's keys)";
		if (verdict.verdict === 'verified')
			checks.push({
				id: 'issuer.signature',
				title,
				status: 'pass',
				message: `The signature verifies with ${verdict.by}.`,
			});
		else if (verdict.verdict === 'failed')
			checks.push({
				id: 'issuer.signature',
				title,
				status: 'fail',
				problem: 'signature-invalid',
				message: `The signature does not verify: ${verdict.reason}.`,
			});
		else
			checks.push({
				id: 'issuer.signature',
				title,
				status: 'skip',
				message: `The signature could not be checked here: ${verdict.reason}.`,
			});
	}

	checks.push({
		id: 'issuer.from-vault',
		title: 'Vault can reach the issuer',
		status: 'skip',
		problem: 'discovery-unreachable',
		message: `The doctor reached the issuer from this machine, which does not prove Vault can. On a Vault server run: curl -sS ${urls[0]}`,
	});
	return result;
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}
