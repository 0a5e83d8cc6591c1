import {createStyle} from '../../report/style.js';
import {renderTextReport} from '../../report/text.js';
import {verdictExitCode} from '../exit-code.js';
import type {Output} from '../io.js';
import type {DiagnoseFlags} from './command.js';
import {doctorOptions} from './doctor-options.js';
import {runDiagnosis} from './run-diagnosis.js';

/** `diagnose` printed: the JSON document or the text report, then with --apply the write flow and a re-run. */
export async function runDiagnose(
	flags: DiagnoseFlags,
	color: boolean,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	const {report, settleLate} = await runDiagnosis(options, output.stderr);
	if (flags.json) {
		output.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		return settleLate(verdictExitCode(report));
	}

	let text = renderTextReport(report, {
		heading: 'ona-vault-doctor',
		verbose: Boolean(flags.verbose),
		style: createStyle(color),
	});
	if (flags.showToken && options.token === undefined) {
		text +=
			'\n(--show-token: the token is printed only when it was given with --token, to keep it out of logs otherwise.)\n';
	} else if (flags.showToken) {
		text += `\nToken (shown because of --show-token): ${options.token}\n`;
	}

	output.stdout.write(text);
	const code = await settleLate(verdictExitCode(report));
	if (!flags.apply) return code;
	const [{applyPlanned, backupDirectory, writerFromEnv}, {plannedChanges}] = await Promise.all([
		import('../apply.js'),
		import('../../core/admin/apply.js'),
	]);
	const changes = plannedChanges(report);
	const writer = writerFromEnv(output.env, {
		...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
		...(options.namespace ? {namespace: options.namespace} : {}),
	});
	const backupDir = backupDirectory(output.env, flags.backupDir);
	const applied = await applyPlanned(changes, {writer, yes: Boolean(flags.yes), output, stdin, backupDir});
	if (!applied) return code;
	output.stdout.write('\nRe-running the diagnosis after the change:\n\n');
	const after = await runDiagnosis(options, output.stderr);
	output.stdout.write(
		renderTextReport(after.report, {
			heading: 'ona-vault-doctor (after the change)',
			verbose: false,
			style: createStyle(color),
		}),
	);
	return after.settleLate(verdictExitCode(after.report));
}
