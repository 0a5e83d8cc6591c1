import {isLosslessNumber} from 'lossless-json';
import {goGlob} from './glob.js';
import {GoNumber, type GoValue, goBadVerbE, goEqual, goFormat, goIntText, isGoMap} from './go-values.js';

export type Claims = {[key: string]: GoValue};

/**
Resolves a claim the way the plugin's getClaim does: a key starting with `/` is an RFC 6901 JSON pointer
(mitchellh/pointerstructure), any other key is a literal top-level name, dots and slashes included.
`null` and missing are the same. With `numericClaims` (plugin v0.19.0+), a resolved float64 becomes a
json.Number holding the text of Go's `int(value)`; numbers nested in lists or objects stay float64.
*/
export function getClaim(
	claims: Claims,
	key: string,
	options: {numericClaims: boolean},
): GoValue | undefined {
	const value = key.startsWith('/') ? resolvePointer(claims, key) : ownValue(claims, key);
	if (value === undefined || value === null) return undefined;
	if (options.numericClaims && typeof value === 'number') return new GoNumber(goIntText(value));
	return value;
}

function ownValue(object: {[key: string]: GoValue}, key: string): GoValue | undefined {
	return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function parsePointer(pointer: string): string[] {
	if (pointer === '') return [];
	return pointer
		.slice(1)
		.split('/')
		.map(part => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function resolvePointer(claims: Claims, pointer: string): GoValue | undefined {
	let current: GoValue | undefined = claims;
	for (const part of parsePointer(pointer)) {
		if (Array.isArray(current)) {
			const index = sliceIndex(part);
			if (index === undefined || index < 0 || index >= current.length) return undefined;
			current = current[index];
		} else if (isGoMap(current)) {
			current = ownValue(current, part);
		} else {
			return undefined;
		}

		if (current === undefined) return undefined;
	}

	return current;
}

/**
pointerstructure turns a list index into an int with mapstructure's weak decoding: strconv.ParseInt(text, 0, 64),
so "" is 0, "01" is octal, "0x2" is hex and underscores may separate digits.
*/
function sliceIndex(text: string): number | undefined {
	if (text === '') return 0;
	const match = /^([+-]?)(0[xX]|0[oO]|0[bB]|0(?=[0-7_]))?(_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*)$/.exec(text);
	if (!match) return undefined;
	const [, sign, prefix = '', body] = match;
	if (body!.startsWith('_') && prefix === '') return undefined;
	const radix = {'': 10, '0': 8, '0x': 16, '0o': 8, '0b': 2}[prefix.toLowerCase()] ?? 10;
	const digits = body!.replaceAll('_', '');
	const valid = {2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^\d+$/, 16: /^[0-9a-fA-F]+$/}[radix as 2 | 8 | 10 | 16];
	if (!valid.test(digits)) return undefined;
	const value = Number.parseInt(digits, radix) * (sign === '-' ? -1 : 1);
	return Number.isSafeInteger(value) ? value : undefined;
}

type Container = GoValue[] | {[key: string]: GoValue};

/**
Copies a decoded JSON value, converting its numbers with `number`; iterative, because a token may nest claims
thousands of levels deep (Go decodes up to 10,000) and recursion would overflow the stack.
*/
function convertJson(root: unknown, number: (value: unknown) => GoValue | undefined): GoValue {
	const leaf = (value: unknown): GoValue | undefined => {
		const converted = number(value);
		if (converted !== undefined) return converted;
		if (
			typeof value === 'string' ||
			typeof value === 'boolean' ||
			typeof value === 'number' ||
			value === null
		)
			return value;
		return undefined;
	};

	const rootLeaf = leaf(root);
	if (rootLeaf !== undefined || typeof root !== 'object' || root === null) return rootLeaf ?? null;
	const result: Container = Array.isArray(root) ? [] : {};
	const stack: Array<[unknown, Container]> = [[root, result]];
	while (stack.length > 0) {
		const [source, target] = stack.pop()!;
		const entries: Array<[string | number, unknown]> = Array.isArray(source)
			? source.map((element, index) => [index, element])
			: Object.entries(source as object);
		for (const [key, element] of entries) {
			let value = leaf(element);
			if (value === undefined && typeof element === 'object' && element !== null) {
				const child: Container = Array.isArray(element) ? [] : {};
				stack.push([element, child]);
				value = child;
			}

			if (value === undefined) {
				if (Array.isArray(target)) target.push(null);
				continue;
			}

			if (Array.isArray(target)) target.push(value);
			else target[key as string] = value;
		}
	}

	return result;
}

/** Bound values as Vault stores them: numbers are json.Number with their literal text. */
export function toBoundValue(value: unknown): GoValue {
	return convertJson(value, element => {
		if (element instanceof GoNumber) return element;
		if (isLosslessNumber(element)) return new GoNumber((element as {value: string}).value);
		return typeof element === 'number' ? new GoNumber(String(element)) : undefined;
	});
}

/** Token claims as encoding/json decodes them: numbers are float64. */
export function toClaimValue(value: unknown): GoValue {
	return convertJson(value, element => {
		if (element instanceof GoNumber) return Number(element.text);
		return isLosslessNumber(element) ? Number((element as {value: string}).value) : undefined;
	});
}

export function normalizeList(value: GoValue, numericClaims: boolean): GoValue[] | undefined {
	if (Array.isArray(value)) return value;
	if (typeof value === 'string' || typeof value === 'boolean') return [value];
	if (numericClaims && value instanceof GoNumber) return [value];
	return undefined;
}

export type BoundClaimOutcome =
	| 'pass'
	| 'missing'
	| 'claim-type'
	| 'bound-type'
	| 'glob-type'
	| 'mismatch'
	| 'panic';

export type BoundClaimResult = {
	key: string;
	outcome: BoundClaimOutcome;
	/** The plugin's message for this key, without the `error validating claims: ` prefix (null when it passes). */
	message: string | null;
	expected: GoValue;
	actual: GoValue | undefined;
	/** For a mismatch, a hint on why values that look alike differ (type, number text, glob not enabled...). */
	hint?: string;
};

export type BoundClaimsOptions = {glob: boolean; numericClaims: boolean};

/** Evaluates every bound_claims key (Vault stops at the first failing key, in random map order). */
export function evaluateBoundClaims(
	boundClaims: {[key: string]: GoValue},
	claims: Claims,
	options: BoundClaimsOptions,
): BoundClaimResult[] {
	return Object.entries(boundClaims).map(([key, expected]) =>
		evaluateBoundClaim(key, expected, claims, options),
	);
}

function evaluateBoundClaim(
	key: string,
	expected: GoValue,
	claims: Claims,
	options: BoundClaimsOptions,
): BoundClaimResult {
	const actual = getClaim(claims, key, options);
	const result = (outcome: BoundClaimOutcome, message: string | null, hint?: string): BoundClaimResult => ({
		key,
		outcome,
		message,
		expected,
		actual,
		...(hint ? {hint} : {}),
	});

	if (actual === undefined) return result('missing', `claim "${key}" is missing`);

	const typeWords = options.numericClaims ? 'a string, bool, int or list' : 'a string or list';
	const actualList = normalizeList(actual, options.numericClaims);
	if (!actualList) return result('claim-type', `received claim is not ${typeWords}: ${goFormat(actual)}`);
	const expectedList = normalizeList(expected, options.numericClaims);
	if (!expectedList) return result('bound-type', `bound claim is not ${typeWords}: ${goFormat(expected)}`);

	for (const expectedElement of expectedList) {
		for (const actualElement of actualList) {
			if (options.glob) {
				if (typeof expectedElement !== 'string') {
					return result(
						'glob-type',
						`received claim is not a glob string: ${goBadVerbE(expectedElement)}xpVal`,
					);
				}

				if (typeof actualElement === 'string' && goGlob(expectedElement, actualElement))
					return result('pass', null);
				continue;
			}

			const equal = goEqual(actualElement, expectedElement);
			if (equal === 'panic') {
				return result(
					'panic',
					null,
					'Go cannot compare two lists or two objects; the plugin would panic here.',
				);
			}

			if (equal) return result('pass', null);
		}
	}

	return result(
		'mismatch',
		`claim "${key}" does not match any associated bound claim values`,
		mismatchHint(expectedList, actualList, options),
	);
}

function mismatchHint(
	expected: GoValue[],
	actual: GoValue[],
	options: BoundClaimsOptions,
): string | undefined {
	const loose = (value: GoValue) => (value instanceof GoNumber ? value.text : goFormat(value));
	for (const expectedElement of expected) {
		for (const actualElement of actual) {
			if (options.glob && typeof expectedElement === 'string' && typeof actualElement !== 'string') {
				if (goGlob(expectedElement, goFormat(actualElement))) {
					return `the token's value is a ${typeof actualElement === 'boolean' ? 'boolean' : 'number'}; glob matching only looks at strings`;
				}

				continue;
			}

			if (loose(expectedElement) === loose(actualElement)) {
				if (typeof actualElement === 'number') {
					return 'numbers inside a list claim never match a bound value (they stay float64 in Vault)';
				}

				return `same text, different JSON types: the role has ${describeType(expectedElement)}, the token has ${describeType(actualElement)}`;
			}

			if (expectedElement instanceof GoNumber && actualElement instanceof GoNumber) {
				if (Number(expectedElement.text) === Number(actualElement.text)) {
					return `the role's number is written "${expectedElement.text}"; Vault compares the text, and the token's value reads "${actualElement.text}"`;
				}
			}

			if (!options.glob && typeof expectedElement === 'string' && expectedElement.includes('*')) {
				if (typeof actualElement === 'string' && goGlob(expectedElement, actualElement)) {
					return 'the bound value contains `*` but bound_claims_type is "string", so `*` is literal; set bound_claims_type=glob';
				}
			}

			if (
				typeof expectedElement === 'string' &&
				typeof actualElement === 'string' &&
				expectedElement.toLowerCase() === actualElement.toLowerCase()
			) {
				return 'the values differ only in letter case; Vault compares exactly';
			}

			if (
				typeof expectedElement === 'string' &&
				typeof actualElement === 'string' &&
				expectedElement.trim() === actualElement.trim()
			) {
				return 'the values differ only in surrounding white space';
			}
		}
	}

	if (expected.length === 0) return 'the bound value is an empty list, which matches nothing';
	if (actual.length === 0) return "the token's value is an empty list, which matches nothing";
	return undefined;
}

function describeType(value: GoValue): string {
	if (typeof value === 'string') return `the string "${value}"`;
	if (typeof value === 'boolean') return `the boolean ${value}`;
	if (value instanceof GoNumber) return `the number ${value.text}`;
	return goFormat(value);
}
