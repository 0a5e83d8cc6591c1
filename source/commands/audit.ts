import {type AuditResult, auditPasses, auditVault} from '../core/admin/audit.js';
import {findRoles} from '../core/admin/find-role.js';
import {inspectToken} from '../core/login/token.js';
import {chooseMount} from '../core/mount-choice.js';
import {mountPathOf} from '../core/names.js';
import {defaultHttpSettings} from '../core/probes/http.js';
import {acquireToken, TokenSourceError} from '../core/probes/token-source.js';
import {VaultReader, vaultConnectionFromEnv} from '../core/probes/vault.js';
import {sanitize} from '../report/sanitize.js';
import {createStyle} from '../report/style.js';
import {statusLabel} from '../report/text.js';
import {type DiagnoseFlags, doctorOptions} from './diagnose.js';
import {ExitCode, exitCodeFor} from './exit-code.js';
import {type Output, UsageError} from './io.js';

export type AuditFlags = {
	mount?: string[];
	failOn?: string;
	concurrency?: string;
	vaultAddr?: string;
	namespace?: string;
	timeout?: string;
	json?: boolean;
	markdown?: boolean;
};

const severities = ['high', 'medium', 'low', 'none'] as const;

function readerFor(
	env: NodeJS.ProcessEnv,
	flags: {vaultAddr?: string; namespace?: string},
	timeoutMs: number,
): VaultReader {
	return new VaultReader(
		vaultConnectionFromEnv(
			env,
			{
				...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
				...(flags.namespace ? {namespace: flags.namespace} : {}),
			},
			{...defaultHttpSettings, timeoutMs},
		),
	);
}

/** `audit`: every role of every JWT mount linted; exit 1 when a finding reaches --fail-on. */
export async function runAudit(flags: AuditFlags, color: boolean, output: Output): Promise<number> {
	const failOn = (flags.failOn ?? 'medium') as (typeof severities)[number];
	if (!severities.includes(failOn)) throw new UsageError('--fail-on must be high, medium, low or none.');
	const concurrency = Number(flags.concurrency ?? 16);
	if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256)
		throw new UsageError('--concurrency takes a whole number from 1 to 256.');
	const reader = readerFor(output.env, flags, Math.round(Number(flags.timeout ?? 5) * 1000));
	// Fails closed: an audit that could not read everything is never a pass (2, or 1 for a --fail-on gate).
	const incomplete = flags.failOn === undefined ? ExitCode.couldNotRun : ExitCode.problem;
	if (!reader.connection.token) {
		output.stderr.write(
			'ona-vault-doctor: audit needs a Vault token that may read sys/auth and the roles (VAULT_TOKEN or ~/.vault-token); nothing was audited.\n',
		);
		return incomplete;
	}

	const result = await auditVault(reader, {...(flags.mount ? {mounts: flags.mount} : {}), concurrency});
	if (flags.json) output.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	else output.stdout.write(flags.markdown ? auditMarkdown(result) : auditText(result, createStyle(color)));
	if (!result.complete) {
		output.stderr.write(
			`ona-vault-doctor: the audit is incomplete (${result.unreadable.length} path(s) could not be read), so it does not pass.\n`,
		);
		return incomplete;
	}

	return exitCodeFor(auditPasses(result, failOn));
}

function auditText(result: AuditResult, style: ReturnType<typeof createStyle>): string {
	const lines = [
		style.bold(
			`Audited ${result.rolesRead} role(s) on ${result.mounts.map(mount => `auth/${mount.path}`).join(', ') || 'no mount'}`,
		),
		'',
	];
	for (const finding of result.findings) {
		const paint =
			finding.severity === 'high' ? style.red : finding.severity === 'medium' ? style.yellow : style.dim;
		lines.push(
			`${paint(`${statusLabel.warn.symbol} ${finding.severity.padEnd(6)}`)} ${sanitize(finding.role ? `${finding.mount}/${finding.role}` : finding.mount)}  ${sanitize(finding.message)} ${style.dim(`[${finding.problem ?? ''}]`)}`,
		);
	}

	if (!result.complete) {
		lines.push('', style.red('Incomplete: could not read'));
		for (const gap of result.unreadable) lines.push(`  ${sanitize(gap.path)}: ${sanitize(gap.reason)}`);
	}
	const count = (severity: string) => result.findings.filter(finding => finding.severity === severity).length;
	lines.push('', `${count('high')} high, ${count('medium')} medium, ${count('low')} low.`);
	return `${lines.join('\n')}\n`;
}

