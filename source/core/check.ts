import type {ProblemId} from './problems/catalogue.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export type Check = {
	id: string;
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
	/** For a check not run because an earlier step failed: that step's id. */
	blockedBy?: string;
};
