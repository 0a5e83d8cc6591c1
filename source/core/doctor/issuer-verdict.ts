/* The Issuer checks: what the probe fetched from the issuer, judged against Vault's config and the token. */
import type {JWK} from 'jose';
import type {Check, CheckId} from '../check.js';
import {verifyWithJwks} from '../login/signature.js';
import {otherIssuerHint} from '../platforms/advice.js';
import type {FetchOutcome, IssuerProbeResult} from '../probes/issuer.js';
import type {ProblemId} from '../problems/catalogue.js';
import {doubledWellKnown, type IssuerRoute} from './issuer-route.js';

export type IssuerToken = {
	/** The token's iss. */
	iss: string;
	header: Record<string, unknown>;
	/** The compact token, to verify its signature. */
	compact?: string;
};

const discoveryTitle = "Issuer's discovery document";
const jwksTitle = "Issuer's keys (JWKS)";

/** What to do about a request that got no answer, by the kind of failure. */
const noAnswerAdvice: Record<string, string> = {
	tls: "Pass the issuer's CA with --ca-file (or NODE_EXTRA_CA_CERTS); Vault needs it in oidc_discovery_ca_pem / jwks_ca_pem.",
	timeout:
		'The host did not answer in time: a firewall dropping packets, or a slow proxy. Raise --timeout to be sure.',
	dns: 'Check the host name for typos; on a private network, check the DNS this machine uses.',
	refused: 'Nothing listens on that address and port.',
	proxy: 'Check HTTPS_PROXY / HTTP_PROXY and NO_PROXY.',
	'too-large': 'This is not a discovery document or key set; check the URL.',
	redirects: 'The URL redirects in a loop or too often; use the final URL.',
};

type Unusable = Exclude<FetchOutcome, {kind: 'json'}>;

/** The failing check of a fetch that brought no JSON. */
function unusableFetch(id: CheckId, title: string, fetch: Unusable, problem: ProblemId): Check {
	const {url} = fetch;
	if (fetch.kind === 'no-answer') {
		const {failure} = fetch;
		return {
			id,
			title,
			status: 'fail',
			problem: failure.kind === 'tls' ? 'discovery-tls' : problem,
			message: `${url}: ${failure.message}.`,
			...(noAnswerAdvice[failure.kind] ? {hint: noAnswerAdvice[failure.kind]} : {}),
		};
	}

	const {response} = fetch;
	const redirected =
		response.redirects.length > 0 ? ` (after redirects from ${response.redirects.join(' → ')})` : '';
	if (fetch.kind === 'status')
		return {
			id,
			title,
			status: 'fail',
			problem,
			message: `${url} answered HTTP ${response.status}${redirected}${fetch.html ? ' with an HTML page' : ''}.`,
			actual: response.status,
		};
	const what = fetch.html ? 'with an HTML page (a login or proxy page, or a wrong URL)' : 'not with JSON';
	return {
		id,
		title,
		status: 'fail',
		problem,
		message: `${url} answered 200 but ${what}${redirected}.`,
		actual: response.contentType || '(no content type)',
	};
}

