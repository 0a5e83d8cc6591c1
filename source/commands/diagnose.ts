import {stat} from 'node:fs/promises';
import {InputError, maxJsonFileBytes, maxPemFileBytes, readFileCapped} from '../core/bounds.js';
import type {DoctorOptions} from '../core/doctor/context.js';
import {type DoctorReport, diagnose, withRevocationFailures} from '../core/doctor/diagnose.js';
import type {StepEvent} from '../core/doctor/engine.js';
import {invalidMountPath, invalidRoleName} from '../core/names.js';
import {writePrivateFile} from '../core/private-file.js';
import {type TokenSourceName, tokenSources} from '../core/probes/token-source.js';
import {
	loginsInFlight,
	type RevocationFailure,
	revocationFailureText,
	settleLogins,
} from '../core/probes/vault.js';
import {readVaultData} from '../core/vault-data.js';
import {renderMarkdownReport} from '../report/markdown.js';
import {sanitize} from '../report/sanitize.js';
import {createStyle} from '../report/style.js';
import {renderTextReport} from '../report/text.js';
import type {Runner} from '../tui/hooks/use-diagnosis.js';
import {signalExitCodes, verdictExitCode} from './exit-code.js';
import {screenReaderWanted} from './interactive.js';
import {type Output, readStdin, UsageError} from './io.js';

export type DiagnoseFlags = {
	source?: string;
	audience?: string;
	token?: string;
	tokenFile?: string;
	tokenEnv?: string;
	vaultAddr?: string;
	namespace?: string;
	mount?: string;
	role?: string;
	secretPath?: string[];
	roleFile?: string;
	configFile?: string;
	offline?: boolean;
	login?: boolean;
	timeout?: string;
	caFile?: string[];
	pluginVersion?: string;
	json?: boolean;
	verbose?: boolean;
	showToken?: boolean;
	apply?: boolean;
	yes?: boolean;
	backupDir?: string;
};

/** Checks the flags and turns them into doctor options; a mistake is a usage error (exit 2). */
export function doctorOptions(
	flags: DiagnoseFlags,
	env: NodeJS.ProcessEnv,
	stdin: NodeJS.ReadableStream,
): DoctorOptions {
	const source = (flags.source ?? 'auto') as TokenSourceName;
	if (!(tokenSources as readonly string[]).includes(source))
		throw new UsageError(`--source must be one of ${tokenSources.join(', ')}.`);
	const timeoutSeconds = flags.timeout === undefined ? 5 : Number(flags.timeout);
	if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0 || timeoutSeconds > 300)
		throw new UsageError('--timeout takes seconds, between 0 and 300.');
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
	const nameProblem =
		(flags.role === undefined ? undefined : invalidRoleName(flags.role.toLowerCase())) ??
		(flags.mount === undefined ? undefined : invalidMountPath(flags.mount));
	if (nameProblem) throw new UsageError(`${nameProblem}.`);
	const defined = <T extends object>(value: T) =>
		Object.fromEntries(Object.entries(value).filter(([, element]) => element !== undefined)) as T;
	return {
		...defined({
			audience: flags.audience,
			token: flags.token,
			tokenFile: flags.tokenFile,
			tokenEnv: flags.tokenEnv,
			vaultAddr: flags.vaultAddr,
			namespace: flags.namespace,
			mount: flags.mount,
			role: flags.role,
			roleFile: flags.roleFile,
			configFile: flags.configFile,
			pluginVersion: flags.pluginVersion,
		}),
		source,
		secretPaths: flags.secretPath ?? [],
		offline: Boolean(flags.offline),
		noLogin: flags.login === false,
		timeoutMs: Math.round(timeoutSeconds * 1000),
		caFiles: flags.caFile ?? [],
		env,
		readStdin: () => readStdin(stdin, 'the token'),
		now: () => Date.now() / 1000,
	};
}

