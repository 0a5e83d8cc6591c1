import {Box, Text, useApp, useInput, useStdin, useStdout} from 'ink';
import {useCallback, useEffect, useMemo, useRef, useState} from 'react';
import {ApplyView} from './components/ApplyView.js';
import {Header} from './components/Header.js';
import {HelpBar} from './components/HelpBar.js';
import {HelpView} from './components/HelpView.js';
import {PasteView} from './components/PasteView.js';
import {Picker} from './components/Picker.js';
import {ProblemView} from './components/ProblemView.js';
import {RoleView} from './components/RoleView.js';
import {RunView} from './components/RunView.js';
import {Summary} from './components/Summary.js';
import {TokenView} from './components/TokenView.js';
import type {DoctorReport} from './core/doctor/diagnose.js';
import {tokenSources} from './core/probes/token-source.js';
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
	now = () => Date.now() / 1000,
}: AppProps) {
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const {write} = useStdout();
	const {columns, rows: height} = useTerminalSize();
	const diagnosis = useDiagnosis(runner, early);
	const [navigation, setNavigation] = useState<NavigationState>(initialNavigation);
	// Keys can arrive several per render: each one must see the state the previous one left.
	const latest = useRef(navigation);
	latest.current = navigation;
	const [roles, setRoles] = useState<string[]>([]);
	const [copied, setCopied] = useState<string | undefined>();
	const [focus, setFocus] = useState<string | undefined>();
	const report = diagnosis.report;
	const rows = useMemo(() => runRows(report, navigation.showAll), [report, navigation.showAll]);
	const reported = useRef<DoctorReport | undefined>(undefined);

	useEffect(() => {
		if (report && !diagnosis.running && reported.current !== report) {
			reported.current = report;
			onReport(report);
			const rowsNow = runRows(report, false);
			const firstProblem =
				(['fail', 'warn', 'skip'] as const)
					.map(status => rowsNow.findIndex(row => row.kind === 'check' && row.check.status === status))
					.find(index => index >= 0) ?? 0;
			setNavigation(state =>
				state.screen.name === 'run' && !focus ? {...state, selected: Math.max(0, firstProblem)} : state,
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
				mount: report?.vault?.mounts ?? [],
				role: roles,
				source: [...tokenSources],
				audience: [
					...new Set([
						'vault.hashicorp.com',
						...((report?.vault?.roleData?.['bound_audiences'] as string[] | null) ?? []),
						...[report?.token?.claims['aud'] ?? []].flat().map(String),
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
					write(`\u001B]52;c;${Buffer.from(effect.text).toString('base64')}\u0007`);
					setCopied(effect.text);
					break;
				}

				case 'rerun': {
					setCopied(undefined);
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
							setNavigation(state => ({...state, notice: summary}));
							diagnosis.rerun();
						},
						(error: Error) =>
							setNavigation(state => ({...state, notice: `Nothing applied: ${error.message}`})),
					);
					break;
				}
			}
		},
		[exit, write, diagnosis, applyFixes, report],
	);

	useInput(
		(input, key) => {
			const fixCommands = (id: string) => report?.checks.find(check => check.id === id)?.fix?.commands ?? [];
			const result = press(latest.current, input, key, {
				rows,
				fixCommands,
				pickerItems,
				running: diagnosis.running,
			});
			if (result.state.screen !== latest.current.screen) setCopied(undefined);
			latest.current = result.state;
			setNavigation(result.state);
			apply(result.effect);
		},
		{isActive: isRawModeSupported},
	);

	const width = Math.max(40, columns - 1);
	const compactHeader = navigation.screen.name !== 'run' && height < 32;
	const answerLines = (report?.login.predicted ? 1 : 0) + (report?.login.actual === undefined ? 0 : 1);
	const headerLines = 1 + (compactHeader || !report ? 0 : 5) + answerLines;
	const bodyHeight = Math.max(4, height - headerLines - 5);
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
					{...(copied ? {copied} : {})}
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
			body = <ApplyView canApply={Boolean(applyFixes)} {...(report ? {report} : {})} />;
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

	return (
		<Box flexDirection="column" width={width}>
			<Header
				title={title}
				width={width}
				compact={compactHeader}
				{...(report && !diagnosis.running ? {report} : {})}
			/>
			<Box marginTop={1} flexDirection="column">
				{diagnosis.error ? <Text color="red">The doctor could not run: {diagnosis.error}</Text> : body}
			</Box>
			<Box marginTop={1} flexDirection="column">
				{navigation.notice ? <Text color="cyan">{navigation.notice}</Text> : null}
				{report && !diagnosis.running && screen.name === 'run' ? <Summary report={report} /> : null}
				<HelpBar screen={screen.name} />
			</Box>
		</Box>
	);
}