/**
The Issuer group's checks, in the order Vault meets them: whether the mount trusts the token's issuer, the
discovery document, the algorithm, the JWKS and the token's kid in it, then the signature with those keys.
*/
export async function judgeIssuer(
	route: IssuerRoute,
	fetched: IssuerProbeResult,
	token: IssuerToken,
): Promise<Check[]> {
	if (route.kind === 'static-keys')
		return [
			{
				id: 'issuer.discovery',
				title: discoveryTitle,
				status: 'skip',
				message: 'Vault verifies with jwt_validation_pubkeys; it fetches nothing from the issuer.',
			},
		];

	const checks: Check[] = [];
	const {configuredDiscovery} = route;
	if (configuredDiscovery && trimSlash(configuredDiscovery) !== trimSlash(token.iss)) {
		const hint = otherIssuerHint(token.iss);
		checks.push({
			id: 'issuer.vault-trusts',
			title: "Vault trusts the token's issuer",
			status: 'fail',
			problem: 'signature-invalid',
			message: `Vault's mount trusts ${configuredDiscovery}, but the token comes from ${token.iss}; Vault will not find the token's key.`,
			expected: configuredDiscovery,
			actual: token.iss,
			...(hint ? {hint} : {}),
		});
	}

	if (route.kind === 'discovery') {
		const {base, url} = route;
		if (doubledWellKnown(route)) {
			checks.push({
				id: 'issuer.discovery',
				title: discoveryTitle,
				status: 'fail',
				problem: 'discovery-unreachable',
				message: `${configuredDiscovery ? 'oidc_discovery_url' : 'The issuer'} already contains a /.well-known/ path (${base}); Vault appends /.well-known/openid-configuration itself, so it requests ${url}.`,
				expected: base.slice(0, base.indexOf('/.well-known/')),
				actual: base,
			});
			return checks;
		}

		const discovery = fetched.discovery;
		if (!discovery) return checks;
		const {fetch, document} = discovery;
		if (fetch.kind !== 'json') {
			checks.push(unusableFetch('issuer.discovery', discoveryTitle, fetch, 'discovery-unreachable'));
			return checks;
		}

		if (!document) {
			checks.push({
				id: 'issuer.discovery',
				title: discoveryTitle,
				status: 'fail',
				problem: 'discovery-unreachable',
				message: `${url} is JSON but not a discovery document (no issuer or jwks_uri).`,
			});
			return checks;
		}

		const expected = configuredDiscovery || token.iss;
		if (document.issuer !== expected) {
			checks.push({
				id: 'issuer.discovery',
				title: discoveryTitle,
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
			const {contentType} = fetch.response;
			const note = /json/i.test(contentType)
				? ''
				: ` (served as ${contentType || 'no content type'}, which Vault tolerates)`;
			checks.push({
				id: 'issuer.discovery',
				title: discoveryTitle,
				status: 'pass',
				message: `${url} names issuer ${document.issuer}${note}.`,
			});
		}

		const algorithms = document.signingAlgorithms;
		const alg = String(token.header['alg'] ?? '');
		if (Array.isArray(algorithms) && alg && !algorithms.includes(alg)) {
			checks.push({
				id: 'issuer.algorithm',
				title: 'Issuer signs with this algorithm',
				status: 'warn',
				problem: 'algorithm-not-allowed',
				message: `The token is signed with ${alg}, which the issuer does not list in id_token_signing_alg_values_supported (${algorithms.join(', ')}).`,
			});
		}
	}

	const jwks = fetched.jwks;
	if (!jwks) return checks;
	if (jwks.fetch.kind !== 'json') {
		checks.push(unusableFetch('issuer.jwks', jwksTitle, jwks.fetch, 'jwks-unavailable'));
		return checks;
	}

	const jwksUrl = jwks.fetch.url;
	if (!jwks.keys || jwks.keys.length === 0) {
		checks.push({
			id: 'issuer.jwks',
			title: jwksTitle,
			status: 'fail',
			problem: 'jwks-unavailable',
			message: `${jwksUrl} is JSON but holds no keys.`,
		});
		return checks;
	}

	const keys = jwks.keys as JWK[];
	checks.push(kidCheck(jwksUrl, keys, token.header));
	if (token.compact) checks.push(await signatureCheck(token, keys));
	checks.push({
		id: 'issuer.from-vault',
		title: 'Vault can reach the issuer',
		status: 'skip',
		problem: 'discovery-unreachable',
		message: `The doctor reached the issuer from this machine, which does not prove Vault can. On a Vault server run: curl -sS ${fetched.urls[0]}`,
	});
	return checks;
}

const kidOf = (header: Record<string, unknown>) =>
	typeof header['kid'] === 'string' ? header['kid'] : undefined;

/** go-oidc tries only the keys with the token's kid: a kid missing from the JWKS is a signature failure. */
function kidCheck(jwksUrl: string, keys: JWK[], header: Record<string, unknown>): Check {
	const kid = kidOf(header);
	const kids = keys.map(key => key.kid ?? '(no kid)');
	if (kid !== undefined && !keys.some(key => key.kid === kid)) {
		const noKids = keys.every(key => key.kid === undefined);
		return {
			id: 'issuer.jwks',
			title: jwksTitle,
			status: 'fail',
			problem: 'signature-invalid',
			message: noKids
				? `The token names kid "${kid}" but the JWKS keys have no kid; Vault then tries no key at all.`
				: `The token's kid "${kid}" is not in the JWKS (${kids.join(', ')}): the issuer rotated its keys, or the token comes from another issuer.`,
			expected: kid,
			actual: kids,
		};
	}

	return {
		id: 'issuer.jwks',
		title: jwksTitle,
		status: 'pass',
		message: `${jwksUrl} holds ${keys.length} key(s)${kid ? `, including kid "${kid}"` : ''}.`,
	};
}

async function signatureCheck(token: IssuerToken, keys: JWK[]): Promise<Check> {
	const verdict = await verifyWithJwks(
		token.compact!,
		String(token.header['alg'] ?? ''),
		kidOf(token.header),
		keys,
	);
	const title = "Signature (with the issuer's keys)";
	if (verdict.verdict === 'verified')
		return {
			id: 'issuer.signature',
			title,
			status: 'pass',
			message: `The signature verifies with ${verdict.by}.`,
		};
	if (verdict.verdict === 'failed')
		return {
			id: 'issuer.signature',
			title,
			status: 'fail',
			problem: 'signature-invalid',
			message: `The signature does not verify: ${verdict.reason}.`,
		};
	return {
		id: 'issuer.signature',
		title,
		status: 'skip',
		message: `The signature could not be checked here: ${verdict.reason}.`,
	};
}

function trimSlash(url: string): string {
	return url.replace(/\/+$/, '');
}