/** Files the user named must be readable before anything runs: a typo is a usage error (exit 2), not a finding. */
async function checkInputFiles(options: DoctorOptions): Promise<void> {
	if (options.tokenFile !== undefined && options.tokenFile !== '-') {
		const info = await stat(options.tokenFile).catch(() => undefined);
		if (!info?.isFile()) throw new UsageError(`--token-file ${options.tokenFile} is not a readable file.`);
	}

	for (const [flag, file] of [
		['--role-file', options.roleFile],
		['--config-file', options.configFile],
	] as const) {
		if (file === undefined) continue;
		let text: string;
		try {
			text = readFileCapped(file, maxJsonFileBytes, flag);
		} catch (error) {
			throw new UsageError(error instanceof InputError ? error.message : `${flag} ${file} cannot be read.`);
		}

		try {
			readVaultData(text);
		} catch (error) {
			if (error instanceof InputError) throw new UsageError(`${flag} ${file}: ${error.message}`);
			throw new UsageError(
				`${flag} ${file} is not a JSON object. Export it with: vault read -format=json auth/<mount>/${flag === '--role-file' ? 'role/<name>' : 'config'} > ${file}`,
			);
		}
	}

	for (const file of options.caFiles) {
		try {
			readFileCapped(file, maxPemFileBytes, '--ca-file');
		} catch (error) {
			throw new UsageError(error instanceof InputError ? error.message : `--ca-file ${file} cannot be read.`);
		}
	}
}

/**
The one way a run that may log in ends. SIGINT, SIGTERM and SIGHUP stop the run, wait (bounded) for a login still
in flight, revoke every token minted, name any that could not be revoked (accessor and command, never the token)
and exit 128+signal; a normal end settles the same way and hands the failures back to be reported.
*/
export async function guardLogins<T>(
	stderr: NodeJS.WritableStream,
	run: (signal: AbortSignal) => Promise<T>,
	options: {final?: boolean} = {},
): Promise<{value: T; failures: RevocationFailure[]}> {
	const controller = new AbortController();
	let ending = false;
	const handlers = Object.entries(signalExitCodes).map(([name, code]) => {
		const handler = () => {
			controller.abort();
			if (ending) {
				if (loginsInFlight())
					stderr.write(
						'ona-vault-doctor: stopped waiting for the login in flight: if Vault minted a token, the doctor cannot name it. List recent ones with: vault list auth/token/accessors\n',
					);
				process.exit(code);
			}

			ending = true;
			if (loginsInFlight())
				stderr.write(
					`\nona-vault-doctor: ${name}: waiting for the login in flight so its token can be revoked (again to stop waiting).\n`,
				);
			void settleLogins({final: true}).then(failures => {
				reportRevocationFailures(stderr, failures);
				process.exit(code);
			});
		};

		process.on(name, handler);
		return [name, handler] as const;
	});
	try {
		const value = await run(controller.signal);
		return {value, failures: await settleLogins(options)};
	} catch (error) {
		reportRevocationFailures(stderr, await settleLogins(options));
		throw error;
	} finally {
		for (const [name, handler] of handlers) process.removeListener(name, handler);
	}
}

/** One line a token the run could not revoke: its accessor and the command, never the token. */
function reportRevocationFailures(stderr: NodeJS.WritableStream, failures: RevocationFailure[]): void {
	for (const failure of failures) stderr.write(`ona-vault-doctor: ${revocationFailureText(failure)}\n`);
}

/** Runs a diagnosis under guardLogins: interrupted, it revokes before exiting; a token left alive fails the report. */
export async function runDiagnosis(
	options: DoctorOptions,
	stderr: NodeJS.WritableStream,
	onEvent?: (event: StepEvent) => void,
): Promise<DoctorReport> {
	await checkInputFiles(options);
	try {
		const {value, failures} = await guardLogins(stderr, signal =>
			diagnose(options, {...(onEvent ? {onEvent} : {}), signal}),
		);
		return withRevocationFailures(value, failures);
	} catch (error) {
		if (
			(error as NodeJS.ErrnoException).code === 'ENOENT' ||
			(error as NodeJS.ErrnoException).code === 'EACCES'
		) {
			throw new UsageError(
				`Cannot read ${(error as NodeJS.ErrnoException).path ?? 'a file'} (${(error as NodeJS.ErrnoException).code}): check --ca-file, VAULT_CACERT and VAULT_CAPATH.`,
			);
		}

		throw error;
	}
}

