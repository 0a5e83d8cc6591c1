import type {DoctorReport} from '../../core/doctor/diagnose.js';
import type {StepEvent} from '../../core/doctor/engine.js';
import type {RunOverrides} from './use-diagnosis.js';

/** Starts a diagnosis with the given overrides; reports progress through onEvent; `signal` stops it (no new steps, no new login). */
export type Runner = (
	overrides: RunOverrides,
	onEvent: (event: StepEvent) => void,
	signal?: AbortSignal,
) => Promise<DoctorReport>;

/**
The first run, started while Ink and React still load: its events wait in a queue until the TUI takes it over,
so the network round trips overlap the start-up instead of following it.
*/
export type EarlyRun = {
	take(onEvent: (event: StepEvent) => void): Promise<DoctorReport>;
	/** Stops the run as a superseded TUI run is stopped. */
	controller: AbortController;
	/** The run's events and report when it has already finished (the demo: before the TUI has loaded). */
	finished(): {events: StepEvent[]; report: DoctorReport} | undefined;
	/** Resolves when the run has ended, whatever its outcome; takes nothing over. */
	settled: Promise<void>;
};

export function startEarly(runner: Runner): EarlyRun {
	const queued: StepEvent[] = [];
	let listener: ((event: StepEvent) => void) | undefined;
	const controller = new AbortController();
	let done: DoctorReport | undefined;
	const result = runner({}, event => (listener ? listener(event) : queued.push(event)), controller.signal);
	const settled = result.then(
		report => {
			done = report;
		},
		() => {},
	);
	return {
		controller,
		take(onEvent) {
			for (const event of queued.splice(0)) onEvent(event);
			listener = onEvent;
			return result;
		},
		finished: () => (done ? {events: [...queued], report: done} : undefined),
		settled,
	};
}
