/* The exit codes every command answers with: the README's "Exit codes" table, named once. */

export const ExitCode = {
	/** All good: no failed check (warnings allowed), the audit passed, the change was made. */
	ok: 0,
	/** A problem was found (or, for a change, it was not made). */
	problem: 1,
	/** The doctor could not run, or could not read all it needed: bad usage, unreadable input, an incomplete read. */
	couldNotRun: 2,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** ok when the answer is yes, problem otherwise. */
export const exitCodeFor = (ok: boolean): ExitCode => (ok ? ExitCode.ok : ExitCode.problem);

/** The exit code of a diagnosis: its verdict. */
export const verdictExitCode = (report: {verdict: 'pass' | 'fail'}): ExitCode =>
	exitCodeFor(report.verdict === 'pass');

/** The signals that end a run, and the code it then exits with: 128 + the signal's number, as a shell reports it. */
export const signalExitCodes = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129} as const;

export type EndingSignal = keyof typeof signalExitCodes;
