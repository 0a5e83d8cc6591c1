import type {JwtConfig} from './login/config.js';

/** A JWT/OIDC auth mount and its config, when it could be read (null: never written or unreadable). */
export type MountCandidate = {path: string; config?: JwtConfig | null};

export type MountChoice = {
	/** The mount to use. */
	path: string;
	/** The mounts whose config trusts the token's issuer (bound_issuer or oidc_discovery_url), in the given order. */
	trusting: string[];
	reason: string;
};

const trim = (url: string) => url.replace(/\/+$/, '');

/** Does this mount's config trust the issuer? Compares bound_issuer and oidc_discovery_url, trailing slash aside. */
export function trustsIssuer(config: JwtConfig | null | undefined, iss: string): boolean {
	if (!config || !iss) return false;
	return [config.boundIssuer, config.oidcDiscoveryUrl].some(url => url !== '' && trim(url) === trim(iss));
}

/**
Which mount a token logs in on, when none was named: the one whose config trusts the token's issuer, else a
mount called jwt, else the first. One rule for diagnose, --find-role, onboarding and the TUI's pickers.
*/
export function chooseMount(candidates: MountCandidate[], iss: string): MountChoice | undefined {
	if (candidates.length === 0) return undefined;
	const trusting = candidates.filter(candidate => trustsIssuer(candidate.config, iss)).map(({path}) => path);
	if (candidates.length === 1) return {path: candidates[0]!.path, trusting, reason: 'the only JWT mount'};
	const first = trusting[0];
	if (first) return {path: first, trusting, reason: `its config trusts ${iss}`};
	const fallback = candidates.find(candidate => candidate.path === 'jwt') ?? candidates[0]!;
	return {path: fallback.path, trusting, reason: "no mount trusts the token's issuer"};
}

/** The mounts in picker order: those that trust the issuer first, the rest as they came. */
export function mountsInPickerOrder(mounts: string[], trusting: string[] = []): string[] {
	return [
		...mounts.filter(mount => trusting.includes(mount)),
		...mounts.filter(mount => !trusting.includes(mount)),
	];
}
