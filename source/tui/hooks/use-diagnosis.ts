import {useCallback, useEffect, useRef, useState} from 'react';
import type {CheckStatus} from '../../core/check.js';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import type {CheckGroup, StepEvent} from '../../core/doctor/engine.js';
import {reportView, sanitize} from '../../report/sanitize.js';

export type StepProgress = {
	id: string;
	title: string;
	group: CheckGroup;
	state: 'running' | 'done';
	ms?: number;
	worst?: CheckStatus;
};

import type {EarlyRun, Runner} from './early-run.js';

export type {Runner} from './early-run.js';

export type RunOverrides = {
	mount?: string;
	role?: string;
	source?: string;
	audience?: string;
	token?: string;
};

export type Diagnosis = {
	running: boolean;
	steps: StepProgress[];
	report?: DoctorReport;
	error?: string;
	overrides: RunOverrides;
	rerun: (overrides?: RunOverrides) => void;
};

const rank: CheckStatus[] = ['fail', 'warn', 'skip', 'pass'];

/** Runs the doctor and keeps its progress and report as React state; a re-run replaces both. */
export function useDiagnosis(runner: Runner, early?: EarlyRun): Diagnosis {
	// A first run that finished while the TUI loaded is the first frame's state: no effect, no second render.
	const [state, setState] = useState<Omit<Diagnosis, 'rerun'>>(() => {
		const finished = early?.finished();
		return finished
			? {
					running: false,
					steps: finished.events.reduce(stepProgress, []),
					overrides: {},
					// Screens get the sanitised view, as for every run.
					report: reportView(finished.report),
				}
			: {running: true, steps: [], overrides: {}};
	});
	const generation = useRef(0);
	const inFlight = useRef<AbortController | undefined>(undefined);
	// The first run may have started before the TUI loaded: it is taken over once, never started twice.
	const pending = useRef(state.running ? early : undefined);

	const start = useCallback(
		(overrides: RunOverrides) => {
			const current = ++generation.current;
			// A superseded run stops starting steps; a login it already made is still revoked by the run or on exit.
			inFlight.current?.abort();
			const controller = pending.current?.controller ?? new AbortController();
			inFlight.current = controller;
			setState(previous => ({
				running: true,
				steps: [],
				overrides,
				...(previous.report ? {report: previous.report} : {}),
			}));
			const onEvent = (event: StepEvent) => {
				if (generation.current !== current) return;
				setState(previous => ({...previous, steps: stepProgress(previous.steps, event)}));
			};

			const first = pending.current;
			pending.current = undefined;
			(first ? first.take(onEvent) : runner(overrides, onEvent, controller.signal)).then(
				report => {
					// Screens get the sanitised view: no text from outside reaches the terminal uninterpreted.
					if (generation.current === current)
						setState(previous => ({...previous, running: false, report: reportView(report)}));
				},
				(error: unknown) => {
					if (generation.current === current)
						setState(previous => ({
							...previous,
							running: false,
							error: sanitize(error instanceof Error ? error.message : String(error)),
						}));
				},
			);
		},
		[runner],
	);

	const startedWithReport = useRef(!state.running);
	useEffect(() => {
		if (startedWithReport.current) return;
		start({});
		return () => inFlight.current?.abort();
	}, [start]);

	const overrides = useRef<RunOverrides>({});
	const rerun = useCallback(
		(changes?: RunOverrides) => {
			overrides.current = {...overrides.current, ...changes};
			start(overrides.current);
		},
		[start],
	);

	return {...state, rerun};
}

/** The steps' progress after one event: the step's line replaced by its newest state. */
function stepProgress(steps: StepProgress[], event: StepEvent): StepProgress[] {
	const worst =
		event.type === 'finish'
			? rank.find(status => event.checks.some(check => check.status === status))
			: undefined;
	return [
		...steps.filter(step => step.id !== event.id),
		{
			id: event.id,
			title: sanitize(event.title),
			group: event.group,
			state: event.type === 'start' ? 'running' : 'done',
			...(event.type === 'finish' ? {ms: event.ms} : {}),
			...(worst ? {worst} : {}),
		},
	];
}