function auditMarkdown(result: AuditResult): string {
	const lines = [
		'# ona-vault-doctor audit',
		'',
		`${result.rolesRead} role(s) read.`,
		'',
		...(result.complete
			? []
			: [
					'**Incomplete: could not read**',
					'',
					...result.unreadable.map(gap => `- \`${sanitize(gap.path)}\`: ${sanitize(gap.reason)}`),
					'',
				]),
		'| severity | mount | role | problem | finding |',
		'| --- | --- | --- | --- | --- |',
	];
	for (const finding of result.findings)
		lines.push(
			`| ${finding.severity} | ${sanitize(finding.mount)} | ${sanitize(finding.role ?? '')} | ${finding.problem ?? ''} | ${sanitize(finding.message).replaceAll('|', '\\|')} |`,
		);
	return `${lines.join('\n')}\n`;
}

/** `diagnose --find-role`: the token against every role of the mount, accepting ones first. */
export async function runFindRole(
	flags: DiagnoseFlags,
	color: boolean,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	let token: string;
	try {
		token = (await acquireToken({...options, http: {...defaultHttpSettings, timeoutMs: options.timeoutMs}}))
			.token;
	} catch (error) {
		throw new UsageError(error instanceof TokenSourceError ? error.message : String(error));
	}

	const inspection = inspectToken(token);
	if (!inspection.ok) throw new UsageError(inspection.reason);
	const reader = readerFor(
		options.env,
		{
			...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
			...(options.namespace ? {namespace: options.namespace} : {}),
		},
		options.timeoutMs,
	);
	if (!reader.connection.token)
		throw new UsageError(
			'--find-role reads every role of the mount: it needs a Vault token (VAULT_TOKEN or ~/.vault-token).',
		);
	let mount = options.mount === undefined ? undefined : mountPathOf(options.mount);
	let pluginVersion = options.pluginVersion;
	const mounts = await reader.authMounts();
	const jwt = mounts.ok
		? mounts.data.filter(candidate => candidate.type === 'jwt' || candidate.type === 'oidc')
		: [];
	// The same choice as diagnose: the mount whose config trusts the token's issuer.
	const configs = await Promise.all(
		(mount ? [{path: mount}] : jwt).map(async candidate => {
			const answer = await reader.read(`auth/${candidate.path}/config`);
			return {path: candidate.path, config: answer.ok ? answer.data : null, ok: answer.ok};
		}),
	);
	mount ??= chooseMount(configs, String(inspection.claims['iss'] ?? ''))?.path ?? 'jwt';
	pluginVersion ??= mounts.ok
		? mounts.data.find(candidate => candidate.path === mount)?.runningPluginVersion || undefined
		: undefined;
	const config = configs.find(candidate => candidate.path === mount);
	const found = await findRoles(reader, {
		mount,
		token: inspection.compact,
		...(config?.ok ? {config: config.config} : {}),
		...(pluginVersion ? {pluginVersion} : {}),
	}).catch((error: Error) => {
		throw new UsageError(`Cannot list the roles of auth/${mount}: ${error.message}`);
	});
	const {candidates, unreadable} = found;
	const partial = unreadable.length > 0;
	if (flags.json) {
		output.stdout.write(`${JSON.stringify({schemaVersion: 1, mount, candidates, unreadable}, null, 2)}\n`);
	} else {
		const style = createStyle(color);
		const lines = [style.bold(`Roles on auth/${mount} for this token`), ''];
		for (const candidate of candidates) {
			lines.push(
				candidate.allowed
					? `${style.green('✔ accepts')}  ${sanitize(candidate.role)}`
					: `${style.red('✖ refuses')}  ${sanitize(candidate.role)}  ${style.dim(sanitize(candidate.vaultError ?? ''))}`,
			);
		}

		if (partial)
			lines.push(
				'',
				style.red(`Incomplete: could not read ${unreadable.map(name => sanitize(name)).join(', ')}`),
			);
		output.stdout.write(`${lines.join('\n')}\n`);
	}

	// Fails closed: with roles left unread the ranking is partial, so it is no answer (exit 2).
	if (partial) {
		output.stderr.write(
			`ona-vault-doctor: ${unreadable.length} role(s) of auth/${sanitize(mount)} could not be read; the list is incomplete.\n`,
		);
		return ExitCode.couldNotRun;
	}

	return exitCodeFor(candidates.some(candidate => candidate.allowed));
}
