import {Box, Text} from 'ink';
import {diffFields, plannedChanges, plannedFields, targetPath} from '../../core/admin/apply.js';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {Value} from '../widgets/Value.js';

const isMap = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value) && !('toJSON' in value);

/** A change as the rows that differ: a map (bound_claims) key by key, so the changed key is never cut off. */
export function changedRows(
	field: string,
	from: unknown,
	to: unknown,
): Array<{name: string; from: unknown; to: unknown}> {
	if (isMap(from) && isMap(to)) {
		const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])];
		return keys
			.filter(key => JSON.stringify(from[key]) !== JSON.stringify(to[key]))
			.map(key => ({name: `${field}.${key}`, from: from[key], to: to[key]}));
	}

	return [{name: field, from, to}];
}

/** The Vault-side changes the fixes would make, as a diff, before anything is written. */
export function ApplyView({
	report,
	canApply,
	width,
}: {
	report?: DoctorReport;
	canApply: boolean;
	width: number;
}) {
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
		<Box flexDirection="column" width={width}>
			<Text bold>Apply these changes? A backup is saved first; a failed write or read-back restores it.</Text>
			{changes.map(change => (
				<Box key={targetPath(change.target)} flexDirection="column" marginTop={1}>
					<Text color="cyan">{targetPath(change.target)}</Text>
					{diffFields(change.basedOn, plannedFields(change))
						.flatMap(field => changedRows(field.field, field.from, field.to))
						.map(row => (
							<Box key={row.name} flexDirection="column" paddingLeft={2}>
								<Text>{row.name}</Text>
								<Box>
									<Text color="red">{'  - '}</Text>
									<Value value={row.from ?? null} other={row.to} tone="actual" />
								</Box>
								<Box>
									<Text color="green">{'  + '}</Text>
									<Value value={row.to} other={row.from} tone="expected" />
								</Box>
							</Box>
						))}
				</Box>
			))}
		</Box>
	);
}
