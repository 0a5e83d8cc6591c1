import {Box, Text} from 'ink';
import {diffFields, plannedChanges, plannedFields, targetPath} from '../core/apply.js';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import {formatValue} from '../report/text.js';

/** The Vault-side changes the fixes would make, as a diff, before anything is written. */
export function ApplyView({report, canApply}: {report?: DoctorReport; canApply: boolean}) {
	const changes = report ? plannedChanges(report) : [];
	if (!canApply)
		return (
			<Text>Applying fixes needs a live run with a Vault token that may write roles (not the demo).</Text>
		);
	if (changes.length === 0)
		return (
			<Text>
				No failing check has a fix on the Vault side; the remaining fixes are on the token or platform side.
			</Text>
		);
	return (
		<Box flexDirection="column">
			<Text bold>Apply these changes? A backup is saved first; a failed write or read-back restores it.</Text>
			{changes.map(change => (
				<Box key={targetPath(change.target)} flexDirection="column" marginTop={1}>
					<Text color="cyan">{targetPath(change.target)}</Text>
					{diffFields(change.basedOn, plannedFields(change)).map(field => (
						<Box key={field.field} flexDirection="column" paddingLeft={2}>
							<Text>{field.field}</Text>
							<Text color="red" wrap="truncate-end">{`  - ${formatValue(field.from ?? null)}`}</Text>
							<Text color="green" wrap="truncate-end">{`  + ${formatValue(field.to)}`}</Text>
						</Box>
					))}
				</Box>
			))}
		</Box>
	);
}
