/*
The one escaper for text from outside (claims, Vault's and the issuer's answers, files) on its way to a person:
every control character, escape sequence introducer and invisible reordering mark is shown escaped, never
interpreted. The report's sanitiser applies it to every outside field; the fixes apply it to the comments they print.
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
