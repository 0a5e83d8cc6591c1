/* The flags of a diagnosis, shared by `diagnose` and `report`. */
import {type Command, Option, type OptionValues} from '@commander-js/extra-typings';
import {invalidMountPath, invalidRoleName} from '../../core/names.js';
import {isTokenSourceName, type TokenSourceName, tokenSources} from '../../core/token-source-names.js';
import {collect, withTokenFlags, withVaultFlags} from '../flags.js';
import {UsageError} from '../io.js';

export function withDiagnosisFlags<
	Args extends unknown[],
	Opts extends OptionValues,
	Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>) {
	return withVaultFlags(withTokenFlags(command, 'the audience to request (Ona default: vault.hashicorp.com)'))
		.option('--mount <path>', 'the JWT auth mount (default: found by issuer, else jwt)')
		.option(
			'--role <name>',
			"the role (default: $IDP_VAULT_ROLE, $VAULT_ROLE, then the mount's default_role)",
		)
		.option(
			'--secret-path <path>',
			'check the login token may read this path (repeatable; KV v2 aware)',
			collect,
		)
		.option('--role-file <file>', 'the role as JSON (vault read -format=json auth/<mount>/role/<name>)')
		.option('--config-file <file>', 'the auth config as JSON (vault read -format=json auth/<mount>/config)')
		.option('--offline', 'no network at all: diagnose from the token and the files')
		.option('--no-login', 'do not try the real login')
		.option('--timeout <seconds>', 'per-request timeout', '5')
		.option('--ca-file <file>', 'extra CA certificate(s) to trust (repeatable)', collect)
		.option('--plugin-version <version>', 'judge as this plugin (v0.20.3+builtin) or Vault (1.16.3) version')
		.option('--verbose', 'show passing checks too')
		.addOption(new Option('--no-color', 'plain output'));
}

const onCommand = (command: Command) => withDiagnosisFlags(command);

export type DiagnosisFlags = ReturnType<ReturnType<typeof onCommand>['opts']>;

/**
The flags a diagnosis cannot run with, checked before anything is drawn or loaded: a usage error (exit 2).
Returns the two that need reading: the token source and the timeout in milliseconds.
*/
export function checkDiagnosisFlags(flags: DiagnosisFlags): {source: TokenSourceName; timeoutMs: number} {
	const {source} = flags;
	if (!isTokenSourceName(source)) throw new UsageError(`--source must be one of ${tokenSources.join(', ')}.`);
	const timeoutSeconds = Number(flags.timeout);
	if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 300)
		throw new UsageError('--timeout takes seconds, between 0 and 300.');
	const nameProblem =
		(flags.role === undefined ? undefined : invalidRoleName(flags.role.toLowerCase())) ??
		(flags.mount === undefined ? undefined : invalidMountPath(flags.mount));
	if (nameProblem) throw new UsageError(`${nameProblem}.`);
	return {source, timeoutMs: Math.round(timeoutSeconds * 1000)};
}
