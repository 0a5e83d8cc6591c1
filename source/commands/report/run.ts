import process from 'node:process';
import {InputError} from '../../core/bounds.js';
import {writePrivateFile} from '../../core/private-file.js';
import {renderMarkdownReport} from '../../report/markdown.js';
import {doctorOptions} from '../diagnose/doctor-options.js';
import {runDiagnosis} from '../diagnose/run-diagnosis.js';
import {verdictExitCode} from '../exit-code.js';
import {type Output, UsageError} from '../io.js';
import type {ReportFlags} from './command.js';

/** `report`: the diagnosis as a redacted Markdown support bundle, to standard output or a private file. */
export async function runReport(
	flags: ReportFlags,
	output: Output,
	stdin: NodeJS.ReadableStream,
	command: string,
	version: string,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	const {report, settleLate} = await runDiagnosis(options, output.stderr);
	const markdown = renderMarkdownReport(report, {
		command,
		includePersonal: Boolean(flags.includePersonal),
		generatedAt: new Date().toISOString(),
		doctorVersion: version,
		node: process.version,
	});
	if (flags.output) {
		try {
			await writePrivateFile(flags.output, markdown);
		} catch (error) {
			throw new UsageError(
				error instanceof InputError
					? error.message
					: `Cannot write ${flags.output}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
			);
		}

		output.stderr.write(`Wrote the redacted report to ${flags.output}.\n`);
	} else {
		output.stdout.write(markdown);
	}

	return settleLate(verdictExitCode(report));
}
