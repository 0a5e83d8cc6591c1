import type {CheckStatus} from '../core/check.js';
import type {DoctorReport, ReportCheck} from '../core/doctor/diagnose.js';
import {reportView, sanitize} from './sanitize.js';
import type {Style} from './style.js';

export const statusLabel: Record<CheckStatus, {symbol: string; word: string}> = {
	pass: {symbol: '✔', word: 'pass'},
	warn: {symbol: '⚠', word: 'warn'},
	fail: {symbol: '✖', word: 'fail'},
	skip: {symbol: '○', word: 'not checked'},
};

const statusOrder: CheckStatus[] = ['fail', 'warn', 'skip', 'pass'];

export type TextReportOptions = {heading: string; verbose: boolean; style: Style};

/** The doctor's plain-text report: facts, Vault's answer, failures first with values and fixes, a summary line last. */
export function renderTextReport(model: DoctorReport, options: TextReportOptions): string {
	const {style} = options;
	const report = reportView(model);
	const lines: string[] = [style.bold(options.heading)];
	const facts = reportFacts(report);
	const width = Math.max(0, ...facts.map(([label]) => label.length));
	for (const [label, value] of facts) lines.push(`  ${style.dim(label.padEnd(width))}  ${value}`);
	lines.push('');

	if (report.login.predicted) {
		lines.push(`${style.bold('Vault would answer:')} ${style.red(report.login.predicted)}`);
	}

	if (report.login.actual !== undefined) {
		lines.push(
			report.login.actual === null
				? `${style.bold('Vault answered:')} ${style.green('login accepted')}`
				: `${style.bold('Vault answered:')} ${style.red(report.login.actual)}`,
		);
	}

	if (report.login.predicted || report.login.actual)
		lines.push(style.dim('Vault names only its first failing check, without values. Every check:'), '');

	const shown = report.checks
		.filter(check => options.verbose || (check.status !== 'pass' && !check.blockedBy))
		.sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status));
	for (const check of shown) lines.push(...renderCheck(check, style), '');
	lines.push(summaryLine(report, options.verbose, style));
	return `${lines.join('\n')}\n`;
}

export function reportFacts(report: DoctorReport): Array<[string, string]> {
	const facts: Array<[string, string]> = [];
	if (report.token) {
		const claims = report.token.claims;
		const aud = Array.isArray(claims['aud']) ? claims['aud'].join(', ') : String(claims['aud'] ?? '(none)');
		facts.push([
			'token',
			`${report.token.platform} from ${report.token.source}${report.token.why ? ` (${report.token.why})` : ''}; iss ${String(claims['iss'] ?? '(none)')}, aud ${aud}`,
		]);
	}

	if (report.vault) {
		const vault = report.vault;
		const where = [
			vault.addrDefaulted ? `${vault.addr} (the default: VAULT_ADDR is unset)` : vault.addr,
			vault.version ? `Vault ${vault.version}` : '',
			vault.namespace ? `namespace ${vault.namespace}` : '',
		]
			.filter(Boolean)
			.join(', ');
		facts.push(['vault', where]);
		if (vault.mount) facts.push(['mount', `auth/${vault.mount} (${vault.mountReason ?? ''})`]);
		if (vault.role !== undefined)
			facts.push(['role', vault.role ? `"${vault.role}" (${vault.roleReason ?? ''})` : '(none)']);
		if (vault.behaviour) facts.push(['rules', vault.behaviour]);
	}

	return facts.map(([label, value]) => [label, sanitize(value)]);
}

function renderCheck(check: ReportCheck, style: Style): string[] {
	const {symbol, word} = statusLabel[check.status];
	const paint = {fail: style.red, warn: style.yellow, skip: style.dim, pass: style.green}[check.status];
	const lines = [
		`${paint(`${symbol} ${word.padEnd(11)}`)} ${style.bold(check.title)} ${style.dim(`[${check.group}]`)}`,
	];
	const indent = ' '.repeat(14);
	const row = (label: string, value: string) => `${indent}${style.dim(label.padEnd(17))}${value}`;
	lines.push(`${indent}${check.message}`);
	if (check.expected !== undefined) lines.push(row('expected', formatValue(check.expected)));
	if (check.actual !== undefined) lines.push(row('actual', formatValue(check.actual)));
	if (check.hint) lines.push(row('why', check.hint));
	if (check.vaultMessage && check.status === 'fail') lines.push(row("Vault's message", check.vaultMessage));
	if (check.fix) {
		lines.push(row('fix', check.fix.summary));
		for (const command of check.fix.commands) {
			for (const [index, line] of command.split('\n').entries()) {
				lines.push(
					`${indent}${' '.repeat(17)}${index === 0 && !line.startsWith('#') ? style.cyan(`$ ${line}`) : style.cyan(`  ${line}`)}`,
				);
			}
		}

		if (check.fix.docs) lines.push(row('docs', check.fix.docs));
	}

	return lines;
}

/** A value on one line, safe for a terminal: strings quoted and escaped as JSON, the rest as JSON. */
export function formatValue(value: unknown): string {
	if (typeof value === 'string') return sanitize(JSON.stringify(value));
	if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('toJSON' in value)) {
		return Object.entries(value)
			.map(
				([key, element]) =>
					`${sanitize(key)}=${typeof element === 'string' ? sanitize(element) : sanitize(JSON.stringify(element) ?? String(element))}`,
			)
			.join('  ');
	}

	return sanitize(JSON.stringify(value) ?? String(value));
}

/** "1 warning", "3 warnings": the count as every report writes it. */
export const warningCount = (count: number) => `${count} warning${count === 1 ? '' : 's'}`;

function summaryLine(report: DoctorReport, verbose: boolean, style: Style): string {
	const {summary} = report;
	const parts = [
		`${summary.fail} failed`,
		warningCount(summary.warn),
		`${summary.skip} not checked${report.checks.some(check => check.blockedBy) && !verbose ? ' (some because an earlier step failed)' : ''}`,
		`${summary.pass} passed${verbose || summary.pass === 0 ? '' : ' (--verbose shows them)'}`,
	];
	let verdict: string;
	if (report.login.allowed === true && report.verdict === 'pass')
		verdict = style.green('Vault accepts this login.');
	else if (report.login.allowed === false) verdict = style.red('Vault refuses this login.');
	else verdict = report.verdict === 'pass' ? style.green('No problem found.') : style.red('Problems found.');
	return `${parts.join(', ')}. ${verdict}`;
}
