/*
The interactive doctor's navigation as a pure state machine: which screen is shown, what is selected, and what a
key press does. Components render this state; the single input owner in app.tsx feeds keys through `press`.
*/
import type {CheckStatus} from '../core/check.js';
import type {DoctorReport, ReportCheck} from '../core/doctor/diagnose.js';
import type {CheckGroup} from '../core/doctor/engine.js';

export const groups: CheckGroup[] = ['Token', 'Issuer', 'Vault', 'Login', 'Access'];

export type PickerKind = 'mount' | 'role' | 'source' | 'audience';

export type Screen =
	| {name: 'run'}
	| {name: 'problem'; checkId: string; step: number}
	| {name: 'token'}
	| {name: 'role'}
	| {name: 'help'}
	| {name: 'apply'}
	| {name: 'picker'; kind: PickerKind; query: string; index: number}
	| {name: 'paste'; text: string};

export type NavigationState = {
	screen: Screen;
	selected: number;
	showAll: boolean;
	notice?: string;
	/** What is under way (a re-run, an apply): shown while it lasts, cleared when the run ends. */
	busy?: string;
	/** The first row shown of a view longer than the terminal (token, role, help, apply, a finding). */
	scroll: number;
};

export const initialNavigation: NavigationState = {
	screen: {name: 'run'},
	selected: 0,
	showAll: false,
	scroll: 0,
};

/** The views drawn in a scrolling viewport. */
const scrolling = new Set<Screen['name']>(['problem', 'token', 'role', 'help', 'apply']);

/** A row of the run view: a check, or the folded passes of a group. */
export type RunRow =
	| {kind: 'check'; group: CheckGroup; check: ReportCheck}
	| {kind: 'folded'; group: CheckGroup; count: number; status: CheckStatus};

const statusOrder: CheckStatus[] = ['fail', 'warn', 'skip', 'pass'];

/** The run view's rows, grouped: problems first in each group, passes folded unless all are shown. */
export function runRows(report: DoctorReport | undefined, showAll: boolean): RunRow[] {
	if (!report) return [];
	const rows: RunRow[] = [];
	for (const group of groups) {
		const checks = report.checks
			.filter(check => check.group === group && (showAll || !check.blockedBy))
			.sort((a, b) => statusOrder.indexOf(a.status) - statusOrder.indexOf(b.status));
		const shown = showAll ? checks : checks.filter(check => check.status !== 'pass');
		for (const check of shown) rows.push({kind: 'check', group, check});
		const passes = checks.length - shown.length;
		if (passes > 0) rows.push({kind: 'folded', group, count: passes, status: 'pass'});
	}

	return rows;
}

export type Key = {
	upArrow?: boolean;
	downArrow?: boolean;
	leftArrow?: boolean;
	rightArrow?: boolean;
	return?: boolean;
	escape?: boolean;
	backspace?: boolean;
	delete?: boolean;
	tab?: boolean;
	ctrl?: boolean;
	pageUp?: boolean;
	pageDown?: boolean;
};

export type Effect =
	| {type: 'quit'}
	| {type: 'rerun'; focus?: string}
	| {type: 'copy'; text: string}
	| {type: 'choose'; kind: PickerKind; value: string}
	| {type: 'paste'; token: string}
	| {type: 'apply'};

export type PressContext = {
	rows: RunRow[];
	fixCommands: (checkId: string) => string[];
	pickerItems: (kind: PickerKind, query: string) => string[];
	running: boolean;
	/** The largest scroll of the current view (content rows minus the rows shown); 0 when it fits. */
	scrollMax?: number;
	/** Rows a page key moves. */
	page?: number;
	/** Failed checks of the last report (none: nothing to apply). */
	failures?: number;
	/** Whether the apply view has changes it can write (not in the demo, not with nothing to change). */
	canApply?: boolean;
	/** Why the audience cannot be chosen (a token from a file or a variable was minted already); unset when it can. */
	audienceFixed?: string;
};

const clamp = (value: number, max: number) => Math.max(0, Math.min(value, Math.max(0, max - 1)));

