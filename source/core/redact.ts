/** Compact JWS/JWE tokens: base64url parts starting with a JSON header ("eyJ"). */
const jwtPattern = /eyJ[\w-]*\.[\w-]*\.[\w-]*(?:\.[\w-]*\.[\w-]*)?/g;
/** Vault tokens (service, batch, recovery; old "s." form) and values of X-Vault-Token headers. */
const vaultTokenPattern = /\bhv[sbr]\.[\w-]{20,}|\b[sbr]\.[A-Za-z0-9]{24}\b/g;
const headerPattern = /(x-vault-token["']?\s*[:=]\s*["']?)[^\s"',}]+/gi;

/** Hides every token in a text that will be shown: a JWT keeps its header and payload, never its signature. */
export function redactSecrets(text: string): string {
	return text
		.replace(jwtPattern, token => {
			const parts = token.split('.');
			return parts.length === 3
				? `${parts[0]}.${parts[1]}.<signature redacted>`
				: '<encrypted token redacted>';
		})
		.replace(vaultTokenPattern, '<Vault token redacted>')
		.replace(headerPattern, '$1<redacted>');
}
