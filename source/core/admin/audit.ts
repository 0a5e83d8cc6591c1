import type {Check} from '../check.js';
import {type JwtConfig, keySource, parseConfig} from '../login/config.js';
import {pluginBehaviour} from '../login/plugin-version.js';
import {type JwtRole, parseRole} from '../login/role.js';
import {defaultSupportedAlgorithms} from '../login/signature.js';
import {mountPathOf} from '../names.js';
import type {VaultReader} from '../probes/vault.js';
import {lintRole} from './role-lint.js';

type Severity = 'high' | 'medium' | 'low';

export type AuditFinding = Check & {mount: string; role?: string; severity: Severity};

export type AuditResult = {
	schemaVersion: 1;
	mounts: Array<{path: string; type: string; roles: number; configReadable: boolean}>;
	findings: AuditFinding[];
	rolesRead: number;
	/** Vault paths that could not be read: a role (auth/<m>/role/<name>) or a whole listing (auth/<m>/role). */
	rolesUnreadable: string[];
	/**
	False when anything the audit needed could not be read (sys/auth, a config, a role list, a role): an
	incomplete audit is never a pass. `unreadable` says what and why.
	*/
	complete: boolean;
	unreadable: Array<{path: string; reason: string}>;
};

export type AuditOptions = {
	mounts?: string[];
	/** Most role reads in flight at once; default 16. */
	concurrency?: number;
	onProgress?: (done: number, total: number) => void;
};

const severityRank: Record<Severity | 'none', number> = {high: 3, medium: 2, low: 1, none: Infinity};

/** False when the audit is incomplete, or any finding is at or above `failOn` ('none': findings never fail). */
export function auditPasses(result: AuditResult, failOn: Severity | 'none'): boolean {
	return (
		result.complete && result.findings.every(finding => severityRank[finding.severity] < severityRank[failOn])
	);
}

/** Runs `work` over `items` with at most `concurrency` calls pending at any time (a fixed pool of workers). */
export async function forEachLimited<T>(
	items: readonly T[],
	concurrency: number,
	work: (item: T, index: number) => Promise<void>,
): Promise<void> {
	let next = 0;
	const worker = async () => {
		while (next < items.length) {
			const index = next++;
			await work(items[index] as T, index);
		}
	};
	const size = Math.min(items.length, Math.max(1, Math.floor(concurrency) || 1));
	await Promise.all(Array.from({length: size}, worker));
}

export type RoleListing = {ok: true; names: string[]} | {ok: false; message: string};

/** A mount's role names can outgrow the 1 MiB body cap (tens of thousands of roles): LIST alone gets this bound. */
export const roleListMaxBytes = 64 * 1024 * 1024;

/** LIST auth/<mount>/role; Vault answers a bare 404 when the mount has no role, which is an empty list. */
export async function listRoles(reader: VaultReader, mount: string): Promise<RoleListing> {
	const answer = await reader.list(`auth/${mount}/role`, roleListMaxBytes);
	if (answer.ok) return {ok: true, names: answer.data};
	if (answer.notFound && answer.problem !== 'mount-not-found') return {ok: true, names: []};
	return {ok: false, message: answer.message};
}

export const rolePath = (mount: string, role: string) => `auth/${mount}/role/${role}`;

type MountPlan = {
	path: string;
	type: string;
	pluginVersion: string;
	config: JwtConfig | undefined;
	roles: string[];
	hasJwtRole: boolean;
};

