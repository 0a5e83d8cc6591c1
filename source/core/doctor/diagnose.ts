import {desiredFields} from '../admin/edits.js';
import {maxPemFileBytes, readFileCapped} from '../bounds.js';
import type {Check, CheckStatus} from '../check.js';
import {parseConfig} from '../login/config.js';
import {parseRole} from '../login/role.js';
import {sourceRequestsAudience} from '../platforms/advice.js';
import {defaultHttpSettings, type HttpSettings} from '../probes/http.js';
import {
	type RevocationFailure,
	revocationFailureText,
	type VaultRedirect,
	vaultConnectionFromEnv,
} from '../probes/vault.js';
import type {VaultData} from '../vault-data.js';
import type {DoctorContext, DoctorOptions} from './context.js';
import {type CheckGroup, runSteps, type StepEvent, type StepRecord} from './engine.js';
import {type ClaimsTrust, type Fix, type FixContext, fixFor} from './fixes.js';
import {doctorSteps} from './steps/index.js';

export type ReportCheck = Check & {group: CheckGroup; fix?: Fix};

/** The result model every output renders: text, JSON, Markdown bundle and the TUI. */
export type DoctorReport = {
	schemaVersion: 1;
	verdict: 'pass' | 'fail';
	summary: Record<CheckStatus, number>;
	/** What the doctor predicts Vault answers (its first failing check), and what Vault answered when tried. */
	login: {predicted: string | null; actual?: string | null; allowed: boolean | null};
	token: null | {
		source: string;
		why?: string;
		platform: string;
		/** Whether the doctor minted the token and so can ask for another audience (not for a file or a variable). */
		audienceRequestable?: boolean;
		header: Record<string, unknown>;
		claims: Record<string, unknown>;
		signature: '(redacted)';
	};
	vault: null | {
		addr: string;
		/** VAULT_ADDR was unset (and no --vault-addr): addr is the Vault CLI's default. */
		addrDefaulted?: true;
		namespace?: string;
		version?: string;
		mount?: string;
		mountReason?: string;
		role?: string;
		roleReason?: string;
		behaviour?: string;
		roleData?: Record<string, unknown> | null;
		configData?: Record<string, unknown> | null;
		/** The JWT/OIDC auth mounts found in sys/auth. */
		mounts?: string[];
		/** Redirects Vault answered (at most one per call is followed, as Vault's own client does). */
		redirects?: VaultRedirect[];
		/** Of those, the mounts whose config trusts the token's issuer, when they were compared. */
		issuerMounts?: string[];
	};
	checks: ReportCheck[];
	steps: Array<{id: string; group: CheckGroup; ms: number}>;
};

export type DiagnoseHooks = {onEvent?: (event: StepEvent) => void; signal?: AbortSignal};

export function httpSettingsFor(options: Pick<DoctorOptions, 'timeoutMs' | 'caFiles'>): HttpSettings {
	return {
		...defaultHttpSettings,
		timeoutMs: options.timeoutMs,
		extraCa: options.caFiles.map(file => readFileCapped(file, maxPemFileBytes, '--ca-file')),
	};
}

/** One diagnosis: runs every step, then attaches the concrete fix to each problem. */
export async function diagnose(options: DoctorOptions, hooks: DiagnoseHooks = {}): Promise<DoctorReport> {
	const http = httpSettingsFor(options);
	const context: DoctorContext = {
		options,
		http,
		connection: vaultConnectionFromEnv(
			options.env,
			{
				...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
				...(options.namespace ? {namespace: options.namespace} : {}),
			},
			http,
		),
		revoked: [],
	};
	const records = await runSteps(doctorSteps, context, hooks.onEvent, hooks.signal);
	return buildReport(context, records);
}

