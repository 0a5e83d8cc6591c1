import type {DoctorOptions} from '../../source/core/doctor/context.js';
import {type DoctorReport, diagnose} from '../../source/core/doctor/diagnose.js';
import {defaultHttpSettings} from '../../source/core/probes/http.js';
import {VaultWriter, vaultConnectionFromEnv} from '../../source/core/probes/vault.js';
import {startIssuer, type TestIssuer} from '../fixtures/oidc-issuer.js';
import {type EmulatorOptions, startVaultEmulator, type VaultEmulator} from '../fixtures/vault-emulator.js';

export const organizationId = '0193b6c2-5c8e-7a3c-9f4e-2d1a7b6c9e01';
export const projectId = '0193b6c3-1a2b-7c4d-8e9f-0a1b2c3d4e5f';
export const readerToken = 'hvs.reader-token-for-tests';
/** A token that may also write roles, configs and policies, for onboarding and applied fixes. */
export const adminToken = 'hvs.admin-token-for-tests';

/** A role as Ona's guide writes it (project scope). */
export const onaRole = {
	role_type: 'jwt',
	bound_audiences: ['vault.hashicorp.com'],
	bound_claims: {organization_id: organizationId, project_id: projectId},
	user_claim: 'sub',
	token_policies: ['ona-read'],
	token_ttl: 3600,
	token_max_ttl: 14_400,
};

/** The tokens every world's Vault knows: a reader and an admin (exact policies, no default). */
export const worldTokens = {
	[readerToken]: {policies: ['doctor-reader']},
	[adminToken]: {policies: ['doctor-reader', 'doctor-admin']},
};

/** The policies of every world's Vault, as path pattern → capabilities. */
export const worldPolicies: Record<string, Record<string, string[]>> = {
	'doctor-reader': {
		'sys/auth': ['read'],
		'auth/+/config': ['read'],
		'auth/+/role': ['list'],
		'auth/+/role/*': ['read'],
	},
	'doctor-admin': {
		'auth/+/role/*': ['create', 'update', 'delete', 'read'],
		'auth/+/config': ['create', 'update', 'read'],
		'sys/policies/acl/*': ['create', 'update', 'delete', 'read'],
	},
	'ona-read': {'secret/data/my-app/*': ['read'], 'secret/metadata/my-app/*': ['list']},
	'legacy-read': {'secret/my-app/*': ['read']},
};

export const worldSecretMounts = {secret: {type: 'kv', version: '2'}};

export type World = {issuer: TestIssuer; vault: VaultEmulator; close(): Promise<void>};
/** What the helpers below need of a world: its issuer and the address of its Vault (emulated or real). */
export type WorldLike = {issuer: TestIssuer; vault: {url: string}};

/** An issuer and a Vault whose jwt mount trusts it, with a reader token and the Ona guide's role and policy. */
export async function startWorld(overrides: Partial<EmulatorOptions> = {}): Promise<World> {
	const issuer = await startIssuer();
	const vault = await startVaultEmulator({
		mounts: {
			jwt: {
				config: {oidc_discovery_url: issuer.issuer, default_role: 'ona-environment'},
				roles: {'ona-project': onaRole},
			},
		},
		tokens: worldTokens,
		policies: worldPolicies,
		secretMounts: worldSecretMounts,
		...overrides,
	});
	return {
		issuer,
		vault,
		async close() {
			await vault.close();
			await issuer.close();
		},
	};
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An Ona V3 environment token's claims, minted by the world's issuer. */
export function onaClaims(world: WorldLike, extra: Record<string, unknown> = {}): Record<string, unknown> {
	const now = nowSeconds();
	return {
		iss: world.issuer.issuer,
		sub: `organization_id:${organizationId}:project_id:${projectId}`,
		aud: ['vault.hashicorp.com'],
		iat: now - 5,
		nbf: now - 5,
		exp: now + 3600,
		organization_id: organizationId,
		project_id: projectId,
		environment_id: '0193b6c4-7f8e-7d6c-9b5a-4e3d2c1b0a99',
		creator_email: 'dev@example.com',
		...extra,
	};
}

export function options(world: WorldLike, token: string, extra: Partial<DoctorOptions> = {}): DoctorOptions {
	return {
		source: 'auto',
		token,
		vaultAddr: world.vault.url,
		role: 'ona-project',
		secretPaths: [],
		offline: false,
		noLogin: false,
		timeoutMs: 2000,
		caFiles: [],
		env: {VAULT_TOKEN: readerToken, HOME: '/nonexistent'},
		readStdin: async () => '',
		now: () => Date.now() / 1000,
		...extra,
	};
}

export async function run(
	world: WorldLike,
	claims: Record<string, unknown>,
	extra: Partial<DoctorOptions> = {},
): Promise<DoctorReport> {
	return diagnose(options(world, await world.issuer.sign(claims), extra));
}

export function failing(report: DoctorReport): Array<[string, string | undefined]> {
	return report.checks.filter(check => check.status === 'fail').map(check => [check.id, check.problem]);
}

export function check(report: DoctorReport, id: string) {
	const found = report.checks.find(item => item.id === id);
	if (!found) throw new Error(`no check ${id}; have ${report.checks.map(item => item.id).join(', ')}`);
	return found;
}

/** The product's own Vault writer, with the admin token, for tests that apply changes directly. */
export function adminWriter(world: World): VaultWriter {
	return new VaultWriter(
		vaultConnectionFromEnv(
			{VAULT_TOKEN: adminToken, HOME: '/nonexistent'},
			{vaultAddr: world.vault.url},
			defaultHttpSettings,
		),
	);
}

/** What Vault answers a read of `path` with the admin token (its data), straight over HTTP as a person would see it. */
export async function readAsAdmin(world: World, path: string): Promise<Record<string, unknown>> {
	const response = await fetch(`${world.vault.url}/v1/${path}`, {headers: {'x-vault-token': adminToken}});
	return ((await response.json()) as {data: Record<string, unknown>}).data;
}
