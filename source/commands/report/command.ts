import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {withDiagnosisFlags} from '../diagnose/diagnosis-flags.js';

function declare(command: Command) {
	return withDiagnosisFlags(command)
		.description('write a redacted Markdown support bundle of a diagnosis, safe to paste into a ticket')
		.option('--output <file>', 'write to this file instead of standard output')
		.option('--include-personal', 'keep e-mail addresses and names from the token (default: redacted)');
}

export type ReportFlags = ReturnType<ReturnType<typeof declare>['opts']>;

/** `report`: a diagnosis, redacted, as Markdown for a support ticket. */
export function reportCommand(program: Command, {output, stdin, setCode, argv, version}: CommandContext) {
	return declare(program.command('report')).action(async flags => {
		const [{runReport}, {redactCommandLine}] = await Promise.all([
			import('./run.js'),
			import('../../report/markdown.js'),
		]);
		const command = `ona-vault-doctor ${redactCommandLine(argv)}`.trimEnd();
		setCode(await runReport(flags, output, stdin, command, version));
	});
}
