import type {DoctorOptions} from '../../core/doctor/context.js';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {revocationFailureText} from '../../core/probes/vault.js';
import {isTokenSourceName} from '../../core/token-source-names.js';
import {sanitize} from '../../report/sanitize.js';
import type {Runner, RunOverrides} from '../../tui/hooks/use-diagnosis.js';
import type {Output} from '../io.js';
import type {DiagnoseFlags} from './command.js';
import {checkInputFiles, doctorOptions} from './doctor-options.js';
import {guardLogins} from './run-diagnosis.js';

/** A run of the doctor again, with what was chosen inside the TUI in place of the flags it replaces. */
function withOverrides(options: DoctorOptions, overrides: RunOverrides): DoctorOptions {
	const {tokenFile, tokenEnv, ...withoutTokenFlags} = options;
	return {
		...(overrides.token ? withoutTokenFlags : options),
		...(overrides.mount ? {mount: overrides.mount} : {}),
		...(overrides.role ? {role: overrides.role} : {}),
		...(overrides.audience ? {audience: overrides.audience} : {}),
		...(overrides.source && isTokenSourceName(overrides.source) ? {source: overrides.source} : {}),
		...(overrides.token ? {token: overrides.token} : {}),
		labels: {
			...(overrides.mount ? {mount: 'chosen in the doctor'} : {}),
			...(overrides.role ? {role: 'chosen in the doctor'} : {}),
			...(overrides.token ? {token: 'the pasted token'} : {}),
		},
	};
}

/** The interactive doctor over a live diagnosis; pickers and a pasted token re-run it with the change. */
export async function runDiagnoseTui(
	flags: DiagnoseFlags,
	firstFrame: {firstFrameLines: number; checking: string; screenReader: boolean},
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	await checkInputFiles(options);
	const [{diagnose, httpSettingsFor}, {VaultReader, vaultConnectionFromEnv}, {startEarly}] =
		await Promise.all([
			import('../../core/doctor/diagnose.js'),
			import('../../core/probes/vault.js'),
			import('../../tui/hooks/early-run.js'),
		]);
	const runner: Runner = (overrides, onEvent, signal) =>
		diagnose(withOverrides(options, overrides), {onEvent, ...(signal ? {signal} : {})});
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
			import('../../core/admin/apply.js'),
			import('../apply.js'),
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
			const {runTui} = await import('../../tui/run-tui.js');
			return runTui({
				applyFixes,
				title: 'ona-vault-doctor',
				runner,
				early,
				...(firstFrame.checking ? {checking: firstFrame.checking} : {}),
				...(firstFrame.firstFrameLines ? {firstFrameLines: firstFrame.firstFrameLines} : {}),
				listRoles,
				screenReader: firstFrame.screenReader,
			});
		},
		{final: true},
	);
	for (const failure of failures)
		output.stderr.write(`ona-vault-doctor: ${revocationFailureText(failure)}\n`);
	return failures.length > 0 ? Math.max(code, 1) : code;
}
