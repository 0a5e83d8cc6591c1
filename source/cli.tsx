#!/usr/bin/env node
import process from 'node:process';
import {Command, CommanderError, Option} from 'commander';
import type {AuditFlags} from './commands/audit.js';
import type {DiagnoseFlags} from './commands/diagnose.js';
import {ExitCode} from './commands/exit-code.js';
import {checkingLine, screenReaderWanted, wantsTui, writeFirstFrame} from './commands/interactive.js';
import {type Output, UsageError} from './commands/io.js';
import type {OnboardFlags} from './commands/onboard.js';
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
	argv: string[] = [],
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
	const collect = (value: string, previous: string[] = []) => [...previous, value];
	const diagnoseOptions = (command: Command) =>
		command
			.option(
				'--source <source>',
				'where the token comes from: auto, ona, circleci, circleci-v1, github, gitlab, buildkite, file, env, stdin',
				'auto',
			)
			.option('--audience <aud>', 'the audience to request (Ona default: vault.hashicorp.com)')
			.option(
				'--token <jwt>',
				'the token itself (prefer --token-file or --token-env: arguments show up in process lists)',
			)
			.option('--token-file <path>', 'read the token from a file, or - for standard input')
			.option('--token-env <name>', 'read the token from an environment variable (GitLab id_tokens)')
			.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR)')
			.option('--namespace <ns>', 'Vault namespace (default: $VAULT_NAMESPACE)')
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
			.option(
				'--plugin-version <version>',
				'judge as this plugin (v0.20.3+builtin) or Vault (1.16.3) version',
			)
			.option('--verbose', 'show passing checks too')
			.addOption(new Option('--no-color', 'plain output'));

	diagnoseOptions(program.command('diagnose', {isDefault: true}))
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
		)
		.action(async (options: Record<string, unknown> & {color: boolean; tui?: boolean; json?: boolean}) => {
			if (options['findRole']) {
				const {runFindRole} = await import('./commands/find-role.js');
				setCode(await runFindRole(options as DiagnoseFlags, color(options), output, stdin));
				return;
			}

			if (
				!options['showToken'] &&
				!options['apply'] &&
				wantsTui(output, stdin as {isTTY?: boolean}, options)
			) {
				// The first frame goes out before anything else loads; the TUI takes it over.
				const checking = checkingLine(options as DiagnoseFlags, output.env);
				const firstFrameLines = writeFirstFrame(
					output.stdout,
					'ona-vault-doctor',
					checking,
					screenReaderWanted(output.env, options['screenReader'] as boolean | undefined),
					stdin,
				);
				void import('./tui/run-tui.js').catch(() => {}); // loads behind the first frame
				const {runDiagnoseTui} = await import('./commands/diagnose.js');
				setCode(
					await runDiagnoseTui({...(options as DiagnoseFlags), firstFrameLines, checking}, output, stdin),
				);
				return;
			}

			const {runDiagnose} = await import('./commands/diagnose.js');
			setCode(await runDiagnose(options as DiagnoseFlags, color(options), output, stdin));
		});

	diagnoseOptions(program.command('report'))
		.description('write a redacted Markdown support bundle of a diagnosis, safe to paste into a ticket')
		.option('--output <file>', 'write to this file instead of standard output')
		.option('--include-personal', 'keep e-mail addresses and names from the token (default: redacted)')
		.action(async (options: Record<string, unknown> & {output?: string}) => {
			const [{runReport}, {redactCommandLine}] = await Promise.all([
				import('./commands/diagnose.js'),
				import('./report/markdown.js'),
			]);
			setCode(
				await runReport(
					options as DiagnoseFlags & {output?: string; includePersonal?: boolean},
					output,
					stdin,
					`ona-vault-doctor ${redactCommandLine(argv)}`.trimEnd(),
					version,
				),
			);
		});

	program
		.command('onboard')
		.description(
			'propose a least-privilege role and policy from a real token; --apply writes them after confirmation',
		)
		.option('--role-name <name>', 'the role to create (on a terminal the guided onboarding asks for it)')
		.option('--no-tui', 'print the proposal as text even on a terminal')
		.option('--source <source>', 'where the token comes from (as for diagnose)', 'auto')
		.option('--token-file <path>', 'read the token from a file, or - for standard input')
		.option('--token-env <name>', 'read the token from an environment variable')
		.option('--token <jwt>', 'the token itself')
		.option('--platform <platform>', 'ona, circleci, github, gitlab or generic (default: from the token)')
		.option('--scope <scope>', 'Ona: organization, project or user (default: project when the token has one)')
		.option(
			'--bind <claims>',
			"bind exactly these claims with the token's values (comma-separated, repeatable)",
			collect,
		)
		.option('--audience <aud>', 'the audience to bind (and to request from minting sources)')
		.option('--policy-name <name>', 'the policy to create (default <role>-read)')
		.option('--secret-path <path>', 'a secret path to grant read on (repeatable; KV v2 data/ added)', collect)
		.option('--kv-version <version>', 'KV version of the secret mount: 1 or 2', '2')
		.option('--ttl <duration>', 'token_ttl', '15m')
		.option('--max-ttl <duration>', 'token_max_ttl', '1h')
		.option(
			'--mount <path>',
			"the JWT auth mount (default: the one whose config trusts the token's issuer, else jwt)",
		)
		.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR)')
		.option('--namespace <ns>', 'Vault namespace (default: $VAULT_NAMESPACE)')
		.option('--apply', 'write the role and policy (asks first; backs up; verifies; rolls back on failure)')
		.option(
			'--replace',
			'with --apply: merge the proposal into a role that already exists (its diff is shown first)',
		)
		.option('--yes', 'with --apply: do not ask')
		.option('--backup-dir <dir>', 'where backups are kept')
		.option('--json', 'print the proposal as JSON')
		.addOption(new Option('--no-color', 'plain output'))
		.action(async (options: Record<string, unknown> & {color: boolean}) => {
			const {runOnboard} = await import('./commands/onboard.js');
			setCode(await runOnboard(options as OnboardFlags, color(options), output, stdin));
		});

	program
		.command('audit')
		.description('lint every role of the JWT/OIDC mounts the Vault token can read')
		.option('--mount <path>', 'only this mount (repeatable)', collect)
		.option(
			'--fail-on <severity>',
			'exit 1 when a finding is at or above: high, medium, low or none (default medium); an incomplete audit exits 1 too',
		)
		.option('--concurrency <n>', 'role reads in flight', '16')
		.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR)')
		.option('--namespace <ns>', 'Vault namespace (default: $VAULT_NAMESPACE)')
		.option('--timeout <seconds>', 'per-request timeout', '5')
		.option('--json', 'print the findings as JSON')
		.option('--markdown', 'print the findings as Markdown')
		.addOption(new Option('--no-color', 'plain output'))
		.action(async (options: Record<string, unknown> & {color: boolean}) => {
			const {runAudit} = await import('./commands/audit.js');
			setCode(await runAudit(options as AuditFlags, color(options), output));
		});

	program
		.command('restore')
		.description('restore a role or config from a backup made by --apply or onboard --apply')
		.argument('<backup>', 'the backup file')
		.option('--vault-addr <url>', 'Vault address (default: $VAULT_ADDR; never the one written in the backup)')
		.option('--other-address', "restore although this Vault's address differs from the backup's")
		.option('--yes', 'do not ask')
		.action(async (file: string, options: {yes?: boolean; vaultAddr?: string; otherAddress?: boolean}) => {
			const {runRestore} = await import('./commands/restore.js');
			setCode(await runRestore(file, options, output, stdin));
		});

	program
		.command('decode')
		.description(
			"show a token's header, claims and times (never its signature); - or no argument reads standard input",
		)
		.argument('[token]', 'the token, or -')
		.option('--json', 'print as JSON')
		.addOption(new Option('--no-color', 'plain output'))
		.action(async (token: string | undefined, options: {json?: boolean; color: boolean}) => {
			const {runDecode} = await import('./commands/decode.js');
			setCode(await runDecode(token, {json: Boolean(options.json), color: color(options)}, output, stdin));
		});

	program
		.command('demo')
		.description('diagnose a built-in sample login (no Vault, no network): "ona" (default) or "circleci"')
		.argument('[scenario]', 'ona | circleci')
		.option('--json', 'print the report as JSON')
		.option('--verbose', 'show passing checks too')
		.addOption(new Option('--no-color', 'plain output'))
		.option('--no-tui', 'print the text report even on a terminal')
		.option('--screen-reader', 'screen-reader friendly interactive output (or INK_SCREEN_READER=true)')
		.action(
			async (
				scenario: string | undefined,
				options: {json?: boolean; verbose?: boolean; color: boolean; tui?: boolean; screenReader?: boolean},
			) => {
				if (wantsTui(output, stdin as {isTTY?: boolean}, options)) {
					const screenReader = screenReaderWanted(output.env, options.screenReader);
					const checking = 'Checking the built-in sample: its token, role and config (no Vault, no network)…';
					const lines = writeFirstFrame(
						output.stdout,
						'ona-vault-doctor demo',
						checking,
						screenReader,
						stdin,
					);
					const {runDemoTui} = await import('./commands/demo.js');
					setCode(await runDemoTui(scenario, screenReader, {lines, checking}));
					return;
				}

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
