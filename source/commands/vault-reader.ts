import {defaultHttpSettings} from '../core/probes/http.js';
import {VaultReader, vaultConnectionFromEnv} from '../core/probes/vault.js';

/** A reader for the Vault of this shell: VAULT_ADDR and VAULT_TOKEN, or --vault-addr and --namespace. */
export function readerFor(
	env: NodeJS.ProcessEnv,
	flags: {vaultAddr?: string; namespace?: string},
	timeoutMs: number,
): VaultReader {
	return new VaultReader(
		vaultConnectionFromEnv(
			env,
			{
				...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
				...(flags.namespace ? {namespace: flags.namespace} : {}),
			},
			{...defaultHttpSettings, timeoutMs},
		),
	);
}
