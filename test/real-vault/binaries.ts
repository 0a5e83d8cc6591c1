/*
Where the real-plugin servers live. Each plugin version has its own go.mod/go.sum (the newest in server/, the
others in versions/<version>/), all built from the one server/main.go. A binary is cached outside the repository
under a key made of the version and a hash of its three source files, so a changed shim or go.sum rebuilds and
an unchanged one never does:

  ${XDG_CACHE_HOME:-$HOME/.cache}/ona-vault-doctor/real-vault/<version>-<hash>/vault-jwt-server

ONA_VAULT_DOCTOR_CACHE overrides the cache root.
*/
import {createHash} from 'node:crypto';
import {existsSync, readdirSync, readFileSync} from 'node:fs';
import {homedir} from 'node:os';
import {delimiter, join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const realVaultDir = fileURLToPath(new URL('.', import.meta.url));
const serverDir = join(realVaultDir, 'server');

export type PluginBuild = {
	/** The plugin release, e.g. "v0.26.3". */
	version: string;
	/** Why this version is in the matrix. */
	why: string;
	/** Directory holding this version's go.mod and go.sum. */
	moduleDir: string;
	/** The cached binary (may not exist yet). */
	binary: string;
	key: string;
};

/** Why each version is built: the rule it pins down (reference §1). */
const reasons: Record<string, string> = {
	'v0.15.0': '`square/go-jose` wording (cap before its go-jose v3 move); numeric claims are errors',
	'v0.15.2':
		'`go-jose/go-jose` wording already (cap moved in v0.15.1); string `aud` without bound audiences passes',
	'v0.18.0': '`go-jose/go-jose` wording; the last release before numeric claims (v0.19.0)',
	'v0.20.2': 'numeric claims; string `aud` without bound audiences still passes (Vault 1.16.2)',
	'v0.20.3': 'the strict string-`aud` rule (CVE-2024-5798, Vault 1.16.3)',
	'v0.26.3': 'the newest release (Vault 2.0): strict rule, jwks_pairs by kid',
};

export function cacheRoot(): string {
	const override = process.env['ONA_VAULT_DOCTOR_CACHE'];
	if (override) return join(override, 'real-vault');
	const base = process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
	return join(base, 'ona-vault-doctor', 'real-vault');
}

function pluginVersionOf(goMod: string): string {
	const match = /github\.com\/hashicorp\/vault-plugin-auth-jwt (v[\w.-]+)/.exec(goMod);
	if (!match?.[1]) throw new Error('go.mod does not require github.com/hashicorp/vault-plugin-auth-jwt');
	return match[1];
}

/** Every plugin version the suite builds, oldest first. */
export function pluginBuilds(): PluginBuild[] {
	const main = readFileSync(join(serverDir, 'main.go'));
	const dirs = [
		serverDir,
		...readdirSync(join(realVaultDir, 'versions')).map(name => join(realVaultDir, 'versions', name)),
	];
	const builds = dirs.map(moduleDir => {
		const goMod = readFileSync(join(moduleDir, 'go.mod'));
		const goSum = readFileSync(join(moduleDir, 'go.sum'));
		const version = pluginVersionOf(goMod.toString('utf8'));
		const hash = createHash('sha256').update(main).update('\0').update(goMod).update('\0').update(goSum);
		const key = `${version}-${hash.digest('hex').slice(0, 12)}`;
		return {
			version,
			why: reasons[version] ?? '',
			moduleDir,
			key,
			binary: join(cacheRoot(), key, 'vault-jwt-server'),
		};
	});
	return builds.sort((a, b) => a.version.localeCompare(b.version, 'en', {numeric: true}));
}

export const newestPluginVersion = () => pluginBuilds().at(-1)!.version;

/** The go command: on PATH, else the usual install place; undefined when there is none. */
export function findGo(): string | undefined {
	for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
		if (dir && existsSync(join(dir, 'go'))) return join(dir, 'go');
	}
	return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined;
}

/** The builds whose binary is in the cache, and a one-line reason when some are not. */
export function availableBuilds(): {builds: PluginBuild[]; missing: string[]} {
	const all = pluginBuilds();
	return {
		builds: all.filter(build => existsSync(build.binary)),
		missing: all.filter(build => !existsSync(build.binary)).map(build => build.version),
	};
}
