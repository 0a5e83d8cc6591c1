import type {ProblemId} from './problems/catalogue.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/**
Every check's id: the group before the dot (token, vault, issuer, login, role, access, config), then what is
checked; a step's own id (issuer, access) when it could not run. A bound-claim check names its key after a
slash (and carries it as `claim`), a secret check its path, a role-lint glob finding its key.
*/
export type CheckId =
	| 'token.source'
	| 'token.present'
	| 'token.decode'
	| 'token.platform'
	| 'token.audience'
	| 'token.times'
	| 'vault.health'
	| 'vault.tls-verify'
	| 'vault.address'
	| 'vault.redirect'
	| 'vault.clock'
	| 'vault.mount'
	| 'vault.issuer-mount'
	| 'vault.read-config'
	| 'vault.read-role'
	| 'vault.config'
	| 'vault.role'
	| 'config.algorithms'
	| 'config.bound-issuer'
	| 'config.client-id'
	| 'issuer.discovery'
	| 'issuer.vault-trusts'
	| 'issuer.algorithm'
	| 'issuer.jwks'
	| 'issuer.signature'
	| 'issuer.from-vault'
	| 'role.lint'
	| 'role.type'
	| 'role.bindings'
	| 'role.audience'
	| 'role.scope'
	| `role.glob/${string}`
	| 'role.ttl'
	| 'role.forks'
	| 'role.context'
	| 'role.policies'
	| 'login.model'
	| 'login.role-name'
	| 'login.role-type'
	| 'login.validator'
	| 'login.provider'
	| 'login.cidr'
	| 'login.signature'
	| 'login.algorithm'
	| 'login.issuer'
	| 'login.times'
	| 'login.audience'
	| 'login.audience-unbound'
	| 'login.subject'
	| 'login.bound-claims'
	| `login.bound-claims/${string}`
	| 'login.claim-types'
	| 'login.claim-mappings'
	| 'login.groups-claim'
	| 'login.user-claim'
	| 'login.attempt'
	| 'login.agreement'
	| 'issuer'
	| 'access'
	| 'access.token'
	| `access.secret/${string}`
	| 'access.revoke';

export type Check = {
	id: CheckId;
	title: string;
	status: CheckStatus;
	problem?: ProblemId;
	/** One sentence on what was found, with values. */
	message: string;
	expected?: unknown;
	actual?: unknown;
	/** Vault's own error text for this step, had it been the first failing one. */
	vaultMessage?: string;
	/** Why two values that look alike still differ, or what to look at next. */
	hint?: string;
	/** For findings about a role's safety: how much it matters (audit --fail-on compares against it). */
	severity?: 'high' | 'medium' | 'low';
	/** The Vault path a check of access is about (a secret path the policies must grant). */
	path?: string;
	/** For a bound-claim check (login.bound-claims/<key>): the bound_claims key it is about. */
	claim?: string;
	/** For a check not run because an earlier step failed: that step's id. */
	blockedBy?: string;
};
