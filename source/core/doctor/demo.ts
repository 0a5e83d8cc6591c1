/*
Built-in scenarios for `ona-vault-doctor demo`: a realistic token and the role and config it meets, each showing
problems people hit with the Ona and CircleCI guides. The token is signed at run time with a throw-away key, so
the signature check is real and no key is stored anywhere.
*/
import {exportJWK, generateKeyPair, SignJWT} from 'jose';
import {lintRole} from '../admin/role-lint.js';
import {type JwtConfig, parseConfig} from '../login/config.js';
import {type JwtRole, parseRole} from '../login/role.js';
import {type ParsedLoginInput, simulateParsedLogin} from '../login/simulate-login.js';
import {inspectToken} from '../login/token.js';
import {detectPlatform} from '../platforms/detect.js';
import {defaultHttpSettings} from '../probes/http.js';
import type {DoctorContext} from './context.js';
import {buildReport, type DoctorReport} from './diagnose.js';

export type DemoScenario = {
	name: string;
	title: string;
	mount: string;
	roleName: string;
	claims: Record<string, unknown>;
	role: Record<string, unknown>;
	config: Record<string, unknown>;
};

const organizationId = '0193b6c2-5c8e-7a3c-9f4e-2d1a7b6c9e01';
const projectId = '0193b6c3-1a2b-7c4d-8e9f-0a1b2c3d4e5f';
const environmentId = '0193b6c4-7f8e-7d6c-9b5a-4e3d2c1b0a99';
const circleOrganization = '8d2f4c1a-6b3e-4f5d-9a7c-1e2b3c4d5e6f';
const circleProject = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
const circleContext = 'c0ffee00-1234-4abc-9def-0123456789ab';

export const demoScenarios: DemoScenario[] = [
	{
		name: 'ona',
		title: 'Ona environment logging in to the project-scoped role of the Ona guide',
		mount: 'jwt',
		roleName: 'ona-project',
		claims: {
			iss: 'https://app.gitpod.io',
			sub: `organization_id:${organizationId}:project_id:${projectId}`,
			aud: ['sts.amazonaws.com'],
			organization_id: organizationId,
			project_id: projectId,
			environment_id: environmentId,
			runner_id: '0193b6c5-aaaa-7bbb-8ccc-dddddddddddd',
			creator_principal: 'user',
			creator_id: '0193b6c6-eeee-7fff-8000-111111111111',
			creator_email: 'dev@example.com',
		},
		role: {
			role_type: 'jwt',
			bound_audiences: ['vault.hashicorp.com'],
			bound_claims_type: 'string',
			bound_claims: {organization_id: organizationId, project_id: '0193b6c3-ffff-7c4d-8e9f-000000000000'},
			user_claim: 'email',
			user_claim_json_pointer: false,
			token_policies: ['ona-read'],
			token_ttl: 3600,
			token_max_ttl: 14_400,
			expiration_leeway: 0,
			not_before_leeway: 0,
			clock_skew_leeway: 0,
		},
		config: {oidc_discovery_url: 'https://app.gitpod.io', default_role: 'ona-environment', bound_issuer: ''},
	},
	{
		name: 'circleci',
		title: 'CircleCI job logging in to the production deploy role of the HashiCorp guide',
		mount: 'jwt',
		roleName: 'circleci-production-deploy',
		claims: {
			iss: `https://oidc.circleci.com/org/${circleOrganization}`,
			sub: `org/${circleOrganization}/project/${circleProject}/user/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`,
			aud: circleOrganization,
			'oidc.circleci.com/project-id': circleProject,
			'oidc.circleci.com/vcs-origin': 'github.com/example-org/payments',
			'oidc.circleci.com/vcs-ref': 'refs/heads/main',
			'oidc.circleci.com/ssh-rerun': false,
		},
		role: {
			role_type: 'jwt',
			user_claim: 'sub',
			bound_audiences: [circleOrganization],
			bound_subject: `org/${circleOrganization}/project/${circleProject}/user/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b/vcs-origin/github.com/example-org/payments/vcs-ref/refs/heads/main`,
			bound_claims_type: 'string',
			bound_claims: {
				'oidc.circleci.com/project-id': circleProject,
				'oidc.circleci.com/context-ids': [circleContext],
				'oidc.circleci.com/vcs-ref': 'refs/heads/*',
			},
			token_policies: ['circleci-production-deploy-policy'],
			ttl: 900,
			expiration_leeway: 0,
			not_before_leeway: 0,
			clock_skew_leeway: 0,
		},
		config: {
			oidc_discovery_url: `https://oidc.circleci.com/org/${circleOrganization}`,
			bound_issuer: `https://oidc.circleci.com/org/${circleOrganization}`,
		},
	},
];

/**
Signs the scenario's claims with a fresh key and gives the login input as if the issuer had answered: its
discovery document names the configured issuer and its JWKS holds the key.
*/
export async function demoLoginInput(
	scenario: DemoScenario,
	now = Date.now() / 1000,
): Promise<ParsedLoginInput & {role: JwtRole; config: JwtConfig}> {
	const {publicKey, privateKey} = await generateKeyPair('ES256', {extractable: true});
	const issuedAt = Math.floor(now) - 120;
	const token = await new SignJWT(scenario.claims)
		.setProtectedHeader({alg: 'ES256', typ: 'JWT', kid: 'demo-key'})
		.setIssuedAt(issuedAt)
		.setNotBefore(issuedAt)
		.setExpirationTime(issuedAt + 3600)
		.sign(privateKey);
	const config = parseConfig(scenario.config);
	return {
		token,
		role: parseRole(scenario.role),
		config,
		roleName: scenario.roleName,
		now,
		issuer: {
			discoveryIssuer: config.oidcDiscoveryUrl,
			jwks: {keys: [{...(await exportJWK(publicKey)), kid: 'demo-key', alg: 'ES256', use: 'sig'}]},
		},
	};
}

/** The demo as a full doctor report: the same model, fixes and outputs as a real run. */
export async function demoReport(scenario: DemoScenario, now = Date.now() / 1000): Promise<DoctorReport> {
	const input = await demoLoginInput(scenario, now);
	const model = await simulateParsedLogin(input);
	const inspection = inspectToken(String(input.token));
	if (!inspection.ok) throw new Error('the demo token does not decode');
	const context: DoctorContext = {
		options: {
			source: 'file',
			secretPaths: [],
			offline: false,
			noLogin: true,
			timeoutMs: 5000,
			caFiles: [],
			env: {},
			readStdin: async () => '',
			now: () => now,
		},
		http: defaultHttpSettings,
		connection: {
			addr: 'built-in sample (no Vault, no network)',
			http: defaultHttpSettings,
			warnings: [],
			redirects: [],
		},
		token: {token: '', source: 'file', description: 'the built-in sample'},
		decoded: {
			compact: inspection.compact,
			header: inspection.header,
			claims: inspection.claims,
			platform: detectPlatform(inspection.claims),
		},
		mount: {path: scenario.mount, reason: 'sample'},
		roleName: scenario.roleName,
		roleNameReason: 'sample',
		role: input.role,
		config: input.config,
		model,
		revoked: [],
	};
	return buildReport(context, [
		{
			id: 'role.lint',
			title: 'Check the role is safe',
			group: 'Vault',
			checks: lintRole(input.role, {mount: scenario.mount, roleName: scenario.roleName}),
			ms: 0,
		},
		{id: 'login.model', title: "Evaluate Vault's login checks", group: 'Login', checks: model.checks, ms: 0},
	]);
}
