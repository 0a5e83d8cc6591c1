/*
Names that become Vault paths. Vault routes a JWT role as `role/` + a generic name (a word character, then word
characters, dots or hyphens, ending in a word character), so anything else can never be a role: a name holding
`/`, `..` or an escape would address another path. Mount paths are one or more such segments.
*/

const roleName = /^\w(?:[\w.-]*\w)?$/;
const mountSegment = /^[\w][\w.-]*$/;

/** Why Vault would not take this as a role name, or undefined when it would. */
export function invalidRoleName(name: string): string | undefined {
	if (roleName.test(name)) return undefined;
	return `${JSON.stringify(name)} is not a role name Vault accepts (letters, digits, _ . - only, starting and ending with a letter, digit or _)`;
}

/** Why this cannot be an auth mount path, or undefined when it can. */
export function invalidMountPath(path: string): string | undefined {
	const segments = trimSlashes(path).split('/');
	if (path !== '' && segments.every(segment => mountSegment.test(segment) && !/^\.+$/.test(segment)))
		return undefined;
	return `${JSON.stringify(path)} is not an auth mount path (segments of letters, digits, _ . - separated by /, no "..")`;
}

/** A path without its leading and trailing slashes. */
export const trimSlashes = (path: string): string => path.replace(/^\/+|\/+$/g, '');

/** An auth mount path as given (`/auth/jwt/`, `auth/jwt`, `jwt`) in the form Vault lists it under sys/auth: `jwt`. */
export const mountPathOf = (given: string): string => trimSlashes(given).replace(/^auth\//, '');