export function buildReport(context: DoctorContext, records: StepRecord[]): DoctorReport {
	const allChecks = records.flatMap(record => record.checks);
	const fixContext: FixContext = {
		claimsTrust: claimsTrust(allChecks),
		...(context.options.roleFile ? {roleFile: context.options.roleFile} : {}),
		...(context.mount ? {mount: context.mount.path} : {}),
		...(context.roleName === undefined ? {} : {roleName: context.roleName}),
		...(context.role === undefined ? {} : {role: context.role}),
		...(context.config === undefined ? {} : {config: context.config}),
		...(context.decoded ? {claims: context.decoded.claims, platform: context.decoded.platform} : {}),
		...(context.connection?.namespace ? {namespace: context.connection.namespace} : {}),
		...(!context.decoded && context.sourcePlatform ? {platform: context.sourcePlatform} : {}),
		...(context.mount?.trusting?.[0] && !context.mount.trusting.includes(context.mount.path)
			? {issuerMount: context.mount.trusting[0]}
			: {}),
		...(context.roleList
			? {
					roles: context.roleList.names,
					...(context.roleList.closest ? {closestRole: context.roleList.closest} : {}),
				}
			: {}),
	};
	// Printed fixes are run in order: each is computed from the role and config as the fixes before it leave
	// them, so that two fixes of one map (two bound claims) or of the whole config do not undo each other.
	const checks: ReportCheck[] = [...records, ...redirectRecord(context)].flatMap(record =>
		record.checks.map(check => {
			const fix = check.status === 'fail' || check.status === 'warn' ? fixFor(check, fixContext) : undefined;
			if (fix?.change && check.status === 'fail') {
				const {kind, edits} = fix.change;
				const edited = (data: VaultData) => ({...data, ...desiredFields(data, edits)});
				if (kind === 'role' && fixContext.role) fixContext.role = parseRole(edited(fixContext.role.data));
				if (kind === 'config' && fixContext.config)
					fixContext.config = parseConfig(edited(fixContext.config.data));
			}
			return {...check, group: groupOf(check.id, record.group), ...(fix ? {fix} : {})};
		}),
	);
	const summary: Record<CheckStatus, number> = {pass: 0, warn: 0, fail: 0, skip: 0};
	for (const check of checks) summary[check.status]++;
	const {decoded, token, connection, model, login} = context;
	return {
		schemaVersion: 1,
		verdict: summary.fail > 0 ? 'fail' : 'pass',
		summary,
		login: {
			predicted: model?.vaultError ?? null,
			...(login && (login.ok || login.status !== null) ? {actual: login.ok ? null : login.error} : {}),
			allowed: login && (login.ok || login.status !== null) ? login.ok : model ? model.allowed : null,
		},
		token:
			decoded && token
				? {
						source: token.description,
						...(token.why ? {why: token.why} : {}),
						platform: decoded.platform.label,
						audienceRequestable: sourceRequestsAudience(token.source),
						header: decoded.header,
						claims: decoded.claims,
						signature: '(redacted)',
					}
				: null,
		vault: connection
			? {
					addr: context.options.offline ? '(offline)' : connection.addr,
					...(connection.addrDefaulted && !context.options.offline ? {addrDefaulted: true as const} : {}),
					...(connection.namespace ? {namespace: connection.namespace} : {}),
					...(context.health?.version ? {version: context.health.version} : {}),
					...(context.mount ? {mount: context.mount.path, mountReason: context.mount.reason} : {}),
					...(context.roleName === undefined
						? {}
						: {role: context.roleName, roleReason: context.roleNameReason ?? ''}),
					...(model ? {behaviour: model.behaviour.label} : {}),
					...(context.role === undefined ? {} : {roleData: context.role?.data ?? null}),
					...(context.config === undefined ? {} : {configData: context.config?.data ?? null}),
					...(connection.redirects.length > 0 ? {redirects: connection.redirects} : {}),
					...(context.mount?.trusting ? {issuerMounts: context.mount.trusting} : {}),
					...(context.mounts
						? {
								mounts: context.mounts
									.filter(mount => mount.type === 'jwt' || mount.type === 'oidc')
									.map(mount => mount.path),
							}
						: {}),
				}
			: null,
		checks,
		steps: records.map(record => ({id: record.id, group: record.group, ms: record.ms})),
	};
}

/**
Whether the token's claims may become values in a fix: its signature verified (by the doctor with the issuer's or
the config's keys, or by Vault in a login), did not verify, or was not checked.
*/
function claimsTrust(checks: Check[]): ClaimsTrust {
	const signatures = checks.filter(
		check => check.id === 'issuer.signature' || check.id === 'login.signature',
	);
	if (signatures.some(check => check.status === 'fail')) return 'forged';
	if (signatures.some(check => check.status === 'pass')) return 'verified';
	return checks.some(check => check.id === 'login.attempt' && check.status === 'pass')
		? 'verified'
		: 'unchecked';
}

/** The redirects seen during the run, as one check: normal from a standby node, otherwise VAULT_ADDR is not final. */
function redirectRecord(context: DoctorContext): StepRecord[] {
	const redirects = context.connection?.redirects ?? [];
	if (redirects.length === 0) return [];
	const targets = [...new Set(redirects.map(redirect => new URL(redirect.to).origin))];
	const calls = redirects.map(redirect => redirect.call).join(', ');
	const standby = context.health?.standby === true;
	const check: Check = standby
		? {
				id: 'vault.redirect',
				title: 'Vault redirects',
				status: 'pass',
				message: `${context.connection!.addr} is a standby node and sent ${calls} to ${targets.join(', ')} (the active node): normal.`,
			}
		: {
				id: 'vault.redirect',
				title: 'Vault redirects',
				status: 'warn',
				problem: 'vault-address',
				message: `${context.connection!.addr} redirected ${calls} to ${targets.join(', ')}: VAULT_ADDR is not the final address (the doctor, like Vault's client, follows one redirect and never from https to http).`,
				expected: targets[0],
				actual: context.connection!.addr,
			};
	return [{id: 'vault.redirect', title: check.title, group: 'Vault', checks: [check], ms: 0}];
}

/** The report with a failed check for each login token the run could not revoke (the accessor and the command). */
export function withRevocationFailures(report: DoctorReport, failed: RevocationFailure[]): DoctorReport {
	if (failed.length === 0) return report;
	const checks: ReportCheck[] = [
		...report.checks,
		...failed.map(
			failure =>
				({
					id: 'access.revoke',
					title: 'Revoke the login token',
					group: 'Access',
					status: 'fail',
					problem: 'token-not-revoked',
					message: revocationFailureText(failure),
				}) satisfies ReportCheck,
		),
	];
	const summary = {...report.summary, fail: report.summary.fail + failed.length};
	return {...report, verdict: 'fail', summary, checks};
}

function groupOf(id: string, fallback: CheckGroup): CheckGroup {
	const prefix = id.split(/[./]/)[0];
	const groups: Record<string, CheckGroup> = {
		token: 'Token',
		issuer: 'Issuer',
		vault: 'Vault',
		login: 'Login',
		access: 'Access',
	};
	return groups[prefix ?? ''] ?? fallback;
}
