import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';

function declare(command: Command) {
	return command
		.description('restore a role, config or policy from a backup made by --apply or onboard --apply')
		.argument('<backup>', 'the backup file')
		.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR; never the one written in the backup)')
		.option('--other-address', "restore although this Vault's address differs from the backup's")
		.option('--yes', 'do not ask');
}

export type RestoreFlags = ReturnType<ReturnType<typeof declare>['opts']>;

/** `restore <backup>`: a role or config put back as it was before a change. */
export function restoreCommand(program: Command, {output, stdin, setCode}: CommandContext) {
	return declare(program.command('restore')).action(async (file, flags) => {
		const {runRestore} = await import('./run.js');
		setCode(await runRestore(file, flags, output, stdin));
	});
}