/**
Every role on the JWT/OIDC mounts, linted for safety, plus the mounts' config findings. Role bodies are read with
bounded concurrency and dropped once linted, so the result stays small for tens of thousands of roles.
*/
export async function auditVault(reader: VaultReader, options: AuditOptions = {}): Promise<AuditResult> {
	const unreadable: AuditResult['unreadable'] = [];
	const plans = await planMounts(reader, options.mounts, unreadable);
	const findings: AuditFinding[] = [];
	const rolesUnreadable: string[] = [];
	const result: AuditResult = {
		schemaVersion: 1,
		mounts: [],
		findings,
		rolesRead: 0,
		rolesUnreadable,
		complete: true,
		unreadable,
	};

	const concurrency = options.concurrency ?? 16;
	await forEachLimited(plans, concurrency, async plan => {
		const config = await reader.read(`auth/${plan.path}/config`);
		if (config.ok) plan.config = parseConfig(config.data);
		// A config never written (404) is a finding of its own kind, not a gap; any other failure is a gap.
		else if (!config.notFound || config.problem === 'mount-not-found')
			unreadable.push({path: `auth/${plan.path}/config`, reason: config.message});
		const listing = await listRoles(reader, plan.path);
		if (listing.ok) plan.roles = listing.names;
		else {
			rolesUnreadable.push(`auth/${plan.path}/role`);
			unreadable.push({path: `auth/${plan.path}/role`, reason: listing.message});
		}
	});

	// One pool across every mount, so progress and the in-flight bound cover the whole audit.
	const work = plans.flatMap(plan => plan.roles.map(role => ({plan, role})));
	let done = 0;
	options.onProgress?.(0, work.length);
	await forEachLimited(work, concurrency, async ({plan, role}) => {
		const answer = await reader.read(rolePath(plan.path, role));
		if (answer.ok) {
			result.rolesRead++;
			// The body is linted here and dropped: only findings are kept.
			const parsed = parseRole(answer.data);
			if (parsed.roleType === 'jwt') plan.hasJwtRole = true;
			findings.push(...roleFindings(parsed, plan, role));
		} else {
			rolesUnreadable.push(rolePath(plan.path, role));
			unreadable.push({path: rolePath(plan.path, role), reason: answer.message});
		}

		options.onProgress?.(++done, work.length);
	});

	for (const plan of plans) {
		findings.push(...configFindings(plan));
		result.mounts.push({
			path: plan.path,
			type: plan.type,
			roles: plan.roles.length,
			configReadable: plan.config !== undefined,
		});
	}

	const order = new Map(plans.map((plan, index) => [plan.path, index]));
	findings.sort(
		(a, b) =>
			(order.get(a.mount) ?? 0) - (order.get(b.mount) ?? 0) ||
			compareText(a.role ?? '', b.role ?? '') ||
			severityRank[b.severity] - severityRank[a.severity],
	);
	rolesUnreadable.sort(compareText);
	unreadable.sort((a, b) => compareText(a.path, b.path));
	result.complete = unreadable.length === 0;
	return result;
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

async function planMounts(
	reader: VaultReader,
	requested: string[] | undefined,
	unreadable: AuditResult['unreadable'],
): Promise<MountPlan[]> {
	const answer = await reader.authMounts();
	const known = answer.ok ? answer.data : [];
	// Without sys/auth the mounts to audit are a guess: only --mount makes the audit complete.
	if (!answer.ok && !requested) unreadable.push({path: 'sys/auth', reason: answer.message});
	const paths = requested
		? requested.map(mountPathOf)
		: answer.ok
			? known.filter(mount => mount.type === 'jwt' || mount.type === 'oidc').map(mount => mount.path)
			: ['jwt'];
	return [...new Set(paths)].map(path => {
		const mount = known.find(candidate => candidate.path === path);
		return {
			path,
			type: mount?.type ?? (answer.ok ? 'unknown' : 'jwt'),
			pluginVersion: mount?.runningPluginVersion ?? '',
			config: undefined,
			roles: [],
			hasJwtRole: false,
		};
	});
}

function roleFindings(role: JwtRole, plan: MountPlan, roleName: string): AuditFinding[] {
	const issuer = plan.config?.boundIssuer || plan.config?.oidcDiscoveryUrl || '';
	const checks = lintRole(role, {mount: plan.path, roleName, issuer});
	if (role.roleType === 'oidc' && role.allowedRedirectUris.length === 0) {
		checks.push({
			id: 'role.type',
			title: 'role_type',
			status: 'warn',
			severity: 'medium',
			problem: 'role-type-oidc',
			message: `${rolePath(plan.path, roleName)} is an OIDC role that cannot be used for JWT login and has no redirect URIs: probably a JWT role whose update dropped role_type.`,
		});
	}

	return checks.map(check => ({
		...check,
		mount: plan.path,
		role: roleName,
		severity: check.severity ?? 'low',
	}));
}

function configFindings(plan: MountPlan): AuditFinding[] {
	const config = plan.config;
	if (!config) return [];
	const findings: AuditFinding[] = [];
	const label = `auth/${plan.path}/config`;
	const add = (check: Omit<AuditFinding, 'mount' | 'status'>) =>
		findings.push({status: 'warn', mount: plan.path, ...check});

	const clientId = config.oidcClientId;
	if (clientId && plan.hasJwtRole && !pluginBehaviour(plan.pluginVersion).oidcFlowLogin) {
		add({
			id: 'config.client-id',
			title: 'OIDC client on a JWT mount',
			severity: 'high',
			problem: 'config-unsupported',
			message: `${label} sets oidc_client_id while the mount has JWT roles: JWT login is impossible on this mount in Vault.`,
			actual: {oidc_client_id: clientId},
		});
	}

	const keyedDirectly = ['static', 'jwks', 'jwks-pairs'].includes(keySource(config));
	if (keyedDirectly && !config.boundIssuer) {
		add({
			id: 'config.bound-issuer',
			title: 'Issuer bound',
			severity: 'low',
			problem: 'issuer-mismatch',
			message: `${label} trusts keys directly (jwks_url / jwt_validation_pubkeys) without bound_issuer: nothing ties tokens to one issuer beyond the keys, so any issuer sharing them is accepted.`,
		});
	}

	const asymmetric: readonly string[] = defaultSupportedAlgorithms;
	const unexpected = config.jwtSupportedAlgs.filter(alg => !asymmetric.includes(alg));
	if (unexpected.length > 0) {
		add({
			id: 'config.algorithms',
			title: 'Supported algorithms',
			severity: 'medium',
			problem: 'algorithm-not-allowed',
			message: `${label} allows ${unexpected.join(', ')} in jwt_supported_algs: only the asymmetric algorithms (${defaultSupportedAlgorithms.join(', ')}) belong there.`,
			expected: defaultSupportedAlgorithms,
			actual: config.jwtSupportedAlgs,
		});
	}

	return findings;
}
