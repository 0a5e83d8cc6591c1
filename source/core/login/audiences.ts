/**
The token's audiences as a list, for the checks, fixes and pickers that name them: a list claim gives each
element as text, a string claim gives itself, an empty string or anything else gives none (an empty audience is
nothing to request or bind). The login model reads aud as go-jose does, in registered-claims.ts.
*/
export function tokenAudiences(claims: Record<string, unknown> | undefined): string[] {
	const aud = claims?.['aud'];
	if (Array.isArray(aud)) return aud.map(String);
	return typeof aud === 'string' && aud !== '' ? [aud] : [];
}
