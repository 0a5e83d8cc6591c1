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
With `lateAfterwards`, a login still in flight when the run ends (it timed out for the report) is settled in
`late`, with the signals still guarded, so the report need not wait for it.
*/
export async function guardLogins<T>(
	stderr: NodeJS.WritableStream,
	run: (signal: AbortSignal) => Promise<T>,
	options: {final?: boolean; lateAfterwards?: boolean} = {},
): Promise<{value: T; failures: RevocationFailure[]; late: Promise<RevocationFailure[]>}> {
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
	const unguard = () => {
		for (const [name, handler] of handlers) process.removeListener(name, handler);
	};
	try {
		const value = await run(controller.signal);
		if (options.lateAfterwards && loginsInFlight()) {
			const failures = await settleLogins({answeredOnly: true});
			return {value, failures, late: settleLogins({}).finally(unguard)};
		}

		const failures = await settleLogins(options);
		unguard();
		return {value, failures, late: Promise.resolve([])};
	} catch (error) {
		reportRevocationFailures(stderr, await settleLogins(options));
		unguard();
		throw error;
	}
}

/** One line a token the run could not revoke: its accessor and the command, never the token. */
export function reportRevocationFailures(stderr: NodeJS.WritableStream, failures: RevocationFailure[]): void {
	for (const failure of failures) stderr.write(`ona-vault-doctor: ${revocationFailureText(failure)}\n`);
}

/**
Runs a diagnosis under guardLogins: interrupted, it revokes before exiting; a token left alive fails the report.
A login that timed out is listened to after the report is ready: `settleLate` waits for it, revokes a token that
arrives late, says on stderr what it could not revoke, and returns the exit code raised to 1 if so.
*/
export async function runDiagnosis(
	options: DoctorOptions,
	stderr: NodeJS.WritableStream,
	onEvent?: (event: StepEvent) => void,
): Promise<{report: DoctorReport; settleLate: (code: number) => Promise<number>}> {
	await checkInputFiles(options);
	try {
		const {value, failures, late} = await guardLogins(
			stderr,
			signal => diagnose(options, {...(onEvent ? {onEvent} : {}), signal}),
			{lateAfterwards: true},
		);
		const settleLate = async (code: number) => {
			const lateFailures = await late;
			reportRevocationFailures(stderr, lateFailures);
			return lateFailures.length > 0 ? Math.max(code, 1) : code;
		};
		return {report: withRevocationFailures(value, failures), settleLate};
	} catch (error) {
		const {code, path} = error as NodeJS.ErrnoException;
		if (code === 'ENOENT' || code === 'EACCES')
			throw new UsageError(
				`Cannot read ${path ?? 'a file'} (${code}): check --ca-file, VAULT_CACERT and VAULT_CAPATH.`,
			);
		throw error;
	}
}
