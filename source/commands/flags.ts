/* Flag groups several commands share. Each command adds the groups it takes and its own flags in its command.ts. */
import {type Command, Option, type OptionValues} from '@commander-js/extra-typings';

/** For repeatable flags: every value, in the order given. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Where the token comes from, as every command that reads one takes it. */
export function withTokenFlags<
	Args extends unknown[],
	Opts extends OptionValues,
	Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>, audience: string) {
	return command
		.option(
			'--source <source>',
			'where the token comes from: auto, ona, circleci, circleci-v1, github, gitlab, buildkite, file, env, stdin',
			'auto',
		)
		.option('--audience <aud>', audience)
		.option(
			'--token <jwt>',
			'the token itself (prefer --token-file or --token-env: arguments show up in process lists)',
		)
		.option('--token-file <path>', 'read the token from a file, or - for standard input')
		.option('--token-env <name>', 'read the token from an environment variable (GitLab id_tokens)');
}

/** Which Vault, as Vault's own CLI takes it (the environment's VAULT_ADDR and VAULT_NAMESPACE otherwise). */
export function withVaultFlags<
	Args extends unknown[],
	Opts extends OptionValues,
	Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>) {
	return command
		.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR)')
		.option('--namespace <ns>', 'Vault namespace (default: $VAULT_NAMESPACE)');
}

/** How a command that prints a result prints it; the mode itself is decided once, in cli.tsx. */
export function withOutputFlags<
	Args extends unknown[],
	Opts extends OptionValues,
	Globals extends OptionValues,
>(command: Command<Args, Opts, Globals>, json: string) {
	return command.option('--json', json).addOption(new Option('--no-color', 'plain output'));
}

/** The interactive doctor's switches, for the commands that have one. */
export function withTuiFlags<Args extends unknown[], Opts extends OptionValues, Globals extends OptionValues>(
	command: Command<Args, Opts, Globals>,
) {
	return command
		.option('--no-tui', 'print the text report even on a terminal')
		.option('--screen-reader', 'screen-reader friendly interactive output (or INK_SCREEN_READER=true)');
}
