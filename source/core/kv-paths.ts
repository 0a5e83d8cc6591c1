import {trimSlashes} from './names.js';

/**
KV v2 mounts keep secrets under data/ and list them under metadata/, which policies must name: the API paths
of a secret path on a mount of this version. One rule for the access check and for the policies onboarding writes.
*/
export function kvPaths(
	path: string,
	mountPath: string | undefined,
	version: string | undefined,
): {read: string; list?: string; kv2: boolean} {
	const clean = trimSlashes(path);
	if (version !== '2' || !mountPath) return {read: clean, kv2: false};
	const mount = mountPath.replace(/\/+$/, '');
	const rest = clean.slice(mount.length + 1);
	if (/^(?:data|metadata)\//.test(rest)) return {read: clean, kv2: true};
	return {read: `${mount}/data/${rest}`, list: `${mount}/metadata/${rest}`, kv2: true};
}
