import {Box, Text} from 'ink';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import {reportFacts} from '../report/text.js';

/** Who is logging in where, and what Vault answers. */
export function Header({
	report,
	title,
	width,
	compact = false,
}: {
	report?: DoctorReport;
	title: string;
	width: number;
	compact?: boolean;
}) {
	// On a short terminal, views other than the run view keep only the title and Vault's answer.
	const facts = report && !compact ? reportFacts(report) : [];
	const cut = (text: string) => (text.length > width - 9 ? `${text.slice(0, width - 10)}…` : text);
	return (
		<Box flexDirection="column">
			<Text bold wrap="truncate-end">
				{title}
			</Text>
			{facts.map(([label, value]) => (
				<Text key={label}>
					<Text dimColor>{label.padEnd(6)}</Text> {cut(value)}
				</Text>
			))}
			{report?.login.predicted ? (
				<Text color="red">{cut(`Vault would answer: ${report.login.predicted}`)}</Text>
			) : null}
			{report && report.login.actual !== undefined ? (
				<Text color={report.login.actual === null ? 'green' : 'red'}>
					{cut(`Vault answered: ${report.login.actual ?? 'login accepted'}`)}
				</Text>
			) : null}
		</Box>
	);
}
