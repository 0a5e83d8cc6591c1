import {decodeJwt, decodeProtectedHeader} from 'jose';
import {depthProblem} from '../bounds.js';
import type {ProblemId} from '../problems/catalogue.js';

export type DecodedToken = {
	ok: true;
	/** The compact form as Vault parses it (go-jose strips all white space first). */
	compact: string;
	header: Record<string, unknown>;
	claims: Record<string, unknown>;
	signaturePresent: boolean;
	notes: string[];
};

export type UndecodableToken = {
	ok: false;
	problem: ProblemId;
	/** `bounds`: larger or deeper than the doctor reads; the caller stops with exit 2. */
	kind: 'empty' | 'vault-token' | 'quoted' | 'jwe' | 'parts' | 'base64' | 'json' | 'not-object' | 'bounds';
	/** What is wrong, in words a person acts on. */
	reason: string;
	/** go-jose's parse error for this input, as Vault prints it after its prefixes. */
	parseError: string;
};

export type TokenInspection = DecodedToken | UndecodableToken;

const base64UrlAlphabet = /^[A-Za-z0-9_-]*$/;

/** Far above any real token (Azure's group-heavy ones stay under 16 KiB); the same bound as standard input. */
export const maxTokenBytes = 4 * 1024 * 1024;

/** The parse error of input beyond the doctor's bounds: what Vault would say is not worked out. */
const notJudged = '(not judged: beyond the size or depth the doctor reads)';

/** Reads a token without verifying it, and says precisely why when it cannot be read. */
export function inspectToken(raw: string): TokenInspection {
	if (raw.length > maxTokenBytes)
		return fail(
			'bounds',
			'token-malformed',
			`The token is ${raw.length} characters long, more than the ${maxTokenBytes} the doctor reads; no issuer mints tokens that large.`,
			notJudged,
		);
	const compact = raw.replace(/\s+/g, '');
	const notes: string[] = [];
	if (compact !== raw)
		notes.push('white space around or inside the token was ignored (Vault ignores it too)');
	const threeParts = 'go-jose/go-jose: compact JWS format must have three parts';

	if (compact === '') {
		return fail(
			'empty',
			'platform-no-token',
			'The token is empty: the variable or command that should provide it gave nothing.',
			threeParts,
		);
	}

	if (/^(?:hv[sbr]|s|b|r)\.[A-Za-z0-9_-]{20,}$/.test(compact)) {
		return fail(
			'vault-token',
			'token-malformed',
			'This is a Vault token (hvs./s. prefix), not an OIDC/JWT token from the platform. Pass the platform token (ona idp token, $CIRCLE_OIDC_TOKEN_V2, ...) as jwt.',
			threeParts,
		);
	}

	if (/^["'`]|["'`]$/.test(compact)) {
		return fail(
			'quoted',
			'token-malformed',
			'The token is wrapped in quotes. Strip them: jwt="$TOKEN" in a shell, not jwt="\'$TOKEN\'".',
			base64Error(compact.split('.')[0] ?? ''),
		);
	}

	const parts = compact.split('.');
	if (parts.length === 5) {
		return fail(
			'jwe',
			'token-malformed',
			'This is an encrypted token (JWE, five parts). Vault needs a signed token (JWS, three parts); ask the issuer for an unencrypted ID token.',
			threeParts,
		);
	}

	if (parts.length !== 3) {
		return fail(
			'parts',
			'token-malformed',
			`The token has ${parts.length} part${parts.length === 1 ? '' : 's'} separated by dots; a JWT has three (header.payload.signature). It was probably cut short or pasted incompletely.`,
			threeParts,
		);
	}

	for (const [index, part] of parts.entries()) {
		if (!base64UrlAlphabet.test(part) || part.length % 4 === 1) {
			const name = ['header', 'payload', 'signature'][index];
			return fail(
				'base64',
				'token-malformed',
				`The ${name} part is not base64url text (it contains "${firstIllegal(part) ?? 'a truncated last block'}"). The token was altered or pasted with extra characters.`,
				base64Error(part),
			);
		}
	}

	for (const [index, name] of ['header', 'payload'].entries()) {
		const problem = depthProblem(
			Buffer.from(parts[index]!, 'base64url').toString('utf8'),
			`The token's ${name}`,
		);
		if (problem) return fail('bounds', 'token-malformed', problem, notJudged);
	}

	let header: Record<string, unknown>;
	let claims: Record<string, unknown>;
	try {
		header = decodeProtectedHeader(compact) as Record<string, unknown>;
	} catch {
		return fail(
			'json',
			'token-malformed',
			'The header part does not decode to a JSON object.',
			'invalid character looking for beginning of value',
		);
	}

	try {
		claims = decodeJwt(compact) as Record<string, unknown>;
	} catch {
		return fail(
			'not-object',
			'token-malformed',
			'The payload part does not decode to a JSON object of claims.',
			'invalid character looking for beginning of value',
		);
	}

	return {ok: true, compact, header, claims, signaturePresent: parts[2] !== '', notes};
}

function fail(
	kind: UndecodableToken['kind'],
	problem: ProblemId,
	reason: string,
	parseError: string,
): UndecodableToken {
	return {ok: false, problem, kind, reason, parseError};
}

function firstIllegal(part: string): string | undefined {
	return [...part].find(character => !/[A-Za-z0-9_-]/.test(character));
}

/** Go's base64.CorruptInputError text for RawURLEncoding. */
function base64Error(part: string): string {
	const index = [...part].findIndex(character => !/[A-Za-z0-9_-]/.test(character));
	const offset = index === -1 ? part.length - 1 : Buffer.byteLength([...part].slice(0, index).join(''));
	return `illegal base64 data at input byte ${Math.max(offset, 0)}`;
}
