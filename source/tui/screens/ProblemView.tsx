import {Box, type DOMElement, measureElement, Text} from 'ink';
import {useLayoutEffect, useRef} from 'react';
import type {ReportCheck} from '../../core/doctor/diagnose.js';
import {problems} from '../../core/problems/catalogue.js';
import {formatValue} from '../../report/text.js';
import {StatusBadge} from '../widgets/StatusBadge.js';
import {Value} from '../widgets/Value.js';
import {rowWithin} from '../widgets/Viewport.js';

type Props = {
	check: ReportCheck;
	step: number;
	hyperlinks: boolean;
	width: number;
	height?: number;
	/** Told where the selected fix step lies (first row, rows), so the viewport can keep it in view. */
	onStepRows?: (top: number, rows: number) => void;
};

const link = (url: string, enabled: boolean) =>
	enabled ? `\u001B]8;;${url}\u0007${url}\u001B]8;;\u0007` : url;

/** One finding, walked through: what it means, the evidence side by side, the fix as numbered steps. */
export function ProblemView({check, step, hyperlinks, width, height = 40, onStepRows}: Props) {
	const root = useRef<DOMElement>(null);
	const selected = useRef<DOMElement>(null);
	useLayoutEffect(() => {
		const top = rowWithin(selected.current, root.current);
		if (top !== undefined && selected.current && step >= 0)
			onStepRows?.(top, measureElement(selected.current).height);
	}, [step, onStepRows]);
	const problem = check.problem ? problems[check.problem] : undefined;
	const roomy = height >= 20;
	const window = isTimeWindow(check.actual) ? check.actual : undefined;
	const commands = check.fix?.commands ?? [];
	return (
		<Box ref={root} flexDirection="column" width={width}>
			<Box>
				<StatusBadge status={check.status} />
				<Text bold> {check.title}</Text>
				{check.problem ? <Text dimColor> [{check.problem}]</Text> : null}
			</Box>
			<Text>{check.message}</Text>
			{problem && check.status !== 'pass' && roomy ? <Text dimColor>{problem.cause}</Text> : null}
			{check.expected !== undefined || check.actual !== undefined ? (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>Evidence</Text>
					{check.expected === undefined ? null : (
						<Box paddingLeft={2}>
							<Text color="green">{'expected  '}</Text>
							<Value value={check.expected} other={check.actual} tone="expected" />
						</Box>
					)}
					{window ? (
						Object.entries(window).map(([name, value]) => (
							<Box key={name} paddingLeft={2}>
								<Text color="red">{name.padEnd(10)}</Text>
								<Text>{String(value)}</Text>
							</Box>
						))
					) : check.actual === undefined ? null : (
						<Box paddingLeft={2}>
							<Text color="red">{'actual    '}</Text>
							<Value value={check.actual} other={check.expected} tone="actual" />
						</Box>
					)}
					{check.hint ? (
						<Box paddingLeft={2}>
							<Text color="yellow">{'why       '}</Text>
							<Text>{check.hint}</Text>
						</Box>
					) : null}
				</Box>
			) : check.hint ? (
				<Text color="yellow">why: {check.hint}</Text>
			) : null}
			{check.vaultMessage && check.status === 'fail' ? (
				<Box marginTop={roomy ? 1 : 0}>
					<Text>
						<Text dimColor>Vault says:</Text> {check.vaultMessage}
					</Text>
				</Box>
			) : null}
			{check.fix ? (
				<Box flexDirection="column" marginTop={1}>
					<Text bold>Fix: {check.fix.summary}</Text>
					{commands.map((command, index) => (
						<Box key={command} paddingLeft={1} {...(index === step ? {ref: selected} : {})}>
							<Box flexShrink={0}>
								<Text color={index === step ? 'cyan' : undefined}>{index === step ? '›' : ' '}</Text>
								<Text>{` ${index + 1}. `}</Text>
							</Box>
							{/* Only the selected step is shown whole, so the walkthrough fits a small terminal. */}
							<Text
								color={command.startsWith('#') ? 'gray' : 'cyan'}
								inverse={index === step}
								wrap={index === step ? 'wrap' : 'truncate-end'}
							>
								{index === step ? command : command.split('\n')[0]}
							</Text>
						</Box>
					))}
					{check.fix.docs ? <Text dimColor>Docs: {link(check.fix.docs, hyperlinks)}</Text> : null}
				</Box>
			) : null}
		</Box>
	);
}

function isTimeWindow(value: unknown): value is Record<string, string | number> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && 'now' in value;
}

export {formatValue};
