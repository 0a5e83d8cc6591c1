#!/usr/bin/env node
import process from 'node:process';
import {Command, CommanderError, Option} from 'commander';
import {type Output, UsageError} from './commands/io.js';
import {colorWanted} from './report/style.js';

const version = '0.1.0';

const exitCodesHelp = `
Exit codes:
  0  all good (explain: the error was recognised)
  1  a problem was found (explain: the text was not recognised)
  2  the doctor could not run (bad usage, unreadable input)`;

/** Builds the command line; each command loads its modules only when it runs. */
export function createProgram(
	output: Output,
	stdin: NodeJS.ReadableStream,
	setCode: (code: number) => void,
): Command {
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

	const color = (options: {color: boolean}) => colorWanted(output.stdout, output.env, !options.color);

	program
		.command('demo')
		.description('diagnose a built-in sample login (no Vault, no network): "ona" (default) or "circleci"')
		.argument('[scenario]', 'ona | circleci')
		.option('--json', 'print the report as JSON')
		.option('--verbose', 'show passing checks too')
		.addOption(new Option('--no-color', 'plain output'))
		.action(
			async (scenario: string | undefined, options: {json?: boolean; verbose?: boolean; color: boolean}) => {
				const {runDemo} = await import('./commands/demo.js');
				setCode(
					await runDemo(
						scenario,
						{json: Boolean(options.json), verbose: Boolean(options.verbose), color: color(options)},
						output,
					),
				);
			},
		);

	program
		.command('explain')
		.description(
			'name the problem behind a pasted Vault error (from any CI log); "-" or no text reads standard input',
		)
		.argument('[text...]', 'the error text, or - for standard input')
		.option('--json', 'print the explanation as JSON')
		.addOption(new Option('--no-color', 'plain output'))
		.action(async (words: string[], options: {json?: boolean; color: boolean}) => {
			const {runExplain} = await import('./commands/explain.js');
			setCode(await runExplain(words, {json: Boolean(options.json), color: color(options)}, output, stdin));
		});

	return program;
}

/** Runs the command line and returns the exit code; never throws. */
export async function main(argv: string[], output: Output, stdin: NodeJS.ReadableStream): Promise<number> {
	let code = 0;
	const program = createProgram(output, stdin, value => {
		code = value;
	});
	try {
		if (argv.length === 0) {
			program.outputHelp();
			return 0;
		}

		await program.parseAsync(argv, {from: 'user'});
		return code;
	} catch (error) {
		if (error instanceof CommanderError) {
			return error.exitCode === 0 ? 0 : 2;
		}

		if (error instanceof UsageError) {
			output.stderr.write(`ona-vault-doctor: ${error.message}\n`);
			return 2;
		}

		output.stderr.write(
			`ona-vault-doctor: unexpected failure: ${error instanceof Error ? error.message : String(error)}\n`,
		);
		output.stderr.write('This is a bug in the doctor; please report it with the command you ran.\n');
		return 2;
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
