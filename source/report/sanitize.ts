import type {CheckId} from '../core/check.js';
import type {DoctorReport, ReportCheck} from '../core/doctor/diagnose.js';

/*
Text from outside (claims, Vault's and the issuer's answers, files) reaches a terminal only through here: every
control character, escape sequence introducer and invisible reordering mark is shown escaped, never interpreted.
The doctor's own colours are added after this, by the renderers, so they are unaffected.
*/

/** C0 controls (newline and tab included), DEL, C1 controls (0x9B is a one-byte CSI), bidi overrides and isolates, line separators. */
const unsafe = new RegExp(
	`[${String.fromCharCode(0)}-${String.fromCharCode(0x1f)}\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]`,
	'g',
);
const named: Record<string, string> = {'\n': '\\n', '\r': '\\r', '\t': '\\t'};

function escapeOne(character: string): string {
	const code = character.codePointAt(0)!;
	return named[character] ?? (code < 0x100 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');

/** One line of display text: nothing in it is interpreted by a terminal; a newline is shown as \n. */
export function sanitize(text: string): string {
	return text.replace(unsafe, escapeOne);
}

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
