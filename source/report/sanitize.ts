import type {CheckId} from '../core/check.js';
import {sanitize} from '../core/display-text.js';
import type {DoctorReport, ReportCheck} from '../core/doctor/diagnose.js';

export {sanitize};

/*
Text from outside (claims, Vault's and the issuer's answers, files) reaches a terminal only through here: every
control character, escape sequence introducer and invisible reordering mark is shown escaped, never interpreted.
The doctor's own colours are added after this, by the renderers, so they are unaffected.
*/

/** Text whose line breaks are the doctor's own (a multi-line command, pretty JSON): each line sanitised. */
export function sanitizeLines(text: string): string {
	return text.split('\n').map(sanitize).join('\n');
}

/** Object keys sanitised at every depth (values are shown through formatValue, which escapes them). */
function safeKeys<T>(value: T): T {
	if (Array.isArray(value)) return value.map(safeKeys) as T;
	if (typeof value !== 'object' || value === null || 'toJSON' in value) return value;
	return Object.fromEntries(
		Object.entries(value).map(([key, element]) => [sanitize(key), safeKeys(element)]),
	) as T;
}

const optional = <K extends string>(key: K, value: string | undefined) =>
	(value === undefined ? {} : {[key]: sanitize(value)}) as Partial<Record<K, string>>;

function checkView(check: ReportCheck): ReportCheck {
	return {
		...check,
		id: sanitize(check.id) as CheckId,
		title: sanitize(check.title),
		message: sanitize(check.message),
		...optional('hint', check.hint),
		...optional('claim', check.claim),
		...optional('vaultMessage', check.vaultMessage),
		...(check.fix
			? {
					fix: {
						...check.fix,
						summary: sanitize(check.fix.summary),
						commands: check.fix.commands.map(sanitizeLines),
						...optional('docs', check.fix.docs),
					},
				}
			: {}),
	};
}

/**
The report as screens show it (text, Markdown, TUI): free text sanitised, structured values kept as data so the
fixes still apply exactly (mount, role and fix.change are untouched; values pass through formatValue).
*/
export function reportView(report: DoctorReport): DoctorReport {
	const {token, vault, login} = report;
	return {
		...report,
		login: {
			...login,
			predicted: login.predicted === null ? null : sanitize(login.predicted),
			...(login.actual === undefined ? {} : {actual: login.actual === null ? null : sanitize(login.actual)}),
		},
		token: token
			? {
					...token,
					source: sanitize(token.source),
					...optional('why', token.why),
					platform: sanitize(token.platform),
					header: safeKeys(token.header),
					claims: safeKeys(token.claims),
				}
			: null,
		vault: vault
			? {
					...vault,
					addr: sanitize(vault.addr),
					...optional('mount', vault.mount),
					...optional('role', vault.role),
					...optional('namespace', vault.namespace),
					...optional('version', vault.version),
					...optional('mountReason', vault.mountReason),
					...optional('roleReason', vault.roleReason),
					...optional('behaviour', vault.behaviour),
					...(vault.roleData ? {roleData: safeKeys(vault.roleData)} : {}),
					...(vault.configData ? {configData: safeKeys(vault.configData)} : {}),
				}
			: null,
		checks: report.checks.map(checkView),
	};
}
