/*
The scenarios that a server can produce, run against the Vault emulator and against the real JWT plugin: each
error the Ona and CircleCI guides document (as test/cli-guides.test.ts and test/diagnose.test.ts run them on the
emulator) and each problem id a login on a server can end in. Each scenario gets a fresh mount of its own.
*/
import type {DoctorOptions} from '../../source/core/doctor/context.js';
import type {StartIssuerOptions, TestIssuer} from '../fixtures/oidc-issuer.js';
import {nowSeconds, onaClaims, onaRole, organizationId} from '../helpers/world.js';

export const circleOrg = '8d2f4c1a-6b3e-4f5d-9a7c-1e2b3c4d5e6f';
export const circleProject = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
export const circleContext = 'c0ffee00-1234-4abc-9def-0123456789ab';

export type Issuers = {
	ona: TestIssuer;
	circle: TestIssuer;
	otherOrg: TestIssuer;
	/** otherOrg's public key, PEM. */
	otherPem: string;
};
export type ScenarioContext = Issuers & {
	/** The scenario's own issuer, when it asked for one (`ownIssuer`). */
	own: TestIssuer | undefined;
	/** The issuer whose tokens and config this scenario uses: `own`, else `ona` or `circle`. */
	issuer: TestIssuer;
};

export type Scenario = {
	/** Short stable name, the row of the README table. */
	name: string;
	source: 'Ona guide' | 'CircleCI guide' | 'problem id';
	/** The problem of the doctor's login.attempt check; null when the login is accepted. */
	problem: string | null;
	/** Another check that must carry a problem (id → problem), e.g. a secret read after a good login. */
	also?: [string, string];
	/**
	 * Why the doctor's model cannot predict this answer (it depends on what only the server sees: its network,
	 * the caller's address, its mounts). The model then predicts success, the doctor's login.agreement says
	 * they differ, and the problem comes from the real answer.
	 */
	serverSide?: string;
	/**
	 * The plugin checks bound_claims keys in Go map order, which is random: with two failing keys either message
	 * may come back. Both the prediction and the answer must be one of these.
	 */
	anyOf?: string[];
	/** Which of the shared issuers signs (default ona). */
	family?: 'ona' | 'circle';
	/** A fresh issuer of its own, for faults that must not touch the others. */
	ownIssuer?: StartIssuerOptions;
	/** Done after the config is written (Vault checks the issuer at config time) and before the login. */
	afterConfig?: (context: ScenarioContext) => void | Promise<void>;
	/** The mount's config; undefined leaves the mount without one. */
	config?: (context: ScenarioContext) => Record<string, unknown>;
	/** The role written as `role` (the default name given to the doctor). */
	role?: Record<string, unknown>;
	/** Other roles on the mount. */
	roles?: Record<string, Record<string, unknown>>;
	/** --role given to the doctor (default `role`). */
	roleName?: string;
	/** Do not create the mount (mount-not-found). */
	noMount?: boolean;
	token: (context: ScenarioContext) => Promise<string>;
	doctor?: Partial<DoctorOptions>;
};

export const circleRole = {
	role_type: 'jwt',
	user_claim: 'sub',
	bound_audiences: [circleOrg],
	bound_claims: {
		'oidc.circleci.com/project-id': circleProject,
		'oidc.circleci.com/context-ids': [circleContext],
		'oidc.circleci.com/vcs-ref': 'refs/heads/main',
	},
	token_policies: ['circleci-production-deploy-policy'],
	token_ttl: 900,
	token_max_ttl: 3600,
};

export function circleClaims(
	circle: TestIssuer,
	extra: Record<string, unknown> = {},
): Record<string, unknown> {
	const now = nowSeconds();
	return {
		iss: circle.issuer,
		sub: `org/${circleOrg}/project/${circleProject}/user/u-1/vcs-origin/github.com/example-org/payments/vcs-ref/refs/heads/main`,
		aud: circleOrg,
		iat: now,
		exp: now + 3600,
		'oidc.circleci.com/project-id': circleProject,
		'oidc.circleci.com/context-ids': [circleContext],
		'oidc.circleci.com/vcs-origin': 'github.com/example-org/payments',
		'oidc.circleci.com/vcs-ref': 'refs/heads/main',
		'oidc.circleci.com/ssh-rerun': false,
		...extra,
	};
}

const discovery = (context: ScenarioContext) => ({oidc_discovery_url: context.issuer.issuer});
const circleConfig = (context: ScenarioContext) => ({
	oidc_discovery_url: context.circle.issuer,
	bound_issuer: context.circle.issuer,
});
const ona =
	(extra: Record<string, unknown> = {}) =>
	(context: ScenarioContext) =>
		context.issuer.sign(onaClaims({issuer: context.issuer, vault: {url: ''}}, extra));
const circle =
	(extra: Record<string, unknown> = {}) =>
	(context: ScenarioContext) =>
		context.circle.sign(circleClaims(context.circle, extra));

