#!/usr/bin/env node
import process from 'node:process';
import {Command, CommanderError} from '@commander-js/extra-typings';
import {auditCommand} from './commands/audit/command.js';
import type {CommandContext} from './commands/command-context.js';
import {decodeCommand} from './commands/decode/command.js';
import {demoCommand} from './commands/demo/command.js';
import {diagnoseCommand} from './commands/diagnose/command.js';
import {ExitCode} from './commands/exit-code.js';
import {explainCommand} from './commands/explain/command.js';
import {type Output, UsageError} from './commands/io.js';
import {onboardCommand} from './commands/onboard/command.js';
import {decidePresentation, type Presentation} from './commands/presentation.js';
import {reportCommand} from './commands/report/command.js';
import {restoreCommand} from './commands/restore/command.js';

const version = '0.1.0';

const exitCodesHelp = `
Exit codes:
  0  all good (explain: the error was recognised)
  1  a problem was found (explain: the text was not recognised)
  2  the doctor could not run (bad usage, unreadable input)`;

/**
Builds the command line. Each command declares its own flags in commands/<name>/command.ts and loads the rest of
its modules only when it runs; how the result is shown (TUI, text or JSON, colour) is decided here, once.
*/
export function createProgram(
	output: Output,
	stdin: NodeJS.ReadableStream,
	setCode: (code: number) => void,
	argv: string[] = [],
) {
	const program = new Command('ona-vault-doctor')
		.description(
			'Finds out why a workload cannot log in to Vault or OpenBao with an OIDC/JWT token, and how to fix it.',
		)
		.version(version, '-v, --version')
		.addHelpText('after', exitCodesHelp)
		.configureOutput({
			writeOut: text => output.stdout.write(text),
			writeErr: text => output.stderr.write(text),
		})
		.exitOverride();

	let presentation: Presentation | undefined;
	const terminal = stdin as NodeJS.ReadableStream & {isTTY?: boolean};
	program.hook('preAction', (_program, action) => {
		presentation = decidePresentation(output, terminal, action.opts());
	});
	const context: CommandContext = {
		output,
		stdin: terminal,
		argv,
		version,
		setCode,
		presentation: () => presentation ?? decidePresentation(output, terminal, {}),
	};

	diagnoseCommand(program, context);
	reportCommand(program, context);
	onboardCommand(program, context);
	auditCommand(program, context);
	restoreCommand(program, context);
	decodeCommand(program, context);
	demoCommand(program, context);
	explainCommand(program, context);
	return program;
}

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: string[], output: Output, stdin: NodeJS.ReadableStream): Promise<number> {
	let code: number = ExitCode.ok;
	const program = createProgram(
		output,
		stdin,
		value => {
			code = value;
		},
		argv,
	);
	try {
		await program.parseAsync(argv, {from: 'user'});
		return code;
	} catch (error) {
		if (error instanceof CommanderError) {
			return error.exitCode === 0 ? ExitCode.ok : ExitCode.couldNotRun;
		}

		if (error instanceof UsageError || (error instanceof Error && error.name === 'InputError')) {
			output.stderr.write(`ona-vault-doctor: ${error.message}\n`);
			return ExitCode.couldNotRun;
		}

		output.stderr.write(
			`ona-vault-doctor: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
		);
		output.stderr.write('This is a bug in the doctor; please report it with the command you ran.\n');
		return ExitCode.couldNotRun;
	}
}

const entry = process.argv[1] ?? '';
if (/(?:^|[/\\])(?:cli\.(?:tsx|js)|ona-vault-doctor)$/.test(entry)) {
	process.exitCode = await main(
		process.argv.slice(2),
		{stdout: process.stdout, stderr: process.stderr, env: process.env},
		process.stdin,
	);
}
