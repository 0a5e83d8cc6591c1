import {stripVTControlCharacters} from 'node:util';
import {type Problem, type ProblemId, problem} from './problems.js';
import {redactSecrets} from './redact.js';

export type Explanation = Problem & {
	problem: ProblemId;
	/** Other problems the same text can mean (at most three). */
	alternatives: ProblemId[];
	/** The line of the text that was recognised, or null. */
	matched: string | null;
};

type Rule = {
	problem: ProblemId;
	pattern: RegExp;
	alternatives?: ProblemId[];
	/** Text that shows the match is not Vault's (a Docker socket's "permission denied"). */
	unless?: RegExp;
	/** Decides the problem from the surrounding text (e.g. which path a 403 came from). */
	refine?: (text: string) => {problem: ProblemId; alternatives?: ProblemId[]} | undefined;
};

const discoveryContext =
	/keyset configuration|\.well-known|openid-configuration|oidc_discovery|discovery url|fetching keys|jwks|oidc provider/i;
const loginContext =
	/auth\/[^\s"'`]{0,200}\/?login\b|\blogin\b[^\n]{0,200}?\b(?:jwt|oidc)\b|\bmethod=jwt\b|jwtLogin|auth\/jwt|failed to retrieve vault token|authenticating Vault client|Authentication failed|agent\.auth\.handler|NewClientWithLogin|failed authenticating to Vault/i;
const secretContext =
	/\/data\/|\/metadata\/|\bkv (?:get|put|list|read|patch)\b|\bsecret\/|reading secret|reading from Vault|Error reading|1 error occurred/i;
const namespaceContext = /VAULT_NAMESPACE=|^Namespace: |-namespace[= ]/im;

/** Most specific first: the first rule that matches anywhere in the text names the problem. */
const rules: Rule[] = [
	{
		problem: 'algorithm-not-allowed',
		pattern:
			/unexpected signature algorithm "[^"]*"|invalid algorithm \(alg\) header parameter|signed with unsupported algorithm|invalid jwt_supported_algs/i,
	},
	{
		problem: 'signature-invalid',
		pattern: /token missing kid header parameter|no key found with kid|error searching for key set with kid/i,
		alternatives: ['jwks-unavailable'],
	},
	{
		problem: 'token-malformed',
		pattern:
			/compact JWS format must have three parts|oidc: malformed jwt|illegal base64 data at input byte|error parsing token|token contains an invalid number of segments|square\/go-jose: (?:unknown|invalid)|go-jose\/go-jose: (?:unknown|invalid)/i,
	},
	{
		problem: 'discovery-issuer-mismatch',
		pattern: /issuer did not match the (?:returned issuer|issuer returned by provider)/i,
	},
	{
		problem: 'discovery-tls',
		pattern:
			/x509: |certificate signed by unknown authority|tls: failed to verify|certificate is valid for|certificate has expired|unable to verify the first certificate|self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID|SELF_SIGNED_CERT_IN_CHAIN/i,
		refine: text =>
			discoveryContext.test(text)
				? {problem: 'discovery-tls', alternatives: ['vault-tls']}
				: {problem: 'vault-tls', alternatives: ['discovery-tls']},
	},
	{
		problem: 'jwks-unavailable',
		pattern:
			/get keys failed|failed to decode keys|error fetching jwks keyset|error checking jwks URL|error checking jwks_ca_pem|failed to refresh all \d+ JWKS caches/i,
		alternatives: ['discovery-unreachable'],
	},
	{
		problem: 'discovery-unreachable',
		pattern:
			/keyset configuration error|error checking oidc discovery URL|error fetching keys from OIDC provider|error creating provider|openid-configuration[^\n]{0,300}(?:dial tcp|no such host|timeout|refused|EOF|404)/i,
		alternatives: ['discovery-tls', 'discovery-issuer-mismatch', 'jwks-unavailable'],
	},
	{
		problem: 'signature-invalid',
		pattern:
			/failed to verify id token signature|no known key successfully validated the token signature|failed to verify signature|error verifying token signature|error verifying token/i,
		alternatives: ['issuer-mismatch', 'jwks-unavailable'],
	},
	{
		problem: 'token-claim-type',
		pattern:
			/unmarshal to Audience|unmarshal NumericDate|cannot unmarshal \w+ into Go struct field Claims\./i,
	},
	{problem: 'audience-unbound', pattern: /audience claim found in JWT but no audiences bound to the role/i},
	{
		problem: 'audience-mismatch',
		pattern:
			/invalid audience \(aud\) claim|aud claim does not match any bound audience|invalid audience claim|audience claim does not match any expected audience/i,
	},
	{
		problem: 'issuer-mismatch',
		pattern:
			/invalid issuer \(iss\) claim|invalid issuer claim \(iss\)|id token issued by a different provider/i,
		refine: text =>
			/different provider/i.test(text)
				? {problem: 'issuer-mismatch', alternatives: ['discovery-issuer-mismatch']}
				: undefined,
	},
	{
		problem: 'cidr-denied',
		pattern:
			/request originated from invalid CIDR|source address not allowed|not in the list of allowed CIDR/i,
	},
	{
		problem: 'subject-mismatch',
		pattern:
			/invalid subject \(sub\) claim|invalid subject claim \(sub\)|sub claim does not match bound subject/i,
	},
	{
		problem: 'token-no-time-claims',
		pattern:
			/no issued at \(iat\), not before \(nbf\), or expiration time \(exp\) claims|no issue time, notbefore, or expiration time encoded/i,
	},
	{
		problem: 'token-expired',
		pattern: /token is expired|invalid expiration time \(exp\) claim|Token Expiry:/i,
	},
	{
		problem: 'token-not-yet-valid',
		pattern:
			/token not yet valid|token not valid yet|before the nbf \(not before\) time|token issued in the future|invalid not before \(nbf\) claim|invalid issued at \(iat\) claim/i,
	},
	{problem: 'config-unsupported', pattern: /unsupported config type|unhandled case during login/i},
	{problem: 'config-missing', pattern: /could not load configuration/i, alternatives: ['mount-not-found']},
	{problem: 'role-type-oidc', pattern: /role with oidc role_type is not allowed/i},
	{
		problem: 'role-not-found',
		pattern: /role "[^"]*" could not be found|role '[^']*' could not be found|role could not be found/i,
		alternatives: ['mount-not-found', 'namespace-wrong'],
	},
	{problem: 'role-missing', pattern: /\bmissing role\b(?![_-])/i},
	{problem: 'groups-claim-missing', pattern: /failed to fetch groups/i},
	{
		problem: 'groups-claim-type',
		pattern: /claim could not be converted to string list|in groups claim could not be parsed as string/i,
	},
	{problem: 'claim-mapping-type', pattern: /error converting claim '[^']*' to string/i},
	{
		problem: 'bound-claim-type',
		pattern: /received claim is not a (?:string|glob string)|bound claim is not a string/i,
	},
	{problem: 'bound-claim-missing', pattern: /claim "[^"]*" is missing|claim is missing: /i},
	{
		problem: 'bound-claim-mismatch',
		pattern:
			/does not match any associated bound claim values|does not match associated bound claim|claim ['"][^'"]*['"] does not match/i,
	},
	{problem: 'user-claim-type', pattern: /claim "[^"]*" could not be converted to string/i},
	{
		problem: 'user-claim-missing',
		pattern: /claim "[^"]*" not found in token|"[^"]*" claim not found in token/i,
	},
	{
		problem: 'provider-config',
		pattern: /failed to load custom provider config|error fetching user info|provider config/i,
	},
	{
		problem: 'platform-no-token',
		pattern:
			/\bmissing token\b|ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)|id-token: write|Could not fetch an OIDC token|CIRCLE_OIDC_TOKEN(?:_V2)?[^\n]{0,300}(?:empty|not set|unbound)|jwt=\s{0,20}$|oidc token[^\n]{0,300}not (?:available|set|found)|latest known jwt is empty|empty jwt file/im,
	},
	{
		problem: 'vault-sealed',
		pattern: /Vault is sealed|\bsealed\b[^\n]{0,300}\b503\b|\b503\b[^\n]{0,300}\bsealed\b/i,
	},
	{
		problem: 'rate-limited',
		pattern:
			/rate limit quota exceeded|request path [^\n]{0,300} rate limit|Code: 429|\b429 Too Many Requests/i,
	},
	{
		problem: 'mount-not-found',
		pattern: /no handler for route/i,
		refine: text =>
			/no handler for route ["']?auth\//i.test(text)
				? {problem: 'mount-not-found', alternatives: ['namespace-wrong']}
				: {problem: 'kv2-path', alternatives: ['mount-not-found', 'namespace-wrong']},
	},
	{
		problem: 'namespace-wrong',
		pattern: /namespace not found|no namespace|invalid namespace/i,
		alternatives: ['mount-not-found'],
	},
	{
		problem: 'vault-token-invalid',
		pattern:
			/\binvalid token\b|\bbad token\b|token (?:has )?expired[^\n]{0,300}vault|missing client token|token not found/i,
		alternatives: ['permission-denied'],
		refine: text =>
			/missing client token/i.test(text) && loginContext.test(text)
				? {problem: 'mount-not-found', alternatives: ['namespace-wrong']}
				: undefined,
	},
	{
		problem: 'kv2-path',
		pattern:
			/preflight capability check returned 403|Invalid path for a versioned K\/V secrets engine|kv-v2|\bkv v2\b/i,
		alternatives: ['permission-denied', 'namespace-wrong'],
		refine: text =>
			namespaceContext.test(text)
				? {problem: 'namespace-wrong', alternatives: ['kv2-path', 'permission-denied']}
				: undefined,
	},
	{
		problem: 'permission-denied',
		pattern: /permission denied|Code: 403|\b403 Forbidden|status(?:Code)?[=: ]+403\b/i,
		unless: /docker daemon socket|\.sock\b|\(publickey\)|EACCES/i,
		refine: text => {
			if (loginContext.test(text))
				return {problem: 'mount-not-found', alternatives: ['cidr-denied', 'namespace-wrong']};
			if (secretContext.test(text)) {
				return {
					problem: 'permission-denied',
					alternatives: ['kv2-path', 'namespace-wrong', 'vault-token-invalid'],
				};
			}

			return {
				problem: 'permission-denied',
				alternatives: ['mount-not-found', 'cidr-denied', 'namespace-wrong'],
			};
		},
	},
	{
		problem: 'vault-unreachable',
		pattern:
			/connection refused|dial tcp|no such host|i\/o timeout|context deadline exceeded|Client\.Timeout exceeded|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|server gave HTTP response to HTTPS client|connect: network is unreachable/i,
		refine: text =>
			discoveryContext.test(text)
				? {problem: 'discovery-unreachable', alternatives: ['vault-unreachable']}
				: undefined,
		alternatives: ['vault-tls', 'namespace-wrong'],
	},
];

