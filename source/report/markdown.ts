import type {DoctorReport} from '../core/doctor/diagnose.js';
import {reportView, sanitize, sanitizeLines} from './sanitize.js';
import {formatValue, reportFacts, statusLabel} from './text.js';

/** A redacted support bundle, safe to paste into a ticket: facts, token header and claims (no signature), role, config, every check. */
export function renderMarkdownReport(
	model: DoctorReport,
	extra: {command: string; generatedAt: string; doctorVersion: string; node: string},
): string {
	const report = reportView(model);
	// JSON escapes every control character but not C1 or bidi marks: each pretty-printed line is sanitised too.
	const json = (value: unknown) => sanitizeLines(JSON.stringify(value, null, 2));
	const lines: string[] = ['# ona-vault-doctor report', ''];
	lines.push(
		`Generated ${extra.generatedAt} by ona-vault-doctor ${extra.doctorVersion} on Node ${extra.node}.`,
		'',
	);
	lines.push(`Command: \`${sanitize(extra.command)}\``, '');
	lines.push(
		`**Verdict:** ${report.verdict === 'pass' ? 'no problem found' : 'problems found'} (${report.summary.fail} failed, ${report.summary.warn} warnings, ${report.summary.skip} not checked, ${report.summary.pass} passed).`,
		'',
	);
	if (report.login.predicted) lines.push(`**Vault would answer:** \`${report.login.predicted}\``, '');
	if (report.login.actual !== undefined)
		lines.push(
			`**Vault answered:** ${report.login.actual === null ? 'login accepted' : `\`${report.login.actual}\``}`,
			'',
		);

	lines.push('## Environment', '');
	for (const [label, value] of reportFacts(report)) lines.push(`- **${label}:** ${value}`);
	lines.push('');

	if (report.token) {
		lines.push(
			'## Token (signature redacted)',
			'',
			'```json',
			json({
				header: model.token?.header,
				claims: model.token?.claims,
				signature: report.token.signature,
			}),
			'```',
			'',
		);
	}

	if (report.vault?.roleData) lines.push('## Role', '', '```json', json(model.vault?.roleData), '```', '');
	if (report.vault?.configData)
		lines.push('## Auth method configuration', '', '```json', json(model.vault?.configData), '```', '');

	lines.push('## Checks', '', '| status | group | check | finding |', '| --- | --- | --- | --- |');
	for (const check of report.checks) {
		const {symbol, word} = statusLabel[check.status];
		lines.push(
			`| ${symbol} ${word} | ${check.group} | ${escapeCell(check.title)} | ${escapeCell(check.message)} |`,
		);
	}

	lines.push('');
	const problems = report.checks.filter(check => check.status === 'fail' || check.status === 'warn');
	if (problems.length > 0) lines.push('## Problems and fixes', '');
	for (const check of problems) {
		lines.push(
			`### ${statusLabel[check.status].symbol} ${check.title}${check.problem ? ` (\`${check.problem}\`)` : ''}`,
			'',
			check.message,
			'',
		);
		if (check.expected !== undefined) lines.push(`- expected: \`${formatValue(check.expected)}\``);
		if (check.actual !== undefined) lines.push(`- actual: \`${formatValue(check.actual)}\``);
		if (check.hint) lines.push(`- why: ${check.hint}`);
		if (check.vaultMessage) lines.push(`- Vault's message: \`${check.vaultMessage}\``);
		if (check.fix) {
			lines.push(`- fix: ${check.fix.summary}`, '', '```sh', ...check.fix.commands, '```');
			if (check.fix.docs) lines.push('', `Docs: ${check.fix.docs}`);
		}

		lines.push('');
	}

	lines.push('## Timings', '', ...report.steps.map(step => `- ${step.id}: ${step.ms} ms`), '');
	return `${lines.join('\n')}`;
}

function escapeCell(text: string): string {
	return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
