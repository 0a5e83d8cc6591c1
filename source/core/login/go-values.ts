/*
Vault's plugin is written in Go, and several of its verdicts and messages depend on Go's dynamic types:
a claim decoded by encoding/json is a float64, a bound value stored by Vault is a json.Number holding the
literal text, and `==` on interface values compares type and value. This module models exactly that.
*/

/** A Go `json.Number`: a number kept as its decimal text. `123`, `123.0` and `1e3` are three different values. */
export class GoNumber {
	constructor(readonly text: string) {}

	toJSON(): unknown {
		const value = Number(this.text);
		return Number.isFinite(value) && String(value) === this.text ? value : this.text;
	}

	toString(): string {
		return this.text;
	}
}

export type GoValue = string | boolean | number | GoNumber | null | GoValue[] | {[key: string]: GoValue};

export function isGoMap(value: unknown): value is {[key: string]: GoValue} {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof GoNumber);
}

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** The decimal text of Go's `int(f)` for a float64 on amd64 (truncation; out-of-range gives the minimum int64). */
export function goIntText(value: number): string {
	if (!Number.isFinite(value)) return int64Min.toString();
	const truncated = BigInt(Math.trunc(value));
	if (truncated < int64Min || truncated > int64Max) return int64Min.toString();
	return truncated.toString();
}

/** Go's `%v` for a float64: strconv 'g' with the shortest digits, so the exponent form is used below 1e-4 and from 1e6 on. */
export function goFloatText(value: number): string {
	if (Number.isNaN(value)) return 'NaN';
	if (value === Number.POSITIVE_INFINITY) return '+Inf';
	if (value === Number.NEGATIVE_INFINITY) return '-Inf';
	if (value === 0) return Object.is(value, -0) ? '-0' : '0';
	const [mantissa, exponentText] = value.toExponential().split('e') as [string, string];
	const exponent = Number(exponentText);
	if (exponent < -4 || exponent >= 6) {
		const sign = exponent < 0 ? '-' : '+';
		return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
	}

	return String(value);
}

/** Go's `fmt` `%v` of a decoded JSON value. Maps print with sorted keys, as fmt does. */
/** Nesting printed in full; deeper values are elided rather than overflowing the stack (Go would print them all). */
const printDepth = 200;

export function goFormat(value: GoValue | undefined, depth = 0): string {
	if (value === null || value === undefined) return '<nil>';
	if (typeof value === 'string') return value;
	if (typeof value === 'boolean') return value ? 'true' : 'false';
	if (typeof value === 'number') return goFloatText(value);
	if (value instanceof GoNumber) return value.text;
	if (depth >= printDepth) return Array.isArray(value) ? '[…]' : 'map[…]';
	if (Array.isArray(value)) return `[${value.map(element => goFormat(element, depth + 1)).join(' ')}]`;
	const keys = Object.keys(value).sort(compareGoStrings);
	return `map[${keys.map(key => `${key}:${goFormat(value[key], depth + 1)}`).join(' ')}]`;
}

/** Go's `%e` verb applied to a value that is not a float: the `%!e(type=value)` form fmt prints for a bad verb. */
export function goBadVerbE(value: GoValue, depth = 0): string {
	if (value === null) return '%!e(<nil>)';
	if (typeof value === 'string') return `%!e(string=${value})`;
	if (typeof value === 'boolean') return `%!e(bool=${value ? 'true' : 'false'})`;
	if (value instanceof GoNumber) return `%!e(json.Number=${value.text})`;
	if (typeof value === 'number') return goFloatE(value);
	if (depth >= printDepth) return Array.isArray(value) ? '[…]' : 'map[…]';
	if (Array.isArray(value)) return `[${value.map(element => goBadVerbE(element, depth + 1)).join(' ')}]`;
	const keys = Object.keys(value).sort(compareGoStrings);
	return `map[${keys.map(key => `${goBadVerbE(key)}:${goBadVerbE(value[key]!, depth + 1)}`).join(' ')}]`;
}

function goFloatE(value: number): string {
	const [mantissa, exponentText] = value.toExponential(6).split('e') as [string, string];
	const exponent = Number(exponentText);
	return `${mantissa}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
}

/** Go's `==` on two interface values: same dynamic type and same value. Comparing two maps or two slices panics in Go. */
export function goEqual(a: GoValue, b: GoValue): boolean | 'panic' {
	if (a instanceof GoNumber || b instanceof GoNumber) {
		return a instanceof GoNumber && b instanceof GoNumber && a.text === b.text;
	}

	if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) ? 'panic' : false;
	if (isGoMap(a) || isGoMap(b)) return isGoMap(a) && isGoMap(b) ? 'panic' : false;
	return typeof a === typeof b && a === b;
}

/** Go compares strings byte-wise (UTF-8), which differs from JS's UTF-16 order for astral characters. */
export function compareGoStrings(a: string, b: string): number {
	return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A short human name for a value's JSON type, for messages. */
export function jsonTypeName(value: GoValue | undefined): string {
	if (value === undefined) return 'absent';
	if (value === null) return 'null';
	if (typeof value === 'string') return 'string';
	if (typeof value === 'boolean') return 'boolean';
	if (typeof value === 'number' || value instanceof GoNumber) return 'number';
	if (Array.isArray(value)) return 'list';
	return 'object';
}
