import type {DoctorReport} from '../core/doctor/diagnose.js';
import {redactSecrets} from '../core/redact.js';
import {reportView, sanitize, sanitizeLines} from './sanitize.js';
import {formatValue, reportFacts, statusLabel, warningCount} from './text.js';

/** A redacted support bundle, safe to paste into a ticket: facts, token header and claims (no signature), role, config, every check. */
export function renderMarkdownReport(
	report: DoctorReport,
	extra: {
		command: string;
		generatedAt: string;
		doctorVersion: string;
		node: string;
		/** Keep e-mail addresses and names from the token (default: replaced, a bundle goes into a ticket). */
		includePersonal?: boolean;
	},
): string {
	const text = renderBundle(report, extra);
	return extra.includePersonal ? text : redactPersonal(text, personalValues(report.token?.claims ?? {}));
}

/** Claims that name a person: e-mail addresses, user names, actors (GitHub, GitLab, Ona, generic OIDC). */
const personalClaim =
	/(?:^|[_./-])(?:e-?mail|email_address|name|username|preferred_username|login|phone(?:_number)?|actor)$|^(?:email|name|given_name|family_name|nickname|upn)$/i;

/** The personal values of a token's claims, longest first (so a value inside another is replaced after it). */
export function personalValues(claims: Record<string, unknown>): string[] {
	const values = new Set<string>();
	for (const [key, value] of Object.entries(claims)) {
		if (!personalClaim.test(key)) continue;
		for (const item of [value].flat()) if (typeof item === 'string' && item.length >= 3) values.add(item);
	}

	for (const value of Object.values(claims))
		for (const item of [value].flat())
			if (typeof item === 'string' && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(item)) values.add(item);
	return [...values].sort((a, b) => b.length - a.length);
}

/** Replaces every personal value wherever it appears (claims, role bindings, messages, fix commands). */
export function redactPersonal(text: string, values: string[]): string {
	let result = text;
	for (const value of values) {
		const label = value.includes('@') ? '<e-mail redacted>' : '<personal data redacted>';
		result = result.split(value).join(label);
		const quoted = JSON.stringify(value).slice(1, -1);
		if (quoted !== value) result = result.split(quoted).join(label);
	}

	return result;
}

/** Redacts a command line for the bundle: token values and anything that looks like a secret. */
export function redactCommandLine(args: string[]): string {
	const secretFlags = new Set(['--token']);
	const words: string[] = [];
	for (let index = 0; index < args.length; index++) {
		const word = args[index]!;
		const [flag, inline] = word.split(/=(.*)/s, 2) as [string, string | undefined];
		if (secretFlags.has(flag) && inline !== undefined) {
			words.push(`${flag}=<redacted>`);
		} else if (secretFlags.has(word) && index + 1 < args.length) {
			words.push(word, '<redacted>');
			index++;
		} else if (/eyJ[\w-]*\.[\w-]*\./.test(word)) {
			words.push('<redacted>');
		} else {
			words.push(redactSecrets(word));
		}
	}

	return words
		.map(word => (/^[\w@%+=:,./<>-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`))
		.join(' ');
}

function renderBundle(
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
	lines.push(`Command: ${code(sanitize(extra.command))}`, '');
	lines.push(
		`**Verdict:** ${report.verdict === 'pass' ? 'no problem found' : 'problems found'} (${report.summary.fail} failed, ${warningCount(report.summary.warn)}, ${report.summary.skip} not checked, ${report.summary.pass} passed).`,
		'',
	);
	if (report.login.predicted) lines.push(`**Vault would answer:** ${code(report.login.predicted)}`, '');
	if (report.login.actual !== undefined)
		lines.push(
			`**Vault answered:** ${report.login.actual === null ? 'login accepted' : code(report.login.actual)}`,
			'',
		);

	lines.push('## Environment', '');
	for (const [label, value] of reportFacts(report)) lines.push(`- **${label}:** ${value}`);
	lines.push('');

	if (report.token) {
		lines.push(
			'## Token (signature redacted)',
			'',
			...fenced('json', [
				json({
					header: model.token?.header,
					claims: model.token?.claims,
					signature: report.token.signature,
				}),
			]),
			'',
		);
	}

	if (report.vault?.roleData) lines.push('## Role', '', ...fenced('json', [json(model.vault?.roleData)]), '');
	if (report.vault?.configData)
		lines.push('## Auth method configuration', '', ...fenced('json', [json(model.vault?.configData)]), '');

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
			`### ${statusLabel[check.status].symbol} ${check.title}${check.problem ? ` (${code(check.problem)})` : ''}`,
			'',
			check.message,
			'',
		);
		if (check.expected !== undefined) lines.push(`- expected: ${code(formatValue(check.expected))}`);
		if (check.actual !== undefined) lines.push(`- actual: ${code(formatValue(check.actual))}`);
		if (check.hint) lines.push(`- why: ${check.hint}`);
		if (check.vaultMessage) lines.push(`- Vault's message: ${code(check.vaultMessage)}`);
		if (check.fix) {
			lines.push(`- fix: ${check.fix.summary}`, '', ...fenced('sh', check.fix.commands));
			if (check.fix.docs) lines.push('', `Docs: ${check.fix.docs}`);
		}

		lines.push('');
	}

	lines.push('## Timings', '', ...report.steps.map(step => `- ${step.id}: ${step.ms} ms`), '');
	return `${lines.join('\n')}`;
}

const longestBacktickRun = (text: string) =>
	Math.max(0, ...[...text.matchAll(/`+/g)].map(run => run[0].length));

/** A fenced block whose fence is longer than any backtick run in it (CommonMark), so no value inside can close it. */
function fenced(info: string, body: string[]): string[] {
	const fence = '`'.repeat(Math.max(3, longestBacktickRun(body.join('\n')) + 1));
	return [`${fence}${info}`, ...body, fence];
}

/** An inline code span that a backtick inside cannot end early. */
function code(text: string): string {
	const ticks = '`'.repeat(longestBacktickRun(text) + 1);
	const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
	return `${ticks}${pad}${text}${pad}${ticks}`;
}

function escapeCell(text: string): string {
	return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}
