/* What the steps share: the Step type, one-check outcomes, the reader, and why the reader's reads were refused. */
import type {Check, CheckId} from '../../check.js';
import {VaultReader} from '../../probes/vault.js';
import type {DoctorContext} from '../context.js';
import type {StepDefinition, StepOutcome} from '../engine.js';
export type Step = StepDefinition<DoctorContext>;

/** An outcome of exactly one check. */
export const single = (
	id: CheckId,
	title: string,
	status: Check['status'],
	message: string,
): StepOutcome => ({
	checks: [{id, title, status, message}],
});

export const offlineSkip = (id: CheckId, title: string): StepOutcome =>
	single(id, title, 'skip', 'Not checked: --offline.');

export const reader = (context: DoctorContext) => new VaultReader(context.connection!);

/**
Why the reader's reads were refused: no Vault token at all, a token Vault does not know (lookup-self refused:
invalid or expired), or a valid token without the policy. The sentence is the subject of "... may not read X".
*/
export async function readerTokenState(
	context: DoctorContext,
): Promise<{state: 'none' | 'invalid' | 'valid'; sentence: string}> {
	if (context.readerToken) return context.readerToken;
	const connection = context.connection!;
	let result: {state: 'none' | 'invalid' | 'valid'; sentence: string};
	if (!connection.token) {
		result = {
			state: 'none',
			sentence: 'No Vault token is set (VAULT_TOKEN or ~/.vault-token), and without one the doctor',
		};
	} else {
		const lookup = await reader(context).lookupSelf();
		result =
			!lookup.ok && (lookup.denied || lookup.status === 401)
				? {
						state: 'invalid',
						sentence: `The Vault token in ${connection.tokenSource ?? 'VAULT_TOKEN'} is invalid or expired (Vault refused its own lookup-self; log in again), so it`,
					}
				: {state: 'valid', sentence: `The Vault token in ${connection.tokenSource ?? 'VAULT_TOKEN'}`};
	}

	context.readerToken = result;
	return result;
}
