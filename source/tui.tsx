import {render} from 'ink';
import supportsHyperlinks from 'supports-hyperlinks';
import App from './app.js';
import type {DoctorReport} from './core/doctor/diagnose.js';
import type {Runner} from './hooks/use-diagnosis.js';

export type TuiOptions = {
	title: string;
	runner: Runner;
	listRoles?: (mount: string) => Promise<string[]>;
	applyFixes?: (report: DoctorReport) => Promise<string>;
	screenReader: boolean;
};

/** Mounts the interactive doctor and resolves with the exit code once the person quits. */
export async function runTui(options: TuiOptions): Promise<number> {
	let last: DoctorReport | undefined;
	const instance = render(
		<App
			title={options.title}
			runner={options.runner}
			hyperlinks={supportsHyperlinks.stdout}
			onReport={report => {
				last = report;
			}}
			{...(options.listRoles ? {listRoles: options.listRoles} : {})}
			{...(options.applyFixes ? {applyFixes: options.applyFixes} : {})}
		/>,
		{exitOnCtrlC: true, patchConsole: false, isScreenReaderEnabled: options.screenReader},
	);
	// Quitting in the middle of a run: the caller (guardLogins) revokes what the run's login obtained.
	await instance.waitUntilExit();
	if (!last) return 2;
	return last.verdict === 'pass' ? 0 : 1;
}
