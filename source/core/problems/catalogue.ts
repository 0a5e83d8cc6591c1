/*
The catalogue of problems the doctor knows. Every check, every explained error and every fix refers to one of
these ids; the words live here and nowhere else. `fix.role` is what a Vault operator changes, `fix.token` what
changes on the workload's side (platform, CI config, the command that gets the token). Walkthroughs that name
every platform take each platform's words from its table (platforms/).
*/

import {noTokenCauses, noTokenSteps, walkthroughPhrases} from '../platforms/advice.js';

export type Problem = {
	title: string;
	cause: string;
	fix: {role?: string[]; token?: string[]};
	docs?: string;
};

const jwtDocs = 'https://developer.hashicorp.com/vault/docs/auth/jwt';
const jwtApiDocs = 'https://developer.hashicorp.com/vault/api-docs/auth/jwt';

export const problems = {
	'token-malformed': {
		title: 'The token is not a signed JWT',
		cause:
			'Vault expects a compact JWS: three base64url parts separated by dots. The value sent was cut short, quoted, wrapped in white space, encrypted (JWE, five parts), or is not a JWT at all (for example a Vault token).',
		fix: {
			token: [
				'Pass the raw token with no quotes or new lines: jwt="$(ona idp token --audience vault.hashicorp.com)".',
				'Check that the variable holding the token is not empty or truncated by the CI log masker.',
			],
		},
		docs: `${jwtDocs}#jwt-authentication`,
	},
	'token-expired': {
		title: 'The token has expired',
		cause:
			"The token's exp (plus clock_skew_leeway, 60 s by default) is before Vault's clock. Tokens are short-lived (GitHub 5 min, CircleCI and Ona 1 h): a token fetched early and reused later, or a Vault clock running ahead, ends here. expiration_leeway does not extend a token that carries exp.",
		fix: {
			token: ['Fetch a fresh token right before the login, not at the start of the job.'],
			role: [
				"If Vault's clock is ahead of the issuer's, fix NTP on the Vault servers; as a stopgap raise clock_skew_leeway on the role (e.g. clock_skew_leeway=120).",
			],
		},
		docs: `${jwtApiDocs}#clock_skew_leeway`,
	},
	'token-not-yet-valid': {
		title: 'The token is not valid yet',
		cause:
			"The token's nbf (or iat, when there is no nbf) is later than Vault's clock plus clock_skew_leeway (60 s by default). Usually Vault's clock is behind the issuer's; a token with only a distant exp is also rejected this way, because Vault derives nbf as exp − not_before_leeway.",
		fix: {
			role: [
				'Fix the clock on the Vault servers (NTP); as a stopgap raise clock_skew_leeway on the role (e.g. clock_skew_leeway=120).',
				'For tokens with only exp, raise not_before_leeway to at least the token lifetime.',
			],
			token: ['Retry: a token minted a second too early passes a moment later.'],
		},
		docs: `${jwtApiDocs}#clock_skew_leeway`,
	},
	'token-no-time-claims': {
		title: 'The token has no time claims',
		cause:
			'The token carries none of iat, nbf and exp (or they are all 0), and Vault refuses tokens that never expire.',
		fix: {token: ['Have the issuer put exp and iat in the token; every CI issuer does by default.']},
	},
	'token-claim-type': {
		title: 'A registered claim has the wrong JSON type',
		cause:
			'aud must be a string or a list of strings, and exp, nbf and iat must be numbers. Vault fails while decoding the token before it compares anything.',
		fix: {
			token: [
				'Fix the issuer (or the custom-claims template) so that aud is a string or list and times are numbers.',
			],
		},
	},
	'discovery-unreachable': {
		title: "Vault cannot reach the issuer's discovery document",
		cause:
			"Vault fetches <oidc_discovery_url>/.well-known/openid-configuration when it builds its validator. A firewall, proxy, DNS failure or wrong URL on Vault's side stops every login on the mount. What the doctor can reach from here says nothing about what Vault can reach.",
		fix: {
			role: [
				'From a Vault server run: curl -sS <oidc_discovery_url>/.well-known/openid-configuration',
				'Open egress from Vault to the issuer, or configure jwks_url / jwt_validation_pubkeys instead.',
			],
		},
		docs: `${jwtApiDocs}#oidc_discovery_url`,
	},
	'discovery-tls': {
		title: 'TLS to the issuer fails',
		cause:
			"The issuer's certificate is not trusted (private CA, TLS-inspecting proxy) or does not match its host name.",
		fix: {
			role: [
				'Give Vault the CA: vault write auth/<mount>/config oidc_discovery_ca_pem=@ca.pem (or jwks_ca_pem for jwks_url).',
			],
			token: ['When the doctor itself fails here, pass --ca-file or set NODE_EXTRA_CA_CERTS.'],
		},
		docs: `${jwtApiDocs}#oidc_discovery_ca_pem`,
	},
	'discovery-issuer-mismatch': {
		title: 'The discovery document names a different issuer',
		cause:
			'The issuer field in the discovery document must equal oidc_discovery_url byte for byte. A trailing slash (https://gitlab.com/ vs https://gitlab.com) or a different host makes Vault refuse to build its validator.',
		fix: {role: ['Set oidc_discovery_url to exactly the issuer the discovery document returns.']},
		docs: `${jwtApiDocs}#oidc_discovery_url`,
	},
	'issuer-mismatch': {
		title: "The token's issuer is not the mount's bound_issuer",
		cause:
			"bound_issuer on the mount's config must equal the token's iss exactly (scheme, host, path, trailing slash). CircleCI issuers are per organization; GitHub Enterprise issuers carry a slug.",
		fix: {
			role: [
				"Set bound_issuer to the token's iss, or clear it (the signature already ties the token to the issuer).",
			],
			token: ['Use the token from the organization or issuer this mount is configured for.'],
		},
		docs: `${jwtApiDocs}#bound_issuer`,
	},
	'jwks-unavailable': {
		title: "The issuer's keys cannot be fetched",
		cause:
			'Vault (or the doctor) could not download the JWKS: the URL is wrong, the endpoint failed, or the answer is not a key set.',
		fix: {
			role: [
				'From a Vault server run: curl -sS <jwks_url>',
				'Point jwks_url (or oidc_discovery_url) at the issuer that signs these tokens.',
			],
		},
		docs: `${jwtApiDocs}#jwks_url`,
	},
	'signature-invalid': {
		title: 'The signature does not verify',
		cause:
			"No key Vault knows verifies the token: it was signed by another issuer or organization, the issuer rotated its key and Vault holds an old one, the token's kid is not in the JWKS, or the token was altered.",
		fix: {
			role: [
				"Check that the mount trusts the issuer in the token's iss (oidc_discovery_url / jwks_url / jwt_validation_pubkeys).",
				'After a key rotation, re-write the config so Vault reloads the keys.',
			],
			token: ['Use a token minted by the issuer this mount trusts.'],
		},
	},
	'algorithm-not-allowed': {
		title: "The token's algorithm is not allowed",
		cause:
			"The token's alg header is not in the mount's jwt_supported_algs (empty means the ten asymmetric algorithms). Symmetric HS256 and alg none are never accepted.",
		fix: {
			role: [
				"Add the token's alg to jwt_supported_algs on the config, or have the issuer sign with an allowed one.",
			],
		},
		docs: `${jwtApiDocs}#jwt_supported_algs`,
	},
	'config-missing': {
		title: 'The auth mount is not configured',
		cause: 'auth/<mount>/config was never written, so Vault has no issuer or keys to check tokens against.',
		fix: {role: ['vault write auth/<mount>/config oidc_discovery_url="<issuer>" (and bound_issuer).']},
		docs: `${jwtApiDocs}#configure`,
	},
	'config-invalid': {
		title: 'The auth config is invalid',
		cause:
			'Vault refused the write to auth/<mount>/config, or cannot build a validator from it at login: exactly one key source (oidc_discovery_url, jwks_url, jwt_validation_pubkeys, jwks_pairs) must be set, oidc_client_id and oidc_client_secret go together, PEM keys and CA certificates must parse, and response types must be valid. A refused write leaves the old config in force.',
		fix: {
			role: [
				'Write the config again with one key source and valid PEM text: vault write auth/<mount>/config oidc_discovery_url="<issuer>" bound_issuer="<issuer>".',
			],
		},
		docs: `${jwtApiDocs}#configure`,
	},
	'config-unsupported': {
		title: 'The mount is set up for the browser OIDC flow, not JWT login',
		cause:
			'The config has oidc_client_id and oidc_client_secret. Vault cannot do JWT login on such a mount (OpenBao can from 2.5.0).',
		fix: {
			role: [
				'Enable a separate JWT mount for workloads: vault auth enable -path=jwt-ci jwt, and configure it without client credentials.',
			],
		},
		docs: `${jwtDocs}#jwt-authentication`,
	},
	'role-missing': {
		title: 'No role was named',
		cause: 'The login sent no role and the mount has no default_role.',
		fix: {
			token: ['Pass role=<name> (ona idp login vault --role <name>, or set IDP_VAULT_ROLE / VAULT_ROLE).'],
			role: [
				'Or set a default: vault write auth/<mount>/config default_role=<name> (with the rest of the config).',
			],
		},
	},
	'role-not-found': {
		title: 'The role does not exist',
		cause:
			'No role of that name exists on this mount (in this namespace). Vault lowercases role names, so MyRole is looked up as myrole.',
		fix: {
			token: ['List the roles: vault list auth/<mount>/role, and use one of them.'],
			role: ['Or create the role.'],
		},
	},
	'role-invalid': {
		title: 'Vault refused the role',
		cause:
			'The write to auth/<mount>/role/<name> was rejected: a jwt role needs user_claim and at least one of bound_audiences, bound_subject, bound_claims or token_bound_cidrs; role_type and bound_claims_type must be known values; glob bound values must be strings; ttl may not exceed max_ttl; claim_mappings may not target reserved or duplicate metadata keys.',
		fix: {
			role: [
				'Write the whole role again: vault write auth/<mount>/role/<name> role_type=jwt user_claim=sub bound_audiences=<aud> bound_claims=@claims.json token_policies=<policy>.',
			],
		},
		docs: `${jwtApiDocs}#create-update-role`,
	},
	'role-type-oidc': {
		title: 'The role is an OIDC (browser) role',
		cause:
			'role_type is "oidc", the default when a role is created or updated without role_type=jwt. Updating a role without sending role_type resets it to oidc.',
		fix: {role: ['Re-write the role with role_type="jwt" (send it on every update).']},
		docs: `${jwtApiDocs}#role_type`,
	},
	'mount-not-found': {
		title: 'The auth mount does not exist (here)',
		cause:
			'Vault answers 403 "permission denied" (or "no handler for route") for a login to a path where no auth method is mounted: a wrong mount name, or the mount lives in another namespace. Login needs no policy.',
		fix: {
			token: [
				'Check the mount path (vault auth list) and pass it: -path=<mount> / --mount <mount>.',
				'Set VAULT_NAMESPACE (or -namespace) to the namespace the mount is in.',
			],
		},
	},
	'namespace-wrong': {
		title: 'The request goes to the wrong namespace',
		cause:
			'Vault Enterprise / HCP Vault mounts live in namespaces (HCP: admin). Without the right X-Vault-Namespace the mount or secret is not found.',
		fix: {
			token: ['export VAULT_NAMESPACE=admin (or the namespace of the mount), or use -namespace on the CLI.'],
		},
	},
	'cidr-denied': {
		title: "The caller's address is outside token_bound_cidrs",
		cause:
			"The role's token_bound_cidrs (or legacy bound_cidrs) does not contain the address Vault sees for the caller (often a NAT or proxy address). Vault answers 403 before it even reads the token.",
		fix: {role: ["Add the caller's egress address range to token_bound_cidrs, or remove the binding."]},
		docs: `${jwtApiDocs}#token_bound_cidrs`,
	},
	'audience-mismatch': {
		title: "The token's audience is not bound to the role",
		cause: "None of the token's aud values equals any of the role's bound_audiences (exact, case-sensitive).",
		fix: {
			role: ["Add the token's audience to bound_audiences."],
			token: [
				`Request the token with the role's audience: ${walkthroughPhrases('audienceRequest').join(', ')}.`,
			],
		},
		docs: `${jwtApiDocs}#bound_audiences`,
	},
	'audience-unbound': {
		title: 'The token has an audience but the role binds none',
		cause:
			'A role without bound_audiences rejects any token that carries aud (Vault 1.17+, and 1.16.3 / 1.15.9; OpenBao always). Guides written for older Vault omit bound_audiences.',
		fix: {role: ["Set bound_audiences to the token's audience."]},
		docs: `${jwtApiDocs}#bound_audiences`,
	},
	'subject-mismatch': {
		title: "The token's subject is not the role's bound_subject",
		cause:
			'bound_subject must equal sub exactly. sub formats differ between CircleCI v1 and v2 tokens, GitHub environments and refs, and Ona V2 and V3 tokens; a stale bound_subject survives role updates that do not send it.',
		fix: {
			role: [
				'Set bound_subject to the token\'s sub, or clear it (bound_subject="") and bind claims instead.',
			],
		},
		docs: `${jwtApiDocs}#bound_subject`,
	},
	'bound-claim-mismatch': {
		title: "A claim does not match the role's bound_claims",
		cause:
			'The token has the claim, but no value matches. Vault compares type and value exactly ("true" is not true, "123" is not 123), treats * literally unless bound_claims_type=glob, and never matches numbers inside lists.',
		fix: {
			role: [
				"Set the bound value to the token's value (same JSON type), or use bound_claims_type=glob for patterns.",
			],
			token: ['Or run the job from the project, branch or context the role expects.'],
		},
		docs: `${jwtApiDocs}#bound_claims`,
	},
	'bound-claim-missing': {
		title: 'A bound claim is missing from the token',
		cause:
			'The token has no such claim (or it is null). Nested claims need a JSON pointer key starting with / ("/gsub/principal"); keys like oidc.circleci.com/project-id are literal and must not start with /. Ona V2 tokens lack the V3 flat claims; CircleCI jobs without a context have no context-ids.',
		fix: {
			role: ['Bind a claim the token has, or fix the key (pointer vs literal).'],
			token: [
				'Or switch the issuer to the token version that carries the claim (Ona V3), or add the context to the job.',
			],
		},
		docs: `${jwtApiDocs}#bound_claims`,
	},
	'bound-claim-type': {
		title: 'A bound claim has a type Vault cannot compare',
		cause:
			'Vault compares strings, booleans, integers and lists. An object claim (needs a JSON pointer to a leaf), an object bound value, or a non-string value under bound_claims_type=glob fails the login outright.',
		fix: {role: ['Bind a scalar leaf of the claim (use a /json/pointer key) and, under glob, only strings.']},
		docs: `${jwtApiDocs}#bound_claims`,
	},
	'user-claim-missing': {
		title: 'The user_claim is missing from the token',
		cause:
			"The role's user_claim names a claim the token does not carry (Ona environment tokens have creator_email, not email). A nested path needs user_claim_json_pointer=true.",
		fix: {role: ['Set user_claim to a string claim every token has (sub is always there).']},
		docs: `${jwtApiDocs}#user_claim`,
	},
	'user-claim-type': {
		title: 'The user_claim is not a string',
		cause: 'user_claim must name a string claim; a number, boolean or list (CircleCI context-ids) fails.',
		fix: {role: ['Set user_claim to a string claim such as sub.']},
		docs: `${jwtApiDocs}#user_claim`,
	},
	'user-claim-empty': {
		title: 'The user_claim value is empty',
		cause:
			'The token carries the role\'s user_claim as an empty string. Every claim check passes, then Vault core refuses to create an identity alias without a name and answers HTTP 500 "missing name in alias".',
		fix: {
			role: ['Set user_claim to a claim that is never empty (sub is always set).'],
			token: ['Or have the issuer fill that claim (e.g. an account without an email address).'],
		},
		docs: `${jwtApiDocs}#user_claim`,
	},
	'groups-claim-missing': {
		title: 'The groups_claim is missing from the token',
		cause: 'groups_claim is set on the role but the token has no such claim: every login on the role fails.',
		fix: {role: ['Clear groups_claim (groups_claim="") or point it at a claim the token has.']},
		docs: `${jwtApiDocs}#groups_claim`,
	},
	'groups-claim-type': {
		title: 'The groups_claim is not a list of strings',
		cause: 'groups_claim must name a string or a list of strings.',
		fix: {role: ['Point groups_claim at a list of strings, or clear it.']},
		docs: `${jwtApiDocs}#groups_claim`,
	},
	'claim-mapping-type': {
		title: 'A claim_mappings source is not a string',
		cause:
			'Every claim named in claim_mappings that is present must be a string; a number, boolean, list or object fails the login.',
		fix: {role: ['Remove that entry from claim_mappings or map a string claim instead.']},
		docs: `${jwtApiDocs}#claim_mappings`,
	},
	'provider-config': {
		title: 'The provider-specific config fails',
		cause:
			'provider_config (Azure, Google Workspace, Okta...) fetches groups or user data during login; that fetch or its config failed. The doctor cannot reproduce it offline.',
		fix: {role: ["Check provider_config on the mount and the provider credentials in Vault's logs."]},
	},
	'permission-denied': {
		title: "The Vault token's policies do not allow this path",
		cause:
			'Login worked, but the policies attached by the role (token_policies) do not grant the capability on the path that was used. Login itself needs no policy.',
		fix: {
			role: [
				"Check the role's token_policies and the policy text: vault policy read <policy>.",
				'Grant the path: path "secret/data/my-app/*" { capabilities = ["read"] }.',
			],
		},
		docs: 'https://developer.hashicorp.com/vault/docs/concepts/policies',
	},
	'kv2-path': {
		title: 'KV v2 paths need data/ in policies and API calls',
		cause:
			'On a KV version 2 mount the API path is <mount>/data/<path> (and metadata/ for list). vault kv get adds it; policies and raw API calls must write it.',
		fix: {
			role: [
				'Write the policy for secret/data/<path> (and secret/metadata/<path> for list), not secret/<path>.',
			],
		},
		docs: 'https://developer.hashicorp.com/vault/docs/secrets/kv/kv-v2',
	},
	'vault-token-invalid': {
		title: 'The Vault token is invalid or expired',
		cause:
			'The Vault token used for the request was revoked, has expired, or belongs to another namespace or cluster.',
		fix: {
			token: [
				'Log in again; check VAULT_TOKEN and ~/.vault-token, and the token TTL (token_ttl on the role).',
			],
		},
	},
	'vault-token-foreign': {
		title: 'The request carried a token this Vault never issued',
		cause:
			"Vault looks up the X-Vault-Token header (VAULT_TOKEN, ~/.vault-token, a client's token setting) even on login paths, and this value is not one of its tokens: a token from another cluster, a Vault Enterprise namespaced token (hvs.<...>.<nsid>) sent to Vault CE or OpenBao, or the workload's JWT passed where a Vault token belongs. The lookup fails at its first step, the namespace, hence the wording.",
		fix: {
			token: [
				"For the login, unset VAULT_TOKEN and remove ~/.vault-token (or the client's token setting); send the JWT only in the login body (jwt=...), never as X-Vault-Token.",
				'Afterwards use the token the login returned, against the same VAULT_ADDR.',
			],
		},
	},
	'vault-internal': {
		title: 'Vault answered 500 and keeps the reason in its log',
		cause:
			'A 500 with "internal error" (or a bare "1 error occurred") means Vault failed while handling the request and told the client nothing more. With JWT login the reason is often on the client side all the same: a stray client token the token store cannot read, or an empty user claim. The server log has the line.',
		fix: {
			role: [
				"Read Vault's server log at the time of the request (journalctl -u vault, kubectl logs) and the audit log for that path.",
			],
			token: ['Run ona-vault-doctor in the failing job: it checks what the 500 hides.'],
		},
	},
	'cel-denied': {
		title: 'An OpenBao CEL role refused the token',
		cause:
			"On OpenBao's auth/<mount>/cel/login the role's CEL program decides after the signature and time checks; it returned false or a message, returned a non-boolean, or failed to run.",
		fix: {
			role: [
				'Read the program (bao read auth/<mount>/cel/role/<name>) and evaluate it against the token claims (ona-vault-doctor decode).',
			],
		},
	},
	'platform-no-token': {
		title: 'The platform did not provide a token',
		cause: `The login sent an empty token. ${noTokenCauses().join('; ')}.`,
		fix: {token: [`${noTokenSteps().join('; ')}.`]},
	},
	'vault-sealed': {
		title: 'Vault is sealed',
		cause: 'A sealed Vault answers 503 to every request until it is unsealed.',
		fix: {role: ['Unseal Vault (vault operator unseal) or wait for auto-unseal; check vault status.']},
	},
	'rate-limited': {
		title: 'A rate-limit quota rejected the request',
		cause: 'A Vault rate-limit quota on this path or namespace was exceeded (HTTP 429).',
		fix: {token: ['Retry with backoff.'], role: ['Review sys/quotas/rate-limit for the login path.']},
	},
	'role-no-audience': {
		title: 'The role binds no audience',
		cause:
			'Without bound_audiences the role accepts tokens minted for any audience (an AWS or npm token from the same issuer), and Vault 1.17+ rejects every token that carries aud.',
		fix: {role: ['Set bound_audiences to the audience your workloads request for Vault.']},
		docs: `${jwtApiDocs}#bound_audiences`,
	},
	'role-too-broad': {
		title: 'The role trusts more workloads than it should',
		cause:
			'The role is bound only to the organization (or to nothing specific): every project, branch or environment of the organization, and for shared issuers every customer of the platform, can log in and read its secrets.',
		fix: {
			role: [`Bind the project too (${walkthroughPhrases('projectClaims').join(', ')}).`],
		},
		docs: `${jwtApiDocs}#bound_claims`,
	},
	'role-wildcard': {
		title: 'A glob matches everything',
		cause:
			'A bound_claims value of * (or a pattern made only of *) under bound_claims_type=glob accepts any value of that claim.',
		fix: {role: ['Replace the pattern with the exact values, or a narrower pattern.']},
		docs: `${jwtApiDocs}#bound_claims_type`,
	},
	'role-long-ttl': {
		title: 'Tokens from this role live long',
		cause:
			'A CI job or dev environment needs a Vault token for minutes, not days; a long token_ttl or token_max_ttl (0 means the mount default, 32 days unless changed) widens the damage of a leaked token.',
		fix: {role: ['Set token_ttl to the job length (e.g. 15m) and token_max_ttl to a few hours.']},
		docs: `${jwtApiDocs}#token_ttl`,
	},
	'role-fork-exposed': {
		title: 'Forked builds could use this role',
		cause:
			'A CircleCI role without oidc.circleci.com/vcs-origin accepts tokens of builds from forks, if the project ever allows forked pull requests to get secrets.',
		fix: {role: ['Bind oidc.circleci.com/vcs-origin to the repository (e.g. github.com/org/repo).']},
		docs: `${jwtApiDocs}#bound_claims`,
	},
	'vault-unreachable': {
		title: 'Vault cannot be reached',
		cause:
			'The connection to VAULT_ADDR failed: wrong address or port, DNS, firewall, proxy, or Vault is down.',
		fix: {
			token: [
				'Check VAULT_ADDR (scheme and port, e.g. https://vault.example.com:8200) and run vault status.',
			],
		},
	},
	'vault-timeout': {
		title: 'Vault did not answer in time',
		cause:
			'The request reached Vault (or a proxy in front of it) but no complete answer came back before --timeout: Vault is overloaded, a plugin or the issuer it calls is slow, or a proxy holds the connection.',
		fix: {
			token: [
				"Raise --timeout; check Vault's server logs and the issuer's latency (Vault fetches JWKS during login).",
			],
		},
	},
	'token-not-revoked': {
		title: "The test login's token could not be revoked",
		cause:
			'The doctor revokes the Vault token its test login obtained; the revocation failed (network, Vault answered an error), so the token lives until its TTL.',
		fix: {token: ["Revoke it by accessor: vault token revoke -accessor '<accessor>'."]},
	},
	'vault-address': {
		title: 'VAULT_ADDR is not the address Vault answers on',
		cause:
			"Vault redirected the doctor's requests elsewhere (a standby node sending to the active node is normal; otherwise VAULT_ADDR is not the final address), or the address carries user:password@ credentials, which Vault does not use.",
		fix: {
			token: [
				'Set VAULT_ADDR to the address the redirect leads to (or the cluster address), without credentials; https only.',
			],
		},
	},
	'vault-tls': {
		title: 'TLS to Vault fails',
		cause: "Vault's certificate is not trusted by the client or does not match the host name in VAULT_ADDR.",
		fix: {
			token: [
				"Set VAULT_CACERT to the CA that signed Vault's certificate; use the host name on the certificate.",
			],
		},
	},
	unknown: {
		title: 'Not recognised',
		cause: 'The text does not contain a Vault error the doctor knows.',
		fix: {token: ['Run ona-vault-doctor in the failing environment for a full diagnosis.']},
	},
} as const satisfies Record<string, Problem>;

export type ProblemId = keyof typeof problems;

export const problemIds = Object.keys(problems) as ProblemId[];

export function problem(id: ProblemId): Problem & {id: ProblemId} {
	return {id, ...problems[id]};
}
