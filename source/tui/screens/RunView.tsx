import {Box, Text} from 'ink';
import Spinner from 'ink-spinner';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import type {StepProgress} from '../hooks/use-diagnosis.js';
import {groups, type RunRow} from '../navigation.js';
import {StatusBadge} from '../widgets/StatusBadge.js';

type Props = {
	/** What is being checked, shown while the run goes. */
	checking?: string;
	report?: DoctorReport;
	steps: StepProgress[];
	running: boolean;
	rows: RunRow[];
	selected: number;
	height: number;
	width: number;
};

/** The checks grouped as Token, Issuer, Vault, Login, Access: spinners while running, then every finding. */
export function RunView({checking, report, steps, running, rows, selected, height, width}: Props) {
	if (running || !report) {
		return (
			<Box flexDirection="column">
				{checking ? <Text wrap="truncate-end">{checking}</Text> : null}
				{groups.map(group => {
					const inGroup = steps.filter(step => step.group === group);
					if (inGroup.length === 0) return null;
					return (
						<Box key={group} flexDirection="column">
							<Text bold>{group}</Text>
							{inGroup.map(step => (
								<Box key={step.id} paddingLeft={2}>
									{step.state === 'running' ? (
										<Text color="cyan">
											<Spinner type="dots" /> {'running'.padEnd(11)}
										</Text>
									) : (
										<StatusBadge status={step.worst ?? 'pass'} />
									)}
									<Text> {step.title}</Text>
									{step.ms === undefined ? null : <Text dimColor> {step.ms} ms</Text>}
								</Box>
							))}
						</Box>
					);
				})}
			</Box>
		);
	}

	const visible = Math.max(3, height);
	const first = Math.min(Math.max(0, selected - Math.floor(visible / 2)), Math.max(0, rows.length - visible));
	const slice = rows.slice(first, first + visible);
	const timing = new Map(report.steps.map(step => [step.id, step.ms]));
	return (
		<Box flexDirection="column">
			{first > 0 ? <Text dimColor>{`  ↑ ${first} more`}</Text> : null}
			{slice.map((row, offset) => {
				const index = first + offset;
				const isSelected = index === selected;
				const groupLabel = index === 0 || rows[index - 1]?.group !== row.group ? row.group : '';
				const pointer = isSelected ? '›' : ' ';
				if (row.kind === 'folded') {
					return (
						<Box key={`${row.group}-folded`}>
							<Text bold>{groupLabel.padEnd(7)}</Text>
							<Text color="cyan">{pointer} </Text>
							<StatusBadge status="pass" />
							<Text dimColor> {row.count} passed (f shows them)</Text>
						</Box>
					);
				}

				const {check} = row;
				const stepMs = timing.get(check.id.split('/')[0] ?? '') ?? timing.get(check.id);
				const title =
					check.title.length > width - 36
						? `${check.title.slice(0, Math.max(10, width - 37))}…`
						: check.title;
				return (
					<Box key={`${check.id}-${index}`}>
						<Text bold>{groupLabel.padEnd(7)}</Text>
						<Text color="cyan">{pointer} </Text>
						<StatusBadge status={check.status} />
						<Text inverse={isSelected}> {title} </Text>
						{stepMs === undefined ? null : <Text dimColor> {stepMs} ms</Text>}
					</Box>
				);
			})}
			{first + visible < rows.length ? (
				<Text dimColor>{`  ↓ ${rows.length - first - visible} more`}</Text>
			) : null}
		</Box>
	);
}
