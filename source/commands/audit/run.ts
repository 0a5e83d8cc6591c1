import {type AuditResult, auditPasses, auditVault} from '../../core/admin/audit.js';
import {sanitize} from '../../report/sanitize.js';
import {createStyle} from '../../report/style.js';
import {statusLabel} from '../../report/text.js';
import {ExitCode, exitCodeFor} from '../exit-code.js';
import {type Output, UsageError} from '../io.js';
import {readerFor} from '../vault-reader.js';
import type {AuditFlags} from './command.js';

const severities = ['high', 'medium', 'low', 'none'] as const;

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
