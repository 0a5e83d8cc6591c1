import {InputError} from '../bounds.js';
import type {Check, CheckId} from '../check.js';

export type CheckGroup = 'Token' | 'Issuer' | 'Vault' | 'Login' | 'Access';

/** One step of the doctor: what it needs, and how it turns the shared context into checks. */
export type StepDefinition<Context> = {
	/** Also the id of the check it gives when it cannot run. */
	id: CheckId;
	title: string;
	group: CheckGroup;
	/** Steps whose results this one reads; it starts as soon as they have all finished. */
	needs: CheckId[];
	/**
	`after(id)` waits for another step only when this run needs it (e.g. the config only when no role name was
	given), so the common case does not pay for a dependency it rarely has.
	*/
	run: (context: Context, after: (id: CheckId) => Promise<StepRecord>) => Promise<StepOutcome>;
};

export type StepOutcome = {
	checks: Check[];
	/** Steps that need this one are not run (their checks become "not checked") when it halts. */
	halt?: string;
};

export type StepEvent =
	| {type: 'start'; id: string; title: string; group: CheckGroup}
	| ({type: 'finish'} & StepRecord);

/** A halted step: why, and which step failed in the first place (halts propagate to every dependent). */
export type Halt = {reason: string; by: string; title: string};

export type StepRecord = {
	id: string;
	title: string;
	group: CheckGroup;
	checks: Check[];
	ms: number;
	halted?: Halt;
};

/**
Runs the steps as a dependency graph: every step starts the moment its needs are done, so independent network
calls overlap and the wall time is the longest chain, not the sum. A step that throws becomes a failed check,
never a crash; a halted step makes its dependents "not checked" with the reason.
*/
export async function runSteps<Context>(
	steps: Array<StepDefinition<Context>>,
	context: Context,
	onEvent: (event: StepEvent) => void = () => {},
	signal?: AbortSignal,
): Promise<StepRecord[]> {
	const byId = new Map(steps.map(step => [step.id, step]));
	const records = new Map<string, StepRecord>();
	const running = new Map<string, Promise<StepRecord>>();

	const start = (step: StepDefinition<Context>): Promise<StepRecord> => {
		const existing = running.get(step.id);
		if (existing) return existing;
		const promise = (async () => {
			const needs = await Promise.all(step.needs.map(id => start(byId.get(id)!)));
			const blocked = needs.find(record => record.halted)?.halted;
			if (blocked || signal?.aborted) {
				const halt: Halt = blocked ?? {reason: 'the run was interrupted', by: step.id, title: step.title};
				const message = signal?.aborted
					? 'Not checked: the run was interrupted.'
					: `Not checked: "${halt.title}" did not succeed (${halt.reason}).`;
				const record: StepRecord = {
					id: step.id,
					title: step.title,
					group: step.group,
					checks: [{id: step.id, title: step.title, status: 'skip', message, blockedBy: halt.by}],
					ms: 0,
					halted: halt,
				};
				records.set(step.id, record);
				onEvent({type: 'finish', ...record});
				return record;
			}

			onEvent({type: 'start', id: step.id, title: step.title, group: step.group});
			const began = performance.now();
			let outcome: StepOutcome;
			try {
				outcome = await step.run(context, id => start(byId.get(id)!));
			} catch (error) {
				// Input the doctor refuses to read ends the run (exit 2); anything else becomes a failed check.
				if (error instanceof InputError) throw error;
				outcome = {
					checks: [
						{
							id: step.id,
							title: step.title,
							status: 'fail',
							problem: 'unknown',
							message: `The doctor could not complete this step: ${error instanceof Error ? error.message : String(error)}`,
						},
					],
					halt: 'an unexpected error',
				};
			}

			const record: StepRecord = {
				id: step.id,
				title: step.title,
				group: step.group,
				checks: outcome.checks,
				ms: Math.round(performance.now() - began),
				...(outcome.halt ? {halted: {reason: outcome.halt, by: step.id, title: step.title}} : {}),
			};
			records.set(step.id, record);
			onEvent({type: 'finish', ...record});
			return record;
		})();
		running.set(step.id, promise);
		return promise;
	};

	await Promise.all(steps.map(step => start(step)));
	return steps.map(step => records.get(step.id)!);
}