export const scenarios: Scenario[] = [
	// Ona's Vault guide (test/cli-guides.test.ts, test/diagnose.test.ts)
	{
		name: 'healthy Ona login',
		source: 'Ona guide',
		problem: null,
		config: discovery,
		role: onaRole,
		token: ona(),
	},
	{
		name: '"invalid audience claim"',
		source: 'Ona guide',
		problem: 'audience-mismatch',
		config: discovery,
		role: onaRole,
		token: ona({aud: ['sts.amazonaws.com']}),
	},
	{
		name: '"claim organization_id does not match"',
		source: 'Ona guide',
		problem: 'bound-claim-mismatch',
		config: discovery,
		role: onaRole,
		token: ona({organization_id: 'another-org'}),
	},
	{
		name: '"error fetching keys from OIDC provider"',
		source: 'Ona guide',
		problem: 'discovery-unreachable',
		serverSide: "Vault's own network: the issuer went away after the config was written",
		ownIssuer: {},
		config: discovery,
		afterConfig: context => context.own?.close(),
		role: onaRole,
		token: ona(),
	},
	{
		name: 'V2 (legacy) token against a V3 role',
		source: 'Ona guide',
		problem: 'bound-claim-missing',
		anyOf: [
			'error validating claims: claim "organization_id" is missing',
			'error validating claims: claim "project_id" is missing',
		],
		config: discovery,
		role: onaRole,
		token: context => {
			const {
				organization_id: _o,
				project_id: _p,
				environment_id: _e,
				...v2
			} = onaClaims(
				{issuer: context.issuer, vault: {url: ''}},
				{
					sub: `environment:${organizationId}:env-1`,
					org: organizationId,
					gsub: {principal: 'environment', id: 'env-1'},
				},
			);
			return context.issuer.sign(v2);
		},
	},
	{
		name: '"permission denied" reading a secret',
		source: 'Ona guide',
		problem: null,
		also: ['access.secret/secret/shared/db', 'permission-denied'],
		config: discovery,
		role: onaRole,
		token: ona(),
		doctor: {secretPaths: ['secret/shared/db']},
	},
	{
		name: 'KV v2 path without data/ in the policy',
		source: 'Ona guide',
		problem: null,
		also: ['access.secret/secret/my-app/db', 'kv2-path'],
		config: discovery,
		role: {...onaRole, token_policies: ['legacy-read']},
		token: ona(),
		doctor: {secretPaths: ['secret/my-app/db']},
	},
	// HashiCorp's CircleCI guide
	{
		name: 'healthy CircleCI deploy (v2 token)',
		source: 'CircleCI guide',
		problem: null,
		family: 'circle',
		config: circleConfig,
		role: circleRole,
		token: circle(),
	},
	{
		name: 'mount for another CircleCI org',
		source: 'CircleCI guide',
		problem: 'signature-invalid',
		family: 'circle',
		config: context => ({oidc_discovery_url: context.otherOrg.issuer, bound_issuer: context.otherOrg.issuer}),
		role: circleRole,
		token: circle(),
	},
	{
		name: 'job without the context (no context-ids)',
		source: 'CircleCI guide',
		problem: 'bound-claim-missing',
		family: 'circle',
		config: circleConfig,
		role: circleRole,
		token: circle({'oidc.circleci.com/context-ids': undefined}),
	},
	{
		name: 'context-ids list, any bound context matches',
		source: 'CircleCI guide',
		problem: null,
		family: 'circle',
		config: circleConfig,
		role: circleRole,
		token: circle({'oidc.circleci.com/context-ids': ['aaaa', circleContext]}),
	},
	{
		name: 'clock skew: token not yet valid',
		source: 'CircleCI guide',
		problem: 'token-not-yet-valid',
		family: 'circle',
		config: circleConfig,
		role: circleRole,
		token: context => circle({iat: nowSeconds() + 300})(context),
	},
	{
		name: 'organization-wide role (risks, login works)',
		source: 'CircleCI guide',
		problem: null,
		family: 'circle',
		config: circleConfig,
		role: {...circleRole, bound_claims: {}, bound_subject: ''},
		token: circle(),
	},
	// Each problem id a login on a server can end in
	{
		name: 'token expired',
		source: 'problem id',
		problem: 'token-expired',
		config: discovery,
		role: onaRole,
		token: context =>
			ona({iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200, exp: nowSeconds() - 3600})(context),
	},
	{
		name: 'token without time claims',
		source: 'problem id',
		problem: 'token-no-time-claims',
		config: discovery,
		role: onaRole,
		token: ona({iat: undefined, nbf: undefined, exp: undefined}),
	},
	{
		name: 'exp sent as a string',
		source: 'problem id',
		problem: 'token-claim-type',
		config: discovery,
		role: onaRole,
		token: context => ona({exp: String(nowSeconds() + 3600)})(context),
	},
	{
		name: 'discovery names another issuer',
		source: 'problem id',
		problem: 'discovery-issuer-mismatch',
		ownIssuer: {},
		config: discovery,
		afterConfig: context => {
			context.own!.faults.issuerOverride = `${context.own!.issuer}/`;
		},
		role: onaRole,
		token: ona(),
	},
	{
		name: 'JWKS endpoint fails',
		source: 'problem id',
		problem: 'jwks-unavailable',
		serverSide: 'the JWKS answers 500 to Vault, after the config was written',
		ownIssuer: {},
		config: context => ({jwks_url: context.issuer.jwksUrl}),
		afterConfig: context => {
			context.own!.faults.jwksStatus = 500;
		},
		role: onaRole,
		token: ona(),
	},
	{
		name: 'static key of another issuer',
		source: 'problem id',
		problem: 'signature-invalid',
		config: context => ({jwt_validation_pubkeys: [context.otherPem]}),
		role: onaRole,
		token: ona(),
	},
	{
		name: 'algorithm not in jwt_supported_algs',
		source: 'problem id',
		problem: 'algorithm-not-allowed',
		config: context => ({oidc_discovery_url: context.issuer.issuer, jwt_supported_algs: ['ES256']}),
		role: onaRole,
		token: ona(),
	},
	{
		name: 'mount without config',
		source: 'problem id',
		problem: 'config-missing',
		role: onaRole,
		token: ona(),
	},
	{
		name: 'OIDC client credentials on the mount',
		source: 'problem id',
		problem: 'config-unsupported',
		config: context => ({
			oidc_discovery_url: context.issuer.issuer,
			oidc_client_id: 'vault',
			oidc_client_secret: 'not-a-real-secret',
		}),
		role: onaRole,
		token: ona(),
	},
	{
		name: 'role name misspelled',
		source: 'problem id',
		problem: 'role-not-found',
		config: discovery,
		role: onaRole,
		roleName: 'ona-projekt',
		token: ona(),
	},
	{
		name: 'role_type oidc',
		source: 'problem id',
		problem: 'role-type-oidc',
		config: discovery,
		role: {...onaRole, role_type: 'oidc', allowed_redirect_uris: ['http://localhost:8250/oidc/callback']},
		token: ona(),
	},
	{
		name: 'no such mount',
		source: 'problem id',
		problem: 'mount-not-found',
		serverSide: 'there is no mount, so no role or config to model (Vault core answers, emulated)',
		noMount: true,
		token: ona(),
	},
	{
		name: 'client outside token_bound_cidrs',
		source: 'problem id',
		problem: 'cidr-denied',
		serverSide: 'the caller address Vault sees (after proxies and NAT) cannot be known offline',
		config: discovery,
		role: {...onaRole, token_bound_cidrs: ['10.0.0.0/8']},
		token: ona(),
	},
	{
		name: 'aud list with no bound_audiences',
		source: 'problem id',
		problem: 'audience-unbound',
		config: discovery,
		role: {...onaRole, bound_audiences: []},
		token: ona(),
	},
	{
		name: 'bound_subject differs',
		source: 'problem id',
		problem: 'subject-mismatch',
		config: discovery,
		role: {...onaRole, bound_subject: 'organization_id:other'},
		token: ona(),
	},
	{
		name: 'issuer differs from bound_issuer',
		source: 'problem id',
		problem: 'issuer-mismatch',
		config: context => ({oidc_discovery_url: context.issuer.issuer, bound_issuer: 'https://app.gitpod.io'}),
		role: onaRole,
		token: ona(),
	},
	{
		name: 'bound claim on an object claim',
		source: 'problem id',
		problem: 'bound-claim-type',
		config: discovery,
		role: {...onaRole, bound_claims: {organization_id: organizationId, gsub: 'environment'}},
		token: ona({gsub: {principal: 'environment', id: 'env-1'}}),
	},
	{
		name: 'user_claim absent',
		source: 'problem id',
		problem: 'user-claim-missing',
		config: discovery,
		role: {...onaRole, user_claim: 'email'},
		token: ona(),
	},
	{
		name: 'user_claim is a number',
		source: 'problem id',
		problem: 'user-claim-type',
		config: discovery,
		role: {...onaRole, user_claim: 'iat'},
		token: ona(),
	},
	{
		name: 'claim_mappings of a number',
		source: 'problem id',
		problem: 'claim-mapping-type',
		config: discovery,
		role: {...onaRole, claim_mappings: {iat: 'issued_at'}},
		token: ona(),
	},
	{
		name: 'groups_claim absent',
		source: 'problem id',
		problem: 'groups-claim-missing',
		config: discovery,
		role: {...onaRole, groups_claim: 'groups'},
		token: ona(),
	},
	{
		name: 'groups_claim is an object',
		source: 'problem id',
		problem: 'groups-claim-type',
		config: discovery,
		role: {...onaRole, groups_claim: 'gsub'},
		token: ona({gsub: {principal: 'environment', id: 'env-1'}}),
	},
];