/**
Names the problem behind any pasted text that holds a Vault error: raw API JSON, Vault CLI output, CI action
logs, operator JSON logs with escaped quotes, agent logs, the UI's banner, old and new wordings.
*/
export function explainVaultError(text: string): Explanation {
	const normalized = normalize(text);
	const hits: Array<{problem: ProblemId; alternatives: ProblemId[]; matched: string}> = [];
	for (const rule of rules) {
		const match = rule.pattern.exec(normalized);
		if (!match || rule.unless?.test(normalized)) continue;
		const refined = rule.refine?.(normalized);
		hits.push({
			problem: refined?.problem ?? rule.problem,
			alternatives: refined?.alternatives ?? rule.alternatives ?? [],
			matched: redactSecrets(lineAround(normalized, match.index, match[0].length)),
		});
	}

	const [first] = hits;
	if (!first) return {...describe('unknown'), alternatives: [], matched: null};
	const alternatives = [...first.alternatives, ...hits.slice(1).map(hit => hit.problem)].filter(
		(id, index, all) => id !== first.problem && all.indexOf(id) === index,
	);
	return {...describe(first.problem), alternatives: alternatives.slice(0, 3), matched: first.matched};
}

function describe(id: ProblemId): Omit<Explanation, 'alternatives' | 'matched'> {
	const {id: problemId, ...rest} = problem(id);
	return {problem: problemId, ...rest};
}

