import type {JWK} from 'jose';
import type {JwtConfig} from '../login/config.js';
import {parseRole} from '../login/role.js';
import {simulateParsedLogin} from '../login/simulate-login.js';
import type {VaultReader} from '../probes/vault.js';
import {forEachLimited, listRoles, rolePath} from './audit.js';

export type RoleCandidate = {
	role: string;
	allowed: boolean;
	vaultError: string | null;
	firstFailure?: {id: string; problem?: string; message: string};
	failures: number;
};

export type FindRolesInput = {
	mount: string;
	/** The compact JWT the workload would send. */
	token: string;
	/** The mount's config; null when it was never written, undefined when unknown (checks needing it skip). */
	config?: JwtConfig | null;
	pluginVersion?: string;
	now?: number;
	issuer?: {discoveryIssuer?: string; jwks?: {keys: unknown[]}};
	/** Most role reads in flight at once; default 16. */
	concurrency?: number;
};

/** Thrown when the mount's roles cannot be listed: there is nothing to rank. */
export class RoleListError extends Error {
	override name = 'RoleListError';
}

/** Which roles of a mount would accept the token: every role is simulated, the ones that accept come first. */
export async function findRoles(
	reader: VaultReader,
	input: FindRolesInput,
): Promise<{candidates: RoleCandidate[]; unreadable: string[]}> {
	const listing = await listRoles(reader, input.mount);
	if (!listing.ok) throw new RoleListError(listing.message);
	const candidates: RoleCandidate[] = [];
	const unreadable: string[] = [];
	const issuer = input.issuer as {discoveryIssuer?: string; jwks?: {keys: JWK[]}} | undefined;
	await forEachLimited(listing.names, input.concurrency ?? 16, async name => {
		const answer = await reader.read(rolePath(input.mount, name));
		if (!answer.ok) {
			unreadable.push(name);
			return;
		}

		const result = await simulateParsedLogin({
			token: input.token,
			role: parseRole(answer.data),
			roleName: name,
			...(input.config === undefined ? {} : {config: input.config}),
			...(input.pluginVersion === undefined ? {} : {pluginVersion: input.pluginVersion}),
			...(input.now === undefined ? {} : {now: input.now}),
			...(issuer ? {issuer} : {}),
		});
		const failed = result.checks.filter(check => check.status === 'fail');
		const first = failed[0];
		candidates.push({
			role: name,
			allowed: result.allowed,
			vaultError: result.vaultError,
			...(first
				? {
						firstFailure: {
							id: first.id,
							...(first.problem ? {problem: first.problem} : {}),
							message: first.message,
						},
					}
				: {}),
			failures: failed.length,
		});
	});

	candidates.sort(
		(a, b) =>
			Number(b.allowed) - Number(a.allowed) ||
			a.failures - b.failures ||
			(a.role < b.role ? -1 : a.role > b.role ? 1 : 0),
	);
	unreadable.sort();
	return {candidates, unreadable};
}
