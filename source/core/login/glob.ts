/**
The matcher Vault uses for `bound_claims_type=glob` (ryanuber/go-glob v1.0.0): only `*` is special and it
matches any run of characters, newlines included. There is no `?`, no `[...]` and no escaping; matching is
case-sensitive and anchored at both ends. Each literal part is searched for at its first occurrence, left to
right, as go-glob does.
*/
export function goGlob(pattern: string, subject: string): boolean {
	if (pattern === '') return subject === '';
	if (pattern === '*') return true;

	const parts = pattern.split('*');
	if (parts.length === 1) return subject === pattern;

	const leadingWildcard = pattern.startsWith('*');
	const trailingWildcard = pattern.endsWith('*');
	const last = parts.length - 1;
	let rest = subject;

	for (let index = 0; index < last; index++) {
		const part = parts[index]!;
		const at = rest.indexOf(part);
		if (index === 0 ? !leadingWildcard && at !== 0 : at < 0) return false;
		rest = rest.slice(at + part.length);
	}

	return trailingWildcard || rest.endsWith(parts[last]!);
}
