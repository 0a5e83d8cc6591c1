import type {Check, CheckStatus} from '../core/check.js';
import {problems} from '../core/problems.js';
import type {SimulateLoginResult} from '../core/simulate-login.js';
import type {Style} from './style.js';

export const statusLabel: Record<CheckStatus, {symbol: string; word: string}> = {
	pass: {symbol: '✔', word: 'pass'},
	warn: {symbol: '⚠', word: 'warn'},
	fail: {symbol: '✖', word: 'fail'},
	skip: {symbol: '○', word: 'not checked'},
};

const statusOrder: CheckStatus[] = ['fail', 'warn', 'skip', 'pass'];

export type LoginReportOptions = {
	heading: string;
	facts: Array<[string, string]>;
	verbose: boolean;
	style: Style;
};

/** The doctor's plain-text report of one login: failures first with values and fixes, a summary line last. */
export function renderLoginReport(result: SimulateLoginResult, options: LoginReportOptions): string {
	const {style} = options;
	const lines: string[] = [style.bold(options.heading)];
	const width = Math.max(...options.facts.map(([label]) => label.length));
	for (const [label, value] of options.facts) lines.push(`  ${style.dim(label.padEnd(width))}  ${value}`);
	lines.push('');

	if (result.vaultError) {
		lines.push(
			`${style.bold('Vault would answer')} (HTTP ${result.httpStatus}): ${style.red(result.vaultError)}`,
		);
		lines.push(style.dim('Vault names only that first failure, without values. Every check:'));
	} else if (result.allowed) {
		lines.push(
			`${style.green('Vault would accept this login.')}${result.identity ? ` Entity alias: "${result.identity.aliasName}".` : ''}`,
		);
	}

	lines.push('');
	const shown = [...result.checks]
		.filter(check => options.verbose || check.status !== 'pass')
		.sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status));
	for (const check of shown) lines.push(...renderCheck(check, style), '');
	lines.push(summaryLine(result, options.verbose, style));
	return `${lines.join('\n')}\n`;
}

function renderCheck(check: Check, style: Style): string[] {
	const {symbol, word} = statusLabel[check.status];
	const paint = {fail: style.red, warn: style.yellow, skip: style.dim, pass: style.green}[check.status];
	const lines = [`${paint(`${symbol} ${word.padEnd(11)}`)} ${style.bold(check.title)}`];
	const indent = ' '.repeat(14);
	const row = (label: string, value: string) => `${indent}${style.dim(label.padEnd(16))}${value}`;
	lines.push(`${indent}${check.message}`);
	if (check.expected !== undefined) lines.push(row('role wants', formatValue(check.expected)));
	if (check.actual !== undefined) lines.push(row('token has', formatValue(check.actual)));
	if (check.hint) lines.push(row('why', check.hint));
	if (check.vaultMessage && check.status === 'fail') lines.push(row("Vault's message", check.vaultMessage));
	if (check.problem && check.status !== 'pass') {
		const fix = problems[check.problem].fix as {role?: readonly string[]; token?: readonly string[]};
		for (const step of fix.role ?? []) lines.push(row('fix in Vault', step));
		for (const step of fix.token ?? []) lines.push(row('fix the token', step));
	}

	return lines;
}

export function formatValue(value: unknown): string {
	if (typeof value === 'string') return JSON.stringify(value);
	if (typeof value === 'object' && value !== null && !Array.isArray(value) && !('toJSON' in value)) {
		return Object.entries(value)
			.map(([key, element]) => `${key}=${typeof element === 'string' ? element : JSON.stringify(element)}`)
			.join('  ');
	}

	return JSON.stringify(value) ?? String(value);
}

function summaryLine(result: SimulateLoginResult, verbose: boolean, style: Style): string {
	const count = (status: CheckStatus) => result.checks.filter(check => check.status === status).length;
	const parts = [
		`${count('fail')} failed`,
		`${count('warn')} warning${count('warn') === 1 ? '' : 's'}`,
		`${count('skip')} not checked`,
		`${count('pass')} passed${verbose || count('pass') === 0 ? '' : ' (--verbose shows them)'}`,
	];
	const verdict = result.allowed
		? style.green('Vault would accept this login.')
		: style.red('Vault would refuse this login.');
	return `${parts.join(', ')}. ${verdict}`;
}
