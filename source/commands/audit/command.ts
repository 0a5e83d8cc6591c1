import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {collect, withOutputFlags, withVaultFlags} from '../flags.js';

function declare(command: Command) {
	return withOutputFlags(
		withVaultFlags(
			command
				.description('lint every role of the JWT/OIDC mounts the Vault token can read')
				.option('--mount <path>', 'only this mount (repeatable)', collect)
				.option(
					'--fail-on <severity>',
					'exit 1 when a finding is at or above: high, medium, low or none (default medium); an incomplete audit exits 1 too',
				)
				.option('--concurrency <n>', 'role reads in flight', '16'),
		).option('--timeout <seconds>', 'per-request timeout', '5'),
		'print the findings as JSON',
	).option('--markdown', 'print the findings as Markdown');
}

export type AuditFlags = ReturnType<ReturnType<typeof declare>['opts']>;

/** `audit`: the roles every JWT mount holds, linted. */
export function auditCommand(program: Command, {output, setCode, presentation}: CommandContext) {
	return declare(program.command('audit')).action(async flags => {
		const {runAudit} = await import('./run.js');
		setCode(await runAudit(flags, presentation().color, output));
	});
}