export async function runDiagnose(
	flags: DiagnoseFlags,
	color: boolean,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	const report = await runDiagnosis(options, output.stderr);
	const code = verdictExitCode(report);
	if (flags.json) {
		output.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
		return code;
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
	if (!flags.apply) return code;
	const [{applyPlanned, backupDirectory, writerFromEnv}, {plannedChanges}] = await Promise.all([
		import('./apply.js'),
		import('../core/admin/apply.js'),
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
		renderTextReport(after, {
			heading: 'ona-vault-doctor (after the change)',
			verbose: false,
			style: createStyle(color),
		}),
	);
	return verdictExitCode(after);
}

export async function runReport(
	flags: DiagnoseFlags & {output?: string; includePersonal?: boolean},
	output: Output,
	stdin: NodeJS.ReadableStream,
	command: string,
	version: string,
): Promise<number> {
	const options = doctorOptions({...flags, json: false, showToken: false}, output.env, stdin);
	const report = await runDiagnosis(options, output.stderr);
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

	return verdictExitCode(report);
}

/** The interactive doctor over a live diagnosis; pickers and a pasted token re-run it with the change. */
export async function runDiagnoseTui(
	flags: DiagnoseFlags & {screenReader?: boolean; firstFrameLines?: number; checking?: string},
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	await checkInputFiles(options);
	const [{diagnose, httpSettingsFor}, {VaultReader, vaultConnectionFromEnv}, {startEarly}] =
		await Promise.all([
			import('../core/doctor/diagnose.js'),
			import('../core/probes/vault.js'),
			import('../tui/hooks/early-run.js'),
		]);
	const runner: Runner = (overrides, onEvent, signal) =>
		diagnose(
			{
				...options,
				...(overrides.mount ? {mount: overrides.mount} : {}),
				...(overrides.role ? {role: overrides.role} : {}),
				...(overrides.audience ? {audience: overrides.audience} : {}),
				...(overrides.source ? {source: overrides.source as TokenSourceName} : {}),
				...(overrides.token ? {token: overrides.token, tokenFile: undefined, tokenEnv: undefined} : {}),
				labels: {
					...(overrides.mount ? {mount: 'chosen in the doctor'} : {}),
					...(overrides.role ? {role: 'chosen in the doctor'} : {}),
					...(overrides.token ? {token: 'the pasted token'} : {}),
				},
			} as DoctorOptions,
			{onEvent, ...(signal ? {signal} : {})},
		);
	const listRoles = async (mount: string) => {
		const reader = new VaultReader(
			vaultConnectionFromEnv(
				options.env,
				{
					...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
					...(options.namespace ? {namespace: options.namespace} : {}),
				},
				httpSettingsFor(options),
			),
		);
		const answer = await reader.list(`auth/${mount}/role`);
		// Names are shown in the picker: one with control characters is no name Vault accepts anyway.
		return answer.ok ? answer.data.map(sanitize) : [];
	};

	const applyFixes = async (report: DoctorReport) => {
		const [{plannedChanges}, {applyChanges, backupDirectory, writerFromEnv}] = await Promise.all([
			import('../core/admin/apply.js'),
			import('./apply.js'),
		]);
		const writer = writerFromEnv(options.env, {
			...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
			...(options.namespace ? {namespace: options.namespace} : {}),
		});
		const {lines} = await applyChanges(
			writer,
			plannedChanges(report),
			backupDirectory(options.env, flags.backupDir),
		);
		return lines.join('\n') || 'Nothing to apply on the Vault side.';
	};

	const {value: code, failures} = await guardLogins(
		output.stderr,
		async () => {
			// The diagnosis starts now, inside the guard; Ink and React load behind the first frame meanwhile.
			const early = startEarly(runner);
			const {runTui} = await import('../tui/run-tui.js');
			return runTui({
				applyFixes,
				title: 'ona-vault-doctor',
				runner,
				early,
				...(flags.checking ? {checking: flags.checking} : {}),
				...(flags.firstFrameLines ? {firstFrameLines: flags.firstFrameLines} : {}),
				listRoles,
				screenReader: screenReaderWanted(output.env, flags.screenReader),
			});
		},
		{final: true},
	);
	for (const failure of failures)
		output.stderr.write(`ona-vault-doctor: ${revocationFailureText(failure)}\n`);
	return failures.length > 0 ? Math.max(code, 1) : code;
}
