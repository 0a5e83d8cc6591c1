/*
The JWT plugin's verdicts and wording changed across releases. A running Vault reports the plugin version in
`GET sys/auth` → `running_plugin_version` (e.g. "v0.20.3+builtin"); OpenBao's builtin reports its own version
with a `bao` marker. Everything version-dependent in the model reads a PluginBehaviour, never a raw version.
*/

export type Flavor = 'vault' | 'openbao';

export type SemVer = {major: number; minor: number; patch: number};

export type PluginBehaviour = {
	/** What the behaviour was derived from, for messages. */
	label: string;
	flavor: Flavor;
	version: SemVer | null;
	/** Plugin ≤ v0.8 (Vault ≤ 1.6): the token is checked by go-jose and go-oidc, before the plugin moved to hashicorp/cap. */
	preCap: boolean;
	/** The go-jose import path printed in library errors. */
	joseLibPrefix: 'square/go-jose' | 'go-jose/go-jose';
	/** Numeric bound_claims and claims work (plugin v0.19.0+). */
	numericClaims: boolean;
	/** A non-empty string `aud` with no bound_audiences is rejected (the CVE-2024-5798 fix). */
	strictStringAudience: boolean;
	/** `bound_claims_type=glob` exists (plugin v0.6.0+). */
	globClaims: boolean;
	/** `user_claim_json_pointer` exists (plugin v0.13.0+). */
	userClaimJsonPointer: boolean;
	/** go-oidc parses JWKS-verified tokens with an algorithm allow-list (plugin v0.20.2+, v0.17.6). */
	oidcAlgorithmAllowList: boolean;
	/** An empty jwt_supported_algs means RS256 only (plugin v0.9.0 exactly). */
	emptyAlgorithmsMeansRs256: boolean;
	/** jwks_pairs looks keys up by kid and rejects tokens without one (plugin v0.26.2+). */
	jwksPairsByKid: boolean;
	/** A mount with oidc_client_id/secret can still do JWT login (OpenBao 2.5.0+). */
	oidcFlowLogin: boolean;
};

const current: SemVer = {major: 0, minor: 26, patch: 3};

export function parseSemVer(text: string): SemVer | null {
	const match = /v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
	if (!match) return null;
	return {major: Number(match[1]), minor: Number(match[2]), patch: Number(match[3] ?? 0)};
}

export function compareSemVer(a: SemVer, b: SemVer): number {
	return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

const atLeast = (version: SemVer, text: string) => compareSemVer(version, parseSemVer(text)!) >= 0;
const is = (version: SemVer, text: string) => compareSemVer(version, parseSemVer(text)!) === 0;

/** Releases that applied the strict rule to a string `aud` (plugin PRs #295/#308/#310 and their reverts). */
function strictStringAudienceFor(version: SemVer): boolean {
	if (atLeast(version, '0.21.0')) return true;
	return ['0.16.1', '0.17.3', '0.17.5', '0.20.3'].some(release => is(version, release));
}

/**
Behaviour for a plugin version as reported by sys/auth ("v0.20.3+builtin"); a Vault server version ("1.16.3")
is mapped to its plugin; undefined or unparsable means current Vault.
*/
export function pluginBehaviour(pluginVersion?: string | null): PluginBehaviour {
	const text = pluginVersion?.trim() ?? '';
	if (/bao/i.test(text)) return openBaoBehaviour(text);
	const version = parseSemVer(text);
	if (version?.major === 1) return behaviourForVaultVersion(text);
	if (!version || version.major >= 2)
		return vaultPluginBehaviour(current, text ? `Vault ${text}` : 'current Vault');
	return vaultPluginBehaviour(version, `plugin ${text}`);
}

function vaultPluginBehaviour(version: SemVer, label: string): PluginBehaviour {
	return {
		label,
		flavor: 'vault',
		version,
		preCap: !atLeast(version, '0.9.0'),
		// cap moved to go-jose v3 in plugin v0.15.1 (its changelog; the real v0.15.2 says go-jose/go-jose).
		joseLibPrefix: atLeast(version, '0.15.1') ? 'go-jose/go-jose' : 'square/go-jose',
		numericClaims: atLeast(version, '0.19.0'),
		strictStringAudience: strictStringAudienceFor(version),
		globClaims: atLeast(version, '0.6.0'),
		userClaimJsonPointer: atLeast(version, '0.13.0'),
		oidcAlgorithmAllowList:
			atLeast(version, '0.20.2') ||
			(version.minor === 17 && version.major === 0 && atLeast(version, '0.17.6')),
		emptyAlgorithmsMeansRs256: is(version, '0.9.0'),
		jwksPairsByKid: atLeast(version, '0.26.2'),
		oidcFlowLogin: false,
	};
}

function openBaoBehaviour(text: string): PluginBehaviour {
	const version = parseSemVer(text) ?? {major: 2, minor: 5, patch: 0};
	return {
		label: `OpenBao ${text}`,
		flavor: 'openbao',
		version,
		preCap: false,
		joseLibPrefix: 'go-jose/go-jose',
		numericClaims: true,
		strictStringAudience: true,
		globClaims: true,
		userClaimJsonPointer: true,
		oidcAlgorithmAllowList: true,
		emptyAlgorithmsMeansRs256: false,
		jwksPairsByKid: false,
		oidcFlowLogin: atLeast(version, '2.5.0'),
	};
}

/**
Behaviour from a Vault server version (sys/health `version`), for when sys/auth cannot be read.
The mapping follows the plugin's release branches; patch-level details are approximate and named as such.
*/
export function behaviourForVaultVersion(vaultVersion: string): PluginBehaviour {
	const vault = parseSemVer(vaultVersion);
	if (!vault) return pluginBehaviour();
	const plugin = pluginVersionForVault(vault);
	return {
		...pluginBehaviour(`v${plugin.major}.${plugin.minor}.${plugin.patch}`),
		label: `Vault ${vaultVersion}`,
	};
}

function pluginVersionForVault(vault: SemVer): SemVer {
	if (vault.major >= 2) return current;
	const lines: Array<[number, string]> = [
		[3, '0.5.2'],
		[4, '0.6.2'],
		[5, '0.7.3'],
		[6, '0.8.2'],
		[7, '0.9.4'],
		[8, '0.10.1'],
		[9, '0.11.4'],
		[10, '0.12.3'],
		[11, '0.13.2'],
		[12, '0.14.5'],
		[13, '0.15.2'],
		[14, '0.16.0'],
		[15, '0.17.2'],
		[16, '0.20.1'],
		[17, '0.21.0'],
		[18, '0.22.0'],
		[19, '0.23.0'],
		[20, '0.24.0'],
		[21, '0.25.0'],
	];
	if (vault.minor === 16) {
		if (vault.patch >= 4) return parseSemVer('0.20.5')!;
		if (vault.patch === 3) return parseSemVer('0.20.3')!;
		if (vault.patch === 2) return parseSemVer('0.20.2')!;
	}

	if (vault.minor === 15) {
		if (vault.patch >= 10) return parseSemVer('0.17.6')!;
		if (vault.patch === 9) return parseSemVer('0.17.3')!;
	}

	const line = lines.find(([minor]) => minor === vault.minor);
	if (line) return parseSemVer(line[1])!;
	return vault.minor < 3 ? parseSemVer('0.5.1')! : current;
}
