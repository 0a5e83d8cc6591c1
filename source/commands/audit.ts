import {type AuditResult, auditPasses, auditVault} from '../core/audit.js';
import {findRoles} from '../core/find-role.js';
import {defaultHttpSettings} from '../core/probes/http.js';
import {acquireToken, TokenSourceError} from '../core/probes/token-source.js';
import {VaultReader, vaultConnectionFromEnv} from '../core/probes/vault.js';
import {inspectToken} from '../core/token.js';
import {createStyle} from '../report/style.js';
import {statusLabel} from '../report/text.js';
import {type DiagnoseFlags, doctorOptions} from './diagnose.js';
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
	const result = await auditVault(reader, {...(flags.mount ? {mounts: flags.mount} : {}), concurrency});
	const passes = auditPasses(result, failOn);
	if (flags.json) output.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
	else output.stdout.write(flags.markdown ? auditMarkdown(result) : auditText(result, createStyle(color)));
	return passes ? 0 : 1;
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
			`${paint(`${statusLabel.warn.symbol} ${finding.severity.padEnd(6)}`)} ${finding.role ? `${finding.mount}/${finding.role}` : finding.mount}  ${finding.message} ${style.dim(`[${finding.problem ?? ''}]`)}`,
		);
	}

	if (result.rolesUnreadable.length > 0)
		lines.push('', `Could not read: ${result.rolesUnreadable.join(', ')}`);
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
		'| severity | mount | role | problem | finding |',
		'| --- | --- | --- | --- | --- |',
	];
	for (const finding of result.findings)
		lines.push(
			`| ${finding.severity} | ${finding.mount} | ${finding.role ?? ''} | ${finding.problem ?? ''} | ${finding.message.replaceAll('|', '\\|')} |`,
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
	let mount = options.mount;
	let pluginVersion = options.pluginVersion;
	const mounts = await reader.authMounts();
	if (!mount) {
		const jwt = mounts.ok
			? mounts.data.filter(candidate => candidate.type === 'jwt' || candidate.type === 'oidc')
			: [];
		mount = jwt[0]?.path ?? 'jwt';
	}

	pluginVersion ??= mounts.ok
		? mounts.data.find(candidate => candidate.path === mount)?.runningPluginVersion || undefined
		: undefined;
	const config = await reader.read(`auth/${mount}/config`);
	const found = await findRoles(reader, {
		mount,
		token: inspection.compact,
		...(config.ok ? {config: config.data} : {}),
		...(pluginVersion ? {pluginVersion} : {}),
	}).catch((error: Error) => {
		throw new UsageError(`Cannot list the roles of auth/${mount}: ${error.message}`);
	});
	const {candidates, unreadable} = found;
	if (flags.json) {
		output.stdout.write(`${JSON.stringify({schemaVersion: 1, mount, candidates, unreadable}, null, 2)}\n`);
	} else {
		const style = createStyle(color);
		const lines = [style.bold(`Roles on auth/${mount} for this token`), ''];
		for (const candidate of candidates) {
			lines.push(
				candidate.allowed
					? `${style.green('✔ accepts')}  ${candidate.role}`
					: `${style.red('✖ refuses')}  ${candidate.role}  ${style.dim(candidate.vaultError ?? '')}`,
			);
		}

		if (unreadable.length > 0) lines.push('', `Could not read: ${unreadable.join(', ')}`);
		output.stdout.write(`${lines.join('\n')}\n`);
	}

	return candidates.some(candidate => candidate.allowed) ? 0 : 1;
}
