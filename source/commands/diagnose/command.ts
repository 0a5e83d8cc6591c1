import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {UsageError} from '../io.js';
import {checkingLine, writeFirstFrame} from '../presentation.js';
import {checkDiagnosisFlags, withDiagnosisFlags} from './diagnosis-flags.js';

function declare(command: Command) {
	return withDiagnosisFlags(command)
		.description('diagnose the login of this environment or job (the default command)')
		.option('--json', 'print the report as JSON (stable schema, same exit codes)')
		.option('--show-token', 'print the token in the text report (never with --json)')
		.option('--no-tui', 'print the text report even on a terminal')
		.option('--screen-reader', 'screen-reader friendly interactive output (or INK_SCREEN_READER=true)')
		.option(
			'--apply',
			'apply the Vault-side fixes: shows the change, asks, backs up, writes, verifies, rolls back on failure',
		)
		.option('--yes', 'with --apply: do not ask (for scripts)')
		.option('--backup-dir <dir>', 'where --apply keeps backups (default ~/.ona-vault-doctor/backups)')
		.option(
			'--find-role',
			'evaluate the token against every role of the mount and list which would accept it',
		);
}

export type DiagnoseFlags = ReturnType<ReturnType<typeof declare>['opts']>;

/** Flags that cannot go together: a usage error (exit 2) before anything runs. */
function checkCombinations(flags: DiagnoseFlags): void {
	if (flags.showToken && flags.json)
		throw new UsageError(
			'--show-token cannot be combined with --json: JSON output never contains the token.',
		);
	if (flags.apply && flags.json)
		throw new UsageError('--apply asks before it writes and reports in text: do not combine it with --json.');
	if (flags.apply && flags.offline)
		throw new UsageError('--apply writes to Vault, which --offline rules out.');
	if (flags.apply && flags.roleFile && !flags.role)
		throw new UsageError(
			'--apply with --role-file needs --role: name the role in Vault that the file stands for (the change is computed from what Vault holds, never copied from the file).',
		);
}

/** `diagnose`, the default command: the interactive doctor on a terminal, a report elsewhere. */
export function diagnoseCommand(program: Command, {output, stdin, setCode, presentation}: CommandContext) {
	return declare(program.command('diagnose', {isDefault: true})).action(async flags => {
		checkDiagnosisFlags(flags);
		checkCombinations(flags);
		const {mode, color, screenReader} = presentation();
		if (flags.findRole) {
			const {runFindRole} = await import('./find-role.js');
			setCode(await runFindRole(flags, color, output, stdin));
			return;
		}

		// --show-token and --apply speak in text; everything else on a terminal gets the interactive doctor.
		if (mode === 'tui' && !flags.showToken && !flags.apply) {
			// The first frame goes out before anything else loads; the TUI takes it over.
			const checking = checkingLine(flags, output.env);
			const firstFrameLines = writeFirstFrame(
				output.stdout,
				'ona-vault-doctor',
				checking,
				screenReader,
				stdin,
			);
			void import('../../tui/run-tui.js').catch(() => {}); // loads behind the first frame
			const {runDiagnoseTui} = await import('./run-tui.js');
			setCode(await runDiagnoseTui(flags, {firstFrameLines, checking, screenReader}, output, stdin));
			return;
		}

		const {runDiagnose} = await import('./run.js');
		setCode(await runDiagnose(flags, color, output, stdin));
	});
}
