/* Values quoted for the commands and config snippets the doctor prints: POSIX shell words and YAML scalars. */

/** Quotes a value for a POSIX shell: bare when safe, else single quotes with embedded quotes escaped. */
export function shellQuote(value: string): string {
	if (/^[\w@%+=:,./-]+$/.test(value)) return value;
	return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A value inside a YAML snippet: a JSON string is also a valid YAML double-quoted scalar. */
export const yamlQuote = (value: string) => JSON.stringify(value);