const htmlEntities: Record<string, string> = {
	'&quot;': '"',
	'&#34;': '"',
	'&#39;': "'",
	'&lt;': '<',
	'&gt;': '>',
	'&amp;': '&',
};

/** Undoes what log pipelines do to a message: colours, JSON string escaping (possibly twice), HTML entities. */
export function normalize(text: string): string {
	let result = text.replace(/\r\n?/g, '\n');
	// Entities and JSON escapes can wrap each other (JSON inside &quot;, colour codes as \u001b): undo both, then strip colours.
	for (let pass = 0; pass < 3 && /\\["nt\\u]|&(?:quot|#34|#39|lt|gt|amp);/.test(result); pass++) {
		result = result
			.replace(/&(?:quot|#34|#39|lt|gt|amp);/g, entity => htmlEntities[entity] ?? entity)
			.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
			.replace(/\\n/g, '\n')
			.replace(/\\t/g, '\t')
			.replace(/\\"/g, '"')
			.replace(/\\\\/g, '\\');
	}

	return stripVTControlCharacters(result);
}

function lineAround(text: string, index: number, length: number): string {
	const start = text.lastIndexOf('\n', index) + 1;
	const endIndex = text.indexOf('\n', index + length);
	const line = text.slice(start, endIndex === -1 ? undefined : endIndex).trim();
	return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
