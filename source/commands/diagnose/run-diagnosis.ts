/* A diagnosis that may log in, run so that every login it makes is revoked on every way out. */
import type {DoctorOptions} from '../../core/doctor/context.js';
import {type DoctorReport, diagnose, withRevocationFailures} from '../../core/doctor/diagnose.js';
import type {StepEvent} from '../../core/doctor/engine.js';
import {
	loginsInFlight,
	type RevocationFailure,
	revocationFailureText,
	settleLogins,
} from '../../core/probes/vault.js';
import {signalExitCodes} from '../exit-code.js';
import {UsageError} from '../io.js';
import {checkInputFiles} from './doctor-options.js';

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
