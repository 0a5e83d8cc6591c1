import {readFileSync} from 'node:fs';
import {LosslessNumber, parse as parseLossless} from 'lossless-json';

const folder = new URL('../vectors/', import.meta.url);

/** Reads a vector file with JSON.parse (numbers as JS numbers). */
export function loadVectors<T>(name: string): T[] {
	return JSON.parse(readFileSync(new URL(name, folder), 'utf8')) as T[];
}

/** Reads a vector file keeping every number's literal text, as Vault's UseNumber decoding does. */
export function loadVectorsLossless<T>(name: string): T[] {
	return parseLossless(readFileSync(new URL(name, folder), 'utf8')) as T[];
}

/**
Replaces the markers the vector files use: `{"$now": offset}` becomes now + offset (unix seconds) and
`{"$jsonNumber": "123.0"}` a number with that literal text.
*/
export function resolveMarkers(value: unknown, now: number): unknown {
	if (Array.isArray(value)) return value.map(element => resolveMarkers(element, now));
	if (value instanceof LosslessNumber) return value;
	if (typeof value === 'object' && value !== null) {
		const object = value as Record<string, unknown>;
		if ('$now' in object) return now + Number(String(object['$now']));
		if ('$jsonNumber' in object) return new LosslessNumber(String(object['$jsonNumber']));
		return Object.fromEntries(
			Object.entries(object).map(([key, element]) => [key, resolveMarkers(element, now)]),
		);
	}

	return value;
}
