import {Box, Text, useApp, useInput, useStdin, useStdout} from 'ink';
import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {plannedChanges} from '../core/admin/apply.js';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import {tokenAudiences} from '../core/login/audiences.js';
import {mountsInPickerOrder} from '../core/mount-choice.js';
import {tokenSources} from '../core/token-source-names.js';
import {reportFacts} from '../report/text.js';
import type {EarlyRun} from './hooks/early-run.js';
import {type Runner, useDiagnosis} from './hooks/use-diagnosis.js';
import {useTerminalSize} from './hooks/use-terminal-size.js';
import {
	type Effect,
	initialNavigation,
	type NavigationState,
	type PickerKind,
	press,
	runRows,
} from './navigation.js';
import {ApplyView} from './screens/ApplyView.js';
import {HelpView} from './screens/HelpView.js';
import {PasteView} from './screens/PasteView.js';
import {ProblemView} from './screens/ProblemView.js';
import {RoleView} from './screens/RoleView.js';
import {RunView} from './screens/RunView.js';
import {TokenView} from './screens/TokenView.js';
import {answerLines, Header} from './widgets/Header.js';
import {HelpBar} from './widgets/HelpBar.js';
import {Picker} from './widgets/Picker.js';
import {Summary} from './widgets/Summary.js';
import {Viewport} from './widgets/Viewport.js';

export type AppProps = {
	title: string;
	runner: Runner;
	/** The first run, started before the TUI loaded. */
	early?: EarlyRun;
	/** What is being checked, shown while the run goes. */
	checking?: string;
	/** The role names of a mount, for the role picker (undefined when roles cannot be listed). */
	listRoles?: (mount: string) => Promise<string[]>;
	hyperlinks: boolean;
	/** Applies the report's Vault-side fixes (with backup and rollback) and says what happened; absent in the demo. */
	applyFixes?: (report: DoctorReport) => Promise<string>;
	/** Called with each finished report, so the exit code follows the last one. */
	onReport: (report: DoctorReport) => void;
	/** Called with every text copied (c) or to be copied by hand, to print again after the TUI closes. */
	onCopy?: (text: string) => void;
	now?: () => number;
};

