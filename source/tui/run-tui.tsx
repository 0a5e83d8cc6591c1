import {render} from 'ink';
import supportsHyperlinks from 'supports-hyperlinks';
import {ExitCode, verdictExitCode} from '../commands/exit-code.js';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import App from './app.js';
import type {EarlyRun} from './hooks/early-run.js';
import type {Runner} from './hooks/use-diagnosis.js';

export type TuiOptions = {
	title: string;
	runner: Runner;
	/** The first run, already started while the TUI loaded. */
	early?: EarlyRun;
	/** What is being checked, shown while the run goes (and in the first frame written before Ink loaded). */
	checking?: string;
	/** Lines of that first frame to take back before Ink draws its own. */
	firstFrameLines?: number;
	listRoles?: (mount: string) => Promise<string[]>;
	applyFixes?: (report: DoctorReport) => Promise<string>;
	screenReader: boolean;
};

/** Mounts the interactive doctor and resolves with the exit code once the person quits. */
export async function runTui(options: TuiOptions): Promise<number> {
	let last: DoctorReport | undefined;
	const copies = new Set<string>();
	if (options.firstFrameLines) process.stdout.write(`\u001B[${options.firstFrameLines}A\r\u001B[J`);
	const instance = render(
		<App
			title={options.title}
			runner={options.runner}
			{...(options.early ? {early: options.early} : {})}
			{...(options.checking ? {checking: options.checking} : {})}
			hyperlinks={supportsHyperlinks.stdout}
			onReport={report => {
				last = report;
			}}
			onCopy={text => copies.add(text)}
			{...(options.listRoles ? {listRoles: options.listRoles} : {})}
			{...(options.applyFixes ? {applyFixes: options.applyFixes} : {})}
		/>,
		// 60 frames a second: the verdict frame follows the report within a frame, not Ink's default 33 ms.
		{exitOnCtrlC: true, patchConsole: false, isScreenReaderEnabled: options.screenReader, maxFps: 60},
	);
	// Quitting in the middle of a run: the caller (guardLogins) revokes what the run's login obtained.
	await instance.waitUntilExit();
	// What was copied stays in the terminal, whole and unwrapped, in case the clipboard (OSC 52) did not take it.
	if (copies.size > 0)
		process.stdout.write(
			`\nCopied in this session (also here, to copy by hand):\n\n${[...copies].join('\n\n')}\n`,
		);
	if (!last) return ExitCode.couldNotRun;
	return verdictExitCode(last);
}
