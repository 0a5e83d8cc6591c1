import {Box, Text} from 'ink';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {reportFacts} from '../../report/text.js';

/** Vault's answer, predicted and actual, as the header shows them (each wraps rather than being cut). */
export function answerLines(report: DoctorReport): string[] {
	return [
		...(report.login.predicted ? [`Vault would answer: ${report.login.predicted}`] : []),
		...(report.login.actual === undefined
			? []
			: [`Vault answered: ${report.login.actual ?? 'login accepted'}`]),
	];
}

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
		<Box flexDirection="column" width={width}>
			<Text bold wrap="truncate-end">
				{title}
			</Text>
			{facts.map(([label, value]) => (
				<Text key={label}>
					<Text dimColor>{label.padEnd(6)}</Text> {cut(value)}
				</Text>
			))}
			{report
				? answerLines(report).map(line => (
						<Text
							key={line}
							color={line.startsWith('Vault answered') && report.login.actual === null ? 'green' : 'red'}
							wrap="wrap"
						>
							{line}
						</Text>
					))
				: null}
		</Box>
	);
}