/** What one key press does on the current screen. */
export function press(
	state: NavigationState,
	input: string,
	key: Key,
	context: PressContext,
): {state: NavigationState; effect?: Effect} {
	const {screen} = state;
	const next = (patch: Partial<NavigationState>) => ({
		state: {
			...state,
			notice: undefined,
			...(patch.screen && patch.screen.name !== screen.name ? {scroll: 0} : {}),
			...patch,
		} as NavigationState,
	});
	const scrollBy = (rows: number) => ({
		state: {...state, scroll: Math.max(0, Math.min(state.scroll + rows, context.scrollMax ?? 0))},
	});
	const page = Math.max(1, context.page ?? 10);
	if (scrolling.has(screen.name)) {
		if (key.pageUp) return scrollBy(-page);
		if (key.pageDown) return scrollBy(page);
		if (screen.name !== 'problem') {
			if (key.upArrow) return scrollBy(-1);
			if (key.downArrow) return scrollBy(1);
		}
	}

	const back = () => next({screen: {name: 'run'}});

	if (screen.name === 'paste') {
		if (key.escape) return back();
		if (key.return) {
			const token = screen.text.trim();
			return token
				? {
						state: {...state, screen: {name: 'run'}, busy: 'Diagnosing the pasted token...'},
						effect: {type: 'paste', token},
					}
				: back();
		}

		if (key.backspace || key.delete) return next({screen: {...screen, text: screen.text.slice(0, -1)}});
		if (key.ctrl && input === 'u') return next({screen: {...screen, text: ''}});
		return input && !key.ctrl
			? next({screen: {...screen, text: screen.text + input.replace(/\s+/g, '')}})
			: {state};
	}

	if (screen.name === 'picker') {
		const items = context.pickerItems(screen.kind, screen.query);
		if (key.escape) return back();
		if (key.upArrow) return next({screen: {...screen, index: clamp(screen.index - 1, items.length)}});
		if (key.downArrow) return next({screen: {...screen, index: clamp(screen.index + 1, items.length)}});
		if (key.return) {
			const value =
				items[screen.index] ??
				(screen.kind === 'audience' || screen.kind === 'role' ? screen.query.trim() : undefined);
			if (!value) return {state};
			return {
				state: {...state, screen: {name: 'run'}, busy: `Re-running with ${screen.kind} ${value}...`},
				effect: {type: 'choose', kind: screen.kind, value},
			};
		}

		if (key.backspace || key.delete)
			return next({screen: {...screen, query: screen.query.slice(0, -1), index: 0}});
		return input && !key.ctrl ? next({screen: {...screen, query: screen.query + input, index: 0}}) : {state};
	}

	if (screen.name === 'apply') {
		if (input === 'y' && context.canApply !== false)
			return {
				state: {...state, screen: {name: 'run'}, busy: 'Applying: backup, write, read-back...'},
				effect: {type: 'apply'},
			};
		if (input === 'n' || key.escape) return back();
	}

	if (input === 'q' || (key.escape && screen.name === 'run')) return {state, effect: {type: 'quit'}};
	if (key.escape || (key.leftArrow && screen.name !== 'run')) return back();
	if (input === '?') return next({screen: screen.name === 'help' ? {name: 'run'} : {name: 'help'}});
	if (input === 't') return next({screen: screen.name === 'token' ? {name: 'run'} : {name: 'token'}});
	if (input === 'v') return next({screen: screen.name === 'role' ? {name: 'run'} : {name: 'role'}});
	if (input === 'p') return next({screen: {name: 'paste', text: ''}});
	if (input === 'A' && !context.running)
		return context.failures === 0
			? {state: {...state, notice: 'No check failed: there is nothing to apply.'}}
			: next({screen: {name: 'apply'}});
	const pickers: Record<string, PickerKind> = {m: 'mount', o: 'role', s: 'source', a: 'audience'};
	if (pickers[input] === 'audience' && context.audienceFixed)
		return {state: {...state, notice: context.audienceFixed}};
	if (pickers[input]) return next({screen: {name: 'picker', kind: pickers[input]!, query: '', index: 0}});

	if (screen.name === 'problem') {
		const commands = context.fixCommands(screen.checkId);
		if (key.upArrow) return next({screen: {...screen, step: clamp(screen.step - 1, commands.length)}});
		if (key.downArrow) return next({screen: {...screen, step: clamp(screen.step + 1, commands.length)}});
		if (input === 'c' && commands[screen.step])
			return {
				state: {
					...state,
					notice: `Copied step ${screen.step + 1} to the clipboard (OSC 52). Not pasted? It is printed whole above the doctor, and again when you quit.`,
				},
				effect: {type: 'copy', text: commands[screen.step]!},
			};
		if (input === 'r' && !context.running)
			return {state: {...state, busy: 'Checking again...'}, effect: {type: 'rerun', focus: screen.checkId}};
		return {state};
	}

	if (screen.name === 'run') {
		if (key.upArrow) return next({selected: clamp(state.selected - 1, context.rows.length)});
		if (key.downArrow || key.tab) return next({selected: clamp(state.selected + 1, context.rows.length)});
		if (key.pageUp) return next({selected: clamp(state.selected - 10, context.rows.length)});
		if (key.pageDown) return next({selected: clamp(state.selected + 10, context.rows.length)});
		if (input === 'f') return next({showAll: !state.showAll, selected: 0});
		if (input === 'r' && !context.running)
			return {state: {...state, busy: 'Running the diagnosis again...'}, effect: {type: 'rerun'}};
		const row = context.rows[state.selected];
		if ((key.return || key.rightArrow) && row) {
			if (row.kind === 'folded') return next({showAll: true});
			return next({screen: {name: 'problem', checkId: row.check.id, step: 0}});
		}
	}

	return {state};
}
