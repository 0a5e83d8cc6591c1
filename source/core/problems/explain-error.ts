import {stripVTControlCharacters} from 'node:util';
import {redactSecrets} from '../redact.js';
import {type Problem, type ProblemId, problem} from './catalogue.js';

export type Explanation = Problem & {
	problem: ProblemId;
	/** Other problems the same text can mean (at most three); for `unknown`, the nearest ones. */
	alternatives: ProblemId[];
	/** The line of the text that was recognised, or null. */
	matched: string | null;
	/** Why the wording points somewhere else than the cause, when it does. */
	misleading: string | null;
	/** For `unknown`: the line that looked most like an error, or null. */
	suspect: string | null;
	/** How to find out for sure. */
	next: string;
};

type Verdict = {problem: ProblemId; alternatives?: ProblemId[]; misleading?: string};

type Rule = {
	problem: ProblemId;
	pattern: RegExp;
	alternatives?: ProblemId[];
	/** Why the wording misleads: said before the explanation. */
	misleading?: string;
	/** Text that shows the match is not Vault's (a Docker socket's "permission denied", a CDN's 403 page). */
	unless?: RegExp;
	/** Words that must appear near a match that any program could print (a TLS or network error) for it to count. */
	requires?: RegExp;
	/** Decides the problem from the text around the match (e.g. which path a 403 came from). */
	refine?: (context: string) => Verdict | undefined;
	/**
	A generic symptom (a status code, "permission denied", a network error): it attaches to a specific message
	on a nearby line instead of counting as an error of its own.
	*/
	weak?: boolean;
};

const discoveryContext =
	/keyset configuration|\.well-known|openid-configuration|oidc_discovery|discovery url|fetching keys|jwks|oidc provider/i;