/** The interactive doctor. It owns the only input handler and the only exit; everything else renders state. */
export default function App({
	title,
	runner,
	early,
	checking,
	listRoles,
	hyperlinks,
	applyFixes,
	onReport,
	onCopy,
	now = () => Date.now() / 1000,
}: AppProps) {
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const {write} = useStdout();
	const {columns, rows: height} = useTerminalSize();
	const diagnosis = useDiagnosis(runner, early);
	// A report already there on the first frame (the demo) has its first problem selected from the start.
	const [navigation, setNavigation] = useState<NavigationState>(() =>
		diagnosis.report && !diagnosis.running
			? {...initialNavigation, selected: firstProblemRow(diagnosis.report)}
			: initialNavigation,
	);
	// Keys can arrive several per render: each one must see the state the previous one left.
	const latest = useRef(navigation);
	latest.current = navigation;
	const [roles, setRoles] = useState<string[]>([]);
	const [focus, setFocus] = useState<string | undefined>();
	const report = diagnosis.report;
	const rows = useMemo(() => runRows(report, navigation.showAll), [report, navigation.showAll]);
	const reported = useRef<DoctorReport | undefined>(undefined);
	// The height of the scrolling view's content, measured after layout (for clamping the scroll).
	const contentHeight = useRef(0);

	useEffect(() => {
		if (report && !diagnosis.running && reported.current !== report) {
			reported.current = report;
			onReport(report);
			const firstProblem = firstProblemRow(report);
			setNavigation(state =>
				state.screen.name === 'run' && !focus && state.selected !== firstProblem
					? {...state, selected: firstProblem}
					: state,
			);
		}
	}, [report, diagnosis.running, onReport, focus]);

	useEffect(() => {
		if (
			navigation.screen.name === 'picker' &&
			navigation.screen.kind === 'role' &&
			listRoles &&
			report?.vault?.mount
		) {
			listRoles(report.vault.mount).then(setRoles, () => setRoles([]));
		}
	}, [navigation.screen, listRoles, report?.vault?.mount]);

	// A status line ("Re-running with mount jwt...") lasts as long as the run it announces.
	useEffect(() => {
		if (!diagnosis.running) setNavigation(state => (state.busy ? {...state, busy: undefined} : state));
	}, [diagnosis.running]);

	useEffect(() => {
		if (!focus || diagnosis.running || !report) return;
		const check = report.checks.find(item => item.id === focus);
		setNavigation(state => ({
			...state,
			notice: check
				? `Checked again: ${check.status === 'pass' ? 'it passes now.' : `still ${check.status}.`}`
				: 'Checked again: this check no longer applies.',
		}));
		setFocus(undefined);
	}, [focus, diagnosis.running, report]);

	const pickerItems = useCallback(
		(kind: PickerKind, query: string): string[] => {
			const suggestions: Record<PickerKind, string[]> = {
				mount: mountsInPickerOrder(report?.vault?.mounts ?? [], report?.vault?.issuerMounts),
				role: roles,
				source: [...tokenSources],
				audience: [
					...new Set([
						'vault.hashicorp.com',
						...((report?.vault?.roleData?.['bound_audiences'] as string[] | null) ?? []),
						...tokenAudiences(report?.token?.claims),
					]),
				],
			};
			const lower = query.toLowerCase();
			return suggestions[kind].filter(item => item.toLowerCase().includes(lower));
		},
		[report, roles],
	);

	const apply = useCallback(
		(effect: Effect | undefined) => {
			if (!effect) return;
			switch (effect.type) {
				case 'quit': {
					exit();
					break;
				}

				case 'copy': {
					// The clipboard (OSC 52), and the text itself above the doctor, unwrapped, for copying by hand.
					write(`\u001B]52;c;${Buffer.from(effect.text).toString('base64')}\u0007`);
					write(`${effect.text}\n`);
					onCopy?.(effect.text);
					break;
				}

				case 'rerun': {
					if (effect.focus) setFocus(effect.focus);
					diagnosis.rerun();
					break;
				}

				case 'choose': {
					diagnosis.rerun({[effect.kind]: effect.value});
					break;
				}

				case 'paste': {
					diagnosis.rerun({token: effect.token});
					break;
				}

				case 'apply': {
					if (!applyFixes || !report) break;
					applyFixes(report).then(
						summary => {
							// A restore command is a copy target: printed whole above the doctor, not wrapped in the notice.
							const targets = summary
								.split('\n')
								.map(line => line.trim())
								.filter(line => line.startsWith('ona-vault-doctor restore '));
							for (const target of targets) {
								write(`${target}\n`);
								onCopy?.(target);
							}

							const shown = summary
								.split('\n')
								.map(line =>
									targets.includes(line.trim())
										? '  (the command is printed whole above the doctor, and again when you quit)'
										: line,
								)
								.join('\n');
							setNavigation(state => ({...state, notice: shown}));
							diagnosis.rerun();
						},
						(error: Error) =>
							setNavigation(state => ({...state, notice: `Nothing applied: ${error.message}`})),
					);
					break;
				}
			}
		},
		[exit, write, diagnosis, applyFixes, report, onCopy],
	);

	useInput(
		(input, key) => {
			const fixCommands = (id: string) => report?.checks.find(check => check.id === id)?.fix?.commands ?? [];
			const result = press(latest.current, input, key, {
				rows,
				fixCommands,
				pickerItems,
				running: diagnosis.running,
				scrollMax: Math.max(0, contentHeight.current - (bodyHeight - 1)),
				page: Math.max(1, bodyHeight - 2),
				failures: report?.summary.fail ?? 0,
				canApply: Boolean(applyFixes) && report !== undefined && plannedChanges(report).length > 0,
				...(report?.token && !report.token.audienceRequestable
					? {
							audienceFixed: `The token came from ${report.token.source}: its audience was set when it was minted, so the doctor cannot ask for another. Mint one with the audience you want and pass it (or press p to paste it).`,
						}
					: {}),
			});
			latest.current = result.state;
			setNavigation(result.state);
			apply(result.effect);
		},
		{isActive: isRawModeSupported},
	);

	const width = Math.max(40, columns - 1);
	const compactHeader = navigation.screen.name !== 'run' && height < 32;
	const headerReport = report && !diagnosis.running ? report : undefined;
	const headerLines =
		1 +
		(compactHeader || !headerReport ? 0 : reportFacts(headerReport).length) +
		(headerReport ? answerLines(headerReport).reduce((sum, line) => sum + wrappedRows(line, width), 0) : 0);
	const status = navigation.busy ?? navigation.notice;
	const footerLines =
		(status ? status.split('\n').reduce((sum, line) => sum + wrappedRows(line, width), 0) : 0) +
		(headerReport && navigation.screen.name === 'run' ? 1 : 0) +
		1;
	// Header, a blank line, the body, a blank line, the footer, and the row the cursor rests on.
	const bodyHeight = Math.max(3, height - headerLines - footerLines - 3);
	// The selected fix step stays in view: the viewport scrolls to it when ↑↓ move past the visible rows.
	const keepStepInView = useCallback(
		(top: number, rowsOfStep: number) => {
			setNavigation(state => {
				const visible = Math.max(1, bodyHeight - 1);
				if (top < state.scroll) return {...state, scroll: top};
				const bottom = top + Math.min(rowsOfStep, visible);
				if (bottom > state.scroll + visible) return {...state, scroll: bottom - visible};
				return state;
			});
		},
		[bodyHeight],
	);
	const {screen} = navigation;
	let body: React.ReactNode;
	switch (screen.name) {
		case 'problem': {
			const check = report?.checks.find(item => item.id === screen.checkId);
			body = check ? (
				<ProblemView
					check={check}
					step={screen.step}
					hyperlinks={hyperlinks}
					width={width}
					height={bodyHeight}
					onStepRows={keepStepInView}
				/>
			) : (
				<Text>This check is gone after the re-run.</Text>
			);
			break;
		}

		case 'token': {
			body = <TokenView now={now()} width={width} {...(report ? {report} : {})} />;
			break;
		}

		case 'role': {
			body = <RoleView width={width} {...(report ? {report} : {})} />;
			break;
		}

		case 'help': {
			body = <HelpView />;
			break;
		}

		case 'apply': {
			body = <ApplyView canApply={Boolean(applyFixes)} width={width} {...(report ? {report} : {})} />;
			break;
		}

		case 'picker': {
			const titles: Record<PickerKind, string> = {
				mount: 'Choose the auth mount',
				role: 'Choose the role',
				source: 'Choose where the token comes from',
				audience: 'Choose the audience to request',
			};
			body = (
				<Picker
					title={titles[screen.kind]}
					query={screen.query}
					items={pickerItems(screen.kind, screen.query)}
					index={screen.index}
					height={bodyHeight - 3}
					freeText={screen.kind === 'role' || screen.kind === 'audience'}
				/>
			);
			break;
		}

		case 'paste': {
			body = <PasteView text={screen.text} />;
			break;
		}

		default: {
			body = (
				<RunView
					{...(checking ? {checking} : {})}
					steps={diagnosis.steps}
					running={diagnosis.running}
					rows={rows}
					selected={navigation.selected}
					height={bodyHeight}
					width={width}
					{...(report ? {report} : {})}
				/>
			);
		}
	}

	// Every view but the picker (which pages itself) and the finished run list (which slices its rows) scrolls.
	const scrolls = screen.name !== 'picker' && !(screen.name === 'run' && report && !diagnosis.running);
	const canApply = Boolean(applyFixes) && report !== undefined && plannedChanges(report).length > 0;
	return (
		<Box flexDirection="column" width={width}>
			<Header
				title={title}
				width={width}
				compact={compactHeader}
				{...(headerReport ? {report: headerReport} : {})}
			/>
			<Box marginTop={1} flexDirection="column">
				{diagnosis.error ? (
					<Text color="red">The doctor could not run: {diagnosis.error}</Text>
				) : scrolls ? (
					<Viewport
						key={screen.name}
						height={bodyHeight}
						offset={navigation.scroll}
						onMeasure={rowsMeasured => {
							contentHeight.current = rowsMeasured;
						}}
					>
						{body}
					</Viewport>
				) : (
					body
				)}
			</Box>
			<Box marginTop={1} flexDirection="column">
				{status ? <Text color="cyan">{status}</Text> : null}
				{headerReport && screen.name === 'run' ? <Summary report={headerReport} /> : null}
				<HelpBar screen={screen.name} failures={headerReport?.summary.fail ?? 0} canApply={canApply} />
			</Box>
		</Box>
	);
}

/** The run view's row of the first failure (else warning, else skipped check), selected when a run ends. */
function firstProblemRow(report: DoctorReport): number {
	const rows = runRows(report, false);
	return (
		(['fail', 'warn', 'skip'] as const)
			.map(status => rows.findIndex(row => row.kind === 'check' && row.check.status === status))
			.find(index => index >= 0) ?? 0
	);
}

/** Rows a text takes when wrapped at word boundaries to the width (as Ink wraps it). */
export function wrappedRows(text: string, width: number): number {
	let rows = 1;
	let column = 0;
	for (const word of text.split(' ')) {
		const length = [...word].length;
		if (column > 0 && column + 1 + length > width) {
			rows++;
			column = 0;
		}

		column += (column > 0 ? 1 : 0) + length;
		while (column > width) {
			rows++;
			column -= width;
		}
	}

	return rows;
}
