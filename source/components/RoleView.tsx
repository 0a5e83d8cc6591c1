import {Box, Text} from 'ink';
import {roleBindings} from '../bindings.js';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import {formatValue} from '../report/text.js';
import {StatusBadge} from './StatusBadge.js';

/** Every binding of the role and config against the token: the bound value, the claim's value, the verdict. */
export function RoleView({report, width}: {report?: DoctorReport; width: number}) {
	const vault = report?.vault;
	if (!report || !vault?.roleData) {
		return (
			<Text>
				The role could not be read. Press o to choose a role, or pass --role-file with the role exported by an
				admin.
			</Text>
		);
	}

	const rows = roleBindings(report);
	const fieldWidth = Math.min(30, Math.max(...rows.map(row => row.field.length)) + 1);
	const valueWidth = Math.max(12, Math.floor((width - 13 - fieldWidth - 2) / 2));
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>
				auth/{vault.mount}/role/{vault.role} <Text dimColor>({vault.behaviour ?? 'current Vault'})</Text>
			</Text>
			<Box>
				<Box width={13 + fieldWidth}>
					<Text dimColor>binding</Text>
				</Box>
				<Box width={valueWidth + 1}>
					<Text dimColor>role</Text>
				</Box>
				<Text dimColor>token</Text>
			</Box>
			{rows.map(row => (
				<Box key={row.field}>
					<Box width={13}>{row.status === 'none' ? <Text> </Text> : <StatusBadge status={row.status} />}</Box>
					<Box width={fieldWidth}>
						<Text wrap="truncate-middle">{row.field}</Text>
					</Box>
					<Box width={valueWidth + 1}>
						<Text color="green" wrap="truncate-end">
							{formatValue(row.bound)}
						</Text>
					</Box>
					<Box width={valueWidth}>
						<Text color={row.status === 'fail' ? 'red' : undefined} wrap="truncate-end">
							{row.claim === undefined ? '' : row.value === undefined ? '(missing)' : formatValue(row.value)}
						</Text>
					</Box>
				</Box>
			))}
			<Text dimColor>⏎ on a finding in the run view shows the full values side by side.</Text>
		</Box>
	);
}