const loginContext =
	/auth\/[^\s"'`]{0,200}\/?login\b|\blogin\b[^\n]{0,200}?\b(?:jwt|oidc)\b|\bmethod=jwt\b|jwtLogin|auth\/jwt|failed to retrieve vault token|authenticating Vault client|Authentication failed|agent\.auth\.handler|NewClientWithLogin|failed authenticating to Vault|VaultLoginException|Cannot login using/i;
const secretContext =
	/\/data\/|\/metadata\/|\bkv (?:get|put|list|read|patch)\b|\bsecret\/|reading secret|reading from Vault|Error reading|1 error occurred/i;
const namespaceContext = /VAULT_NAMESPACE=|^Namespace: |-namespace[= ]/im;
/** Signs that a generic failure (TLS, network) happened talking to Vault or, for Vault, to an issuer. */
const vaultContext = new RegExp(
	`${discoveryContext.source}|/v1/|:8200\\b|VAULT_[A-Z]+|Error making API request|looking up token|seal status|Error (?:writing data to|reading) [\\w/-]+:|(?<![\\w-])(?:vault|openbao|bao)(?![\\w-])`,
	'i',
);

const loginNeedsNoPolicy =
	'Vault says "permission denied", but a login needs no policy: a 403 on auth/<mount>/login means no auth method is mounted at that path (in this namespace), or the role\'s token_bound_cidrs exclude the caller.';

/** Most specific first: on one line (or one error block) the first rule that matches names the problem. */
const rules: Rule[] = [
	{
		problem: 'algorithm-not-allowed',
		pattern:
			/unexpected signature algorithm "[^"\n]{0,40}"|invalid algorithm \(alg\) header parameter|signed with unsupported algorithm|invalid jwt_supported_algs|unsupported signing algorithm "|unknown\/unsupported algorithm|jwt_supported_algs/i,
	},
	{
		problem: 'signature-invalid',
		pattern:
			/token missing kid header parameter|no key found with kid|no key set found with kid|error searching for key set with kid|JWK with matching kid not found/i,
		alternatives: ['jwks-unavailable'],
	},
	{
		problem: 'token-malformed',
		pattern:
			/compact JWS format must have three parts|oidc: malformed jwt|illegal base64 data at input byte|error parsing token|token contains an invalid number of segments|square\/go-jose: (?:unknown|invalid)|go-jose\/go-jose: (?:unknown|invalid)|missing payload in JWS message|expected claims to be value convertible into JSON object|oidc: id token not signed|(?<!header parameter: )\btoken must be signed|token with multiple signatures not supported|\bjwt malformed\b|Not enough segments/i,
	},
	{
		problem: 'discovery-issuer-mismatch',
		pattern: /issuer did not match the (?:returned issuer|issuer returned by provider)/i,
	},
	{
		problem: 'cel-denied',
		pattern:
			/CEL role '[^'\n]{0,200}' blocked authorization|error executing cel program|CEL auth program failed|CEL program '[^'\n]{0,200}' returned unexpected type/i,
	},
	{
		problem: 'config-invalid',
		pattern:
			/exactly one of 'jwt_validation_pubkeys'|both 'oidc_client_id' and 'oidc_client_secret' must be set|'oidc_discovery_url' must be set for OIDC|'oidc_discovery_url' contains '\.well-known'|CA PEMs must be provided as part of the 'jwks_pairs'|Bound issuer is not supported for use with 'jwks_pairs'|invalid jwks_pairs|jwks_pairs must be provided as a list|could not parse CA PEM value successfully|could not parse '\w{1,40}' value successfully|error checking jwks_ca_pem|error parsing public key|does not contain any valid RSA or ECDSA public keys|error parsing extension OID|invalid response_types|response_mode may not be used|invalid response_mode|JWT validator configuration error/i,
		alternatives: ['discovery-tls'],
	},
	{
		problem: 'discovery-tls',
		pattern:
			/x509: |certificate signed by unknown authority|tls: failed to verify|certificate is valid for|certificate has expired|unable to verify the first certificate|self[- ]signed certificate|UNABLE_TO_VERIFY_LEAF_SIGNATURE|ERR_TLS_CERT_ALTNAME_INVALID|SELF_SIGNED_CERT_IN_CHAIN/i,
		weak: true,
		requires: vaultContext,
		refine: context =>
			discoveryContext.test(context)
				? {problem: 'discovery-tls', alternatives: ['vault-tls']}
				: {problem: 'vault-tls', alternatives: ['discovery-tls']},
	},
	{
		problem: 'jwks-unavailable',
		pattern:
			/get keys failed|failed to decode keys|error fetching jwks keyset|error checking jwks URL|failed to refresh all \d+ JWKS caches|failed to fetch JWKS|JWKS endpoint returned status|failed to decode JWKS|failed to read JWKS response|error initializing key set caches|error parsing JWKS pairs|no key set caches configured/i,
		alternatives: ['discovery-unreachable'],
	},
	{
		problem: 'discovery-unreachable',
		pattern:
			/keyset configuration error|error checking (?:oidc )?discovery URL|error fetching keys from OIDC provider|error creating provider|failed to decode OIDC discovery document|failed to decode provider discovery object|expected Content-Type = application\/json|got Content-Type = application\/json, but could not unmarshal|openid-configuration[^\n]{0,300}(?:dial tcp|no such host|timeout|refused|EOF|404)/i,
		alternatives: ['discovery-tls', 'discovery-issuer-mismatch', 'jwks-unavailable'],
	},
	{
		problem: 'signature-invalid',
		pattern:
			/failed to verify id token signature|no known key successfully validated the token signature|failed to verify signature|error verifying token signature|error verifying token|error in cryptographic primitive|no public keys able to verify jwt|\binvalid signature\b|signature verification failed|token signature is invalid/i,
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
			/invalid audience \(aud\) claim|aud claim does not match any bound audience|invalid audience claim|audience claim does not match any expected audience|oidc: expected audience|jwt audience invalid|token has invalid audience|unexpected "aud" claim value|\binvalid audience\b|Audience doesn't match/i,
	},
	{
		problem: 'issuer-mismatch',
		pattern:
			/invalid issuer \(iss\) claim|invalid issuer claim \(iss\)|id token issued by a different provider|jwt issuer invalid|token has invalid issuer|unexpected "iss" claim value|\binvalid issuer\b(?! (?:did|URL))/i,
		refine: context =>
			/different provider/i.test(context)
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
			/invalid subject \(sub\) claim|invalid subject claim \(sub\)|sub claim does not match bound subject|jwt subject invalid|unexpected "sub" claim value/i,
	},
	{
		problem: 'token-no-time-claims',
		pattern:
			/no issued at \(iat\), not before \(nbf\), or expiration time \(exp\) claims|no issue time, notbefore, or expiration time encoded/i,
	},
	{
		problem: 'token-expired',
		pattern:
			/token is expired|invalid expiration time \(exp\) claim|Token Expiry:|\bjwt expired\b|Signature has expired|"?exp"? claim timestamp check failed|\bJWT expired at\b|token has expired|TokenExpiredError|\bThe token expired at\b/i,
	},
	{
		problem: 'token-not-yet-valid',
		pattern:
			/token not yet valid|token (?:is )?not valid yet|\bis not yet valid\b|before the nbf \(not before\) time|token issued in the future|invalid not before \(nbf\) claim|invalid issued at \(iat\) claim|\bjwt not active\b|Token can't be used before|'?iat'? (?:token )?claim is in the future|token used before issued|"?nbf"? claim timestamp check failed|ImmatureSignatureError/i,
	},
	{problem: 'config-unsupported', pattern: /unsupported config type|unhandled case during login/i},
	{problem: 'config-missing', pattern: /could not load configuration/i, alternatives: ['mount-not-found']},
	{
		problem: 'role-type-oidc',
		pattern:
			/role with oidc role_type is not allowed|'allowed_redirect_uris' must be set if 'role_type' is 'oidc'/i,
		refine: context =>
			/allowed_redirect_uris/i.test(context)
				? {
						problem: 'role-type-oidc',
						misleading:
							'Vault asks for allowed_redirect_uris, which only the browser OIDC flow uses: the role was written without role_type=jwt, so it became an OIDC role. A workload role needs role_type=jwt, not redirect URIs.',
					}
				: undefined,
	},
	{
		problem: 'role-invalid',
		pattern:
			/must have at least one bound constraint when creating\/updating a role|a user claim must be defined on the role|invalid 'role_type'|invalid 'bound_claims_type'|is reserved and may not be a mapping destination|multiple keys are mapped to metadata key|ttl should not be greater than max ttl|is greater than the backend's maximum lease TTL/i,
	},
	{
		problem: 'role-not-found',
		pattern:
			/role "[^"\n]{0,300}" could not be found|role '[^'\n]{0,300}' could not be found|role could not be found/i,
		alternatives: ['mount-not-found', 'namespace-wrong'],
	},
	{problem: 'role-missing', pattern: /\bmissing role\b(?![_-])/i},
	{problem: 'groups-claim-missing', pattern: /failed to fetch groups/i},
	{
		problem: 'groups-claim-type',
		pattern: /claim could not be converted to string list|in groups claim could not be parsed as string/i,
	},
	{problem: 'claim-mapping-type', pattern: /error converting claim '[^'\n]{0,300}' to string/i},
	{
		problem: 'bound-claim-type',
		pattern: /received claim is not a (?:string|glob string)|bound claim is not a string/i,
	},
	{problem: 'bound-claim-missing', pattern: /claim "[^"\n]{0,300}" is missing|claim is missing: /i},
	{
		problem: 'bound-claim-mismatch',
		pattern:
			/does not match any associated bound claim values|does not match associated bound claim|claim ['"][^'"\n]{0,300}['"] does not match/i,
	},
	{problem: 'user-claim-type', pattern: /claim "[^"\n]{0,300}" could not be converted to string/i},
	{
		problem: 'user-claim-missing',
		pattern: /claim "[^"\n]{0,300}" not found in token|"[^"\n]{0,300}" claim not found in token/i,
	},
	{
		problem: 'user-claim-empty',
		pattern: /missing name in alias|failed to determine alias name from login request/i,
		alternatives: ['user-claim-missing'],
		misleading:
			'Vault answers 500 and talks about identity aliases, as if the server had failed after the login was accepted. Every claim check did pass; the cause is the token: its user_claim value is an empty string, so the alias Vault must create has no name (a client error in substance).',
	},
	{
		problem: 'provider-config',
		pattern:
			/failed to load custom provider config|error fetching user info|provider config|invalid provider_config|(?:must be set|is required) in provider_config|not found in custom providers|Microsoft Graph API|Okta API|unable to locate groups claim|distributed groups source|when using the kubernetes provider|failed to impersonate principal|error parsing service account JSON/i,
	},
	{
		problem: 'platform-no-token',
		pattern:
			/\bmissing token\b|ACTIONS_ID_TOKEN_REQUEST_(?:URL|TOKEN)|id-token: write|`?id-token`? permission|Could not fetch an OIDC token|missing (?:or insufficient )?OIDC token|(?:failed|unable) to (?:get|request|fetch|obtain) (?:an? )?(?:OIDC|ID) token|do not have ID Token field|can only be run inside a CircleCI job|not running in an Ona environment|ona is not logged in|(?:ona idp token|circleci run oidc get|buildkite-agent oidc request-token) failed|CIRCLE_OIDC_TOKEN(?:_V2)?[^\n]{0,300}(?:empty|not set|unbound)|jwt=\s{0,20}$|oidc token[^\n]{0,300}not (?:available|set|found)|latest known jwt is empty|empty jwt file/im,
	},
	{
		problem: 'vault-token-foreign',
		pattern:
			/failed to look up namespace from the token|cannot find namespace for token|token mac for [^\n]{0,300} is incorrect/i,
		alternatives: ['vault-token-invalid'],
		misleading:
			'The message blames namespaces, but no namespace is wrong: Vault could not read the X-Vault-Token value as one of its own tokens, and the namespace lookup is just the first step that fails. On a login this comes from a stray VAULT_TOKEN or ~/.vault-token, not from the JWT.',
	},
	{
		problem: 'vault-sealed',
		pattern: /Vault is sealed|\bsealed\b[^\n]{0,300}\b503\b|\b503\b[^\n]{0,300}\bsealed\b/i,
	},
	{
		problem: 'rate-limited',
		pattern:
			/rate limit quota exceeded|lease count quota exceeded|request path [^\n]{0,300} rate limit|Code: 429|\b429 Too Many Requests/i,
	},
	{
		problem: 'mount-not-found',
		pattern: /no handler for route/i,
		refine: context =>
			/no handler for route ["']?auth\//i.test(context)
				? {problem: 'mount-not-found', alternatives: ['namespace-wrong']}
				: {problem: 'kv2-path', alternatives: ['mount-not-found', 'namespace-wrong']},
	},
	{
		problem: 'namespace-wrong',
		pattern: /namespace not found|no namespace|invalid namespace/i,
		alternatives: ['mount-not-found'],
	},
	{
		problem: 'vault-internal',
		pattern:
			/\* internal error\b|errors":\s{0,5}\["internal error"|failed to create an entity for the authenticated alias/i,
		alternatives: ['vault-token-foreign', 'user-claim-empty'],
		misleading:
			'A 500 says the server failed, but with JWT login it often hides a client-side cause (a stray VAULT_TOKEN, an empty user claim) that Vault only writes to its own log.',
	},
	{
		problem: 'vault-token-invalid',
		pattern:
			/\binvalid token\b|\bbad token\b|token (?:has )?expired[^\n]{0,300}vault|missing client token|token not found|no vault token found/i,
		alternatives: ['permission-denied'],
		weak: true,
		refine: context =>
			/missing client token/i.test(context) && loginContext.test(context)
				? {
						problem: 'mount-not-found',
						alternatives: ['namespace-wrong'],
						misleading:
							'Old Vault asks for a client token, but a login needs none: the login path has no auth method mounted, so Vault treated the request as an ordinary authenticated one.',
					}
				: undefined,
	},
	{
		problem: 'kv2-path',
		pattern:
			/preflight capability check returned 403|Invalid path for a versioned K\/V secrets engine|kv-v2|\bkv v2\b/i,
		alternatives: ['permission-denied', 'namespace-wrong'],
		refine: context =>
			namespaceContext.test(context)
				? {problem: 'namespace-wrong', alternatives: ['kv2-path', 'permission-denied']}
				: undefined,
	},
	{
		problem: 'permission-denied',
		pattern: /permission denied|Code: 403|\b403 Forbidden|status(?:Code)?[=: ]+403\b/i,
		unless:
			/docker daemon socket|\.sock\b|\(publickey\)|EACCES|<html|<!DOCTYPE|cloudfront|cloudflare|akamai|Request blocked|anonymous token lacks permission|rpc error making call/i,
		weak: true,
		refine: context => {
			if (/auth\/token\/lookup(?:-self)?\b/i.test(context))
				return {problem: 'vault-token-invalid', alternatives: ['vault-token-foreign', 'permission-denied']};
			if (loginContext.test(context))
				return {
					problem: 'mount-not-found',
					alternatives: ['cidr-denied', 'namespace-wrong'],
					misleading: loginNeedsNoPolicy,
				};
			if (secretContext.test(context)) {
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
			/connection refused|dial tcp|no such host|i\/o timeout|context deadline exceeded|Client\.Timeout exceeded|ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|server gave HTTP response to HTTPS client|connect: network is unreachable|connection reset by peer/i,
		weak: true,
		requires: vaultContext,
		refine: context =>
			discoveryContext.test(context)
				? {problem: 'discovery-unreachable', alternatives: ['vault-unreachable']}
				: undefined,
		alternatives: ['vault-tls', 'namespace-wrong'],
	},
];

const globalPatterns = rules.map(rule => new RegExp(rule.pattern.source, `${rule.pattern.flags}g`));

/** A line that reads like an error, for an `unknown` answer: where to look. */
const errorish =
	/\b(?:errors?|failed|failure|denied|forbidden|invalid|refused|unable|cannot|can't|couldn't|exception|fatal|panic|unauthori[sz]ed|expired|not found)\b|\b[45]\d\d\b/i;

/** Words that point at a problem when no message was recognised: the nearest problems of an `unknown`. */
const nearest: Array<[RegExp, ProblemId[]]> = [
	[/\baud(?:ience)?\b/i, ['audience-mismatch', 'audience-unbound']],
	[/\biss(?:uer)?\b/i, ['issuer-mismatch']],
	[/\bsub(?:ject)?\b/i, ['subject-mismatch']],
	[/\bexp(?:ired|iry|iration)?\b/i, ['token-expired']],
	[/\bnbf\b|\biat\b|not before|clock/i, ['token-not-yet-valid']],
	[/\bsignature\b|\bkid\b|\bjwks\b|\bkeys?\b/i, ['signature-invalid', 'jwks-unavailable']],
	[/\bclaims?\b/i, ['bound-claim-mismatch', 'bound-claim-missing']],
	[/\brole\b/i, ['role-not-found', 'role-missing']],
	[/\bnamespace\b/i, ['namespace-wrong']],
	[/\bsealed\b|\b503\b/i, ['vault-sealed']],
	[/\b500\b|internal server error/i, ['vault-internal']],
	[/\b403\b|forbidden|denied/i, ['permission-denied', 'mount-not-found']],
	[/\b400\b|bad request/i, ['role-not-found', 'audience-mismatch', 'bound-claim-mismatch']],
	[/\b404\b|not found/i, ['mount-not-found', 'role-not-found']],
	[/\b429\b|rate/i, ['rate-limited']],
	[/\btls\b|certificate|x509/i, ['vault-tls', 'discovery-tls']],
	[/timeout|timed out|connect|unreachable|reset/i, ['vault-unreachable']],
	[/\b(?:oidc|id)[ _-]?token\b|\bjwt\b/i, ['platform-no-token', 'token-malformed']],
	[/\btoken\b/i, ['vault-token-invalid']],
];

const diagnoseHint =
	'To find out for sure, run `ona-vault-doctor diagnose --mount <mount> --role <role>` in the failing job or environment (add --json for a machine-readable report); it checks the token, the config and the role the way Vault will.';

/** Lines between a generic symptom and the message it belongs to (Vault's CLI block spans five). */
const blockGap = 6;
/** At most this many matches of one rule are looked at, and this many errors reported. */
const matchesPerRule = 32;
const maximumErrors = 20;
/** Refinement reads this many characters around an error. */
const contextReach = 4000;
/** Texts up to this size are also read with wrapped lines joined. */
const unwrapLimit = 256 * 1024;

type Hit = {rule: number; index: number; length: number; line: number};

/**
Names the problem behind any pasted text that holds a Vault error: raw API JSON, Vault CLI output, CI action
logs, operator JSON logs with escaped quotes, agent logs, the UI's banner, old and new wordings. When the text
holds several errors, this is the first one; `explainVaultErrors` gives each.
*/
export function explainVaultError(text: string): Explanation {
	const [first] = explainVaultErrors(text);
	return first!;
}

/** Every distinct error in the text, in the order they appear (first first); one `unknown` when there is none. */
export function explainVaultErrors(text: string): Explanation[] {
	const normalized = normalize(text);
	const found = explainView(normalized);
	if (found.length > 0) return found;
	// A message a terminal or log viewer wrapped: join the lines (pasted blocks are small; a huge log is not re-read).
	if (normalized.includes('\n') && normalized.length <= unwrapLimit) {
		for (const joint of [' ', '']) {
			const unwrapped = explainView(unwrap(normalized, joint));
			if (unwrapped.length > 0) return unwrapped;
		}
	}

	return [unknown(normalized)];
}

function explainView(text: string): Explanation[] {
	const hits = findHits(text);
	const explanations: Explanation[] = [];
	for (const block of groupIntoBlocks(hits)) {
		const explanation = explainBlock(text, block);
		if (explanations.some(earlier => earlier.problem === explanation.problem)) continue;
		explanations.push(explanation);
		if (explanations.length === maximumErrors) break;
	}

	return explanations;
}

function findHits(text: string): Hit[] {
	const hits: Hit[] = [];
	rules.forEach((rule, ruleIndex) => {
		if (rule.unless?.test(text)) return;
		const pattern = globalPatterns[ruleIndex]!;
		pattern.lastIndex = 0;
		for (let count = 0; count < matchesPerRule; count++) {
			const match = pattern.exec(text);
			if (!match) break;
			if (!rule.requires || rule.requires.test(around(text, match.index, match[0].length)))
				hits.push({rule: ruleIndex, index: match.index, length: match[0].length, line: 0});
			// One match per line and rule is enough: go on at the next line.
			const lineEnd = text.indexOf('\n', match.index + Math.max(match[0].length, 1));
			if (lineEnd === -1) break;
			pattern.lastIndex = lineEnd + 1;
		}
	});
	hits.sort((a, b) => a.index - b.index || a.rule - b.rule);
	// Line numbers by counting the line breaks between one hit and the next: no table of every line of a big paste.
	let line = 0;
	let position = 0;
	for (const hit of hits) {
		for (
			let next = text.indexOf('\n', position);
			next !== -1 && next < hit.index;
			next = text.indexOf('\n', next + 1)
		)
			line++;
		position = Math.max(position, hit.index);
		hit.line = line;
	}

	return hits;
}

/** The text within reach of a match: what refinement and `requires` read. */
function around(text: string, index: number, length: number): string {
	return text.slice(Math.max(0, index - contextReach), Math.min(text.length, index + length + contextReach));
}

/**
Hits on the same line belong together; a generic symptom (weak rule) joins a specific message a few lines away
and other symptoms near it. Two specific messages on different lines are two errors.
*/
function groupIntoBlocks(hits: Hit[]): Hit[][] {
	const blocks: Hit[][] = [];
	for (const hit of hits) {
		const near = blocks.findLast(block =>
			block.some(
				other =>
					other.line === hit.line ||
					(Math.abs(other.line - hit.line) <= blockGap &&
						(rules[hit.rule]!.weak || block.every(member => rules[member.rule]!.weak))),
			),
		);
		if (near) near.push(hit);
		else blocks.push([hit]);
	}

	// A block of symptoms that a specific message later joined sorts by its first line all the same.
	return blocks;
}

function explainBlock(text: string, block: Hit[]): Explanation {
	const chosen = block.reduce((best, hit) => (hit.rule < best.rule ? hit : best));
	const rule = rules[chosen.rule]!;
	const first = block[0]!.index;
	const last = block.at(-1)!;
	const context = around(text, first, last.index + last.length - first);
	const refined = rule.refine?.(context);
	const problemId = refined?.problem ?? rule.problem;
	const alternatives = [
		...(refined?.alternatives ?? rule.alternatives ?? []),
		...block.map(hit => rules[hit.rule]!.problem),
	].filter((id, index, all) => id !== problemId && all.indexOf(id) === index);
	return {
		...describe(problemId),
		alternatives: alternatives.slice(0, 3),
		matched: lineAround(text, chosen.index, chosen.length),
		misleading: refined
			? (refined.misleading ?? (refined.problem === rule.problem ? rule.misleading : undefined) ?? null)
			: (rule.misleading ?? null),
		suspect: null,
		next: diagnoseHint,
	};
}

function unknown(text: string): Explanation {
	const match = errorish.exec(text);
	const suspect = match ? lineAround(text, match.index, match[0].length) : null;
	const alternatives = suspect
		? nearest
				.filter(([pattern]) => pattern.test(suspect))
				.flatMap(([, ids]) => ids)
				.filter((id, index, all) => all.indexOf(id) === index)
				.slice(0, 3)
		: [];
	return {...describe('unknown'), alternatives, matched: null, misleading: null, suspect, next: diagnoseHint};
}

function describe(
	id: ProblemId,
): Omit<Explanation, 'alternatives' | 'matched' | 'misleading' | 'suspect' | 'next'> {
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

/** Stands in for an escaped backslash while the other escapes are undone, so `\\n` (escaped twice) becomes `\n`. */
const backslash = '\uE000';

/** Undoes what log pipelines do to a message: colours, JSON string escaping (possibly twice), HTML entities. */
export function normalize(text: string): string {
	let result = text.replace(/\r\n?/g, '\n');
	// Entities and JSON escapes can wrap each other (JSON inside &quot;, colour codes as \u001b): undo both, then strip
	// colours. One level of escaping per pass.
	for (let pass = 0; pass < 3 && /\\["ntr\\/u]|&(?:quot|#34|#39|lt|gt|amp);/.test(result); pass++) {
		result = result
			.replace(/&(?:quot|#34|#39|lt|gt|amp);/g, entity => htmlEntities[entity] ?? entity)
			.replace(/\\\\/g, backslash)
			.replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)))
			.replace(/\\[nr]/g, '\n')
			.replace(/\\t/g, '\t')
			.replace(/\\"/g, '"')
			.replace(/\\\//g, '/')
			.replaceAll(backslash, '\\');
	}

	return stripVTControlCharacters(result);
}

/**
Joins lines a terminal or a log viewer wrapped: the line break and the indentation (and a `|` gutter) go, replaced
by `joint` (a space when the wrap fell between words, nothing when it cut a word).
*/
function unwrap(text: string, joint: string): string {
	return text.replace(/[ \t]*\n[ \t]*(?:\|[ \t]?)?/g, joint);
}

/**
The line around a match, redacted, at most 300 characters and showing the match. Redaction runs before any cut,
on whole words, so a cut can never leave a signature that no longer looks like a token.
*/
function lineAround(text: string, index: number, length: number): string {
	const lineStart = text.lastIndexOf('\n', index) + 1;
	const lineEnd = text.indexOf('\n', index + length);
	const end = lineEnd === -1 ? text.length : lineEnd;
	let from = Math.max(lineStart, index - 2000);
	let to = Math.min(end, index + length + 2000);
	if (from > lineStart) from = nextSpace(text, from, index);
	if (to < end) to = Math.max(index + length, text.lastIndexOf(' ', to));
	const line = redactSecrets(text.slice(from, to)).trim();
	if (line.length <= 300) return line;
	const at = Math.max(0, line.indexOf(text.slice(index, index + Math.min(length, 40))));
	const start = Math.max(0, Math.min(at - 100, line.length - 297));
	return `${start > 0 ? '...' : ''}${line.slice(start, start + 297)}...`;
}

function nextSpace(text: string, from: number, limit: number): number {
	const space = text.indexOf(' ', from);
	return space === -1 || space > limit ? limit : space + 1;
}
