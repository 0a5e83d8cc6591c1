import {Box, Text} from 'ink';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {formatValue} from '../../report/text.js';
import {type Binding, roleBindings} from '../role-bindings.js';
import {StatusBadge} from '../widgets/StatusBadge.js';

const badgeWidth = 13;
const gap = 2;

const tokenText = (row: Binding) =>
	row.claim === undefined ? '' : row.value === undefined ? '(missing)' : formatValue(row.value);

/** The config fields that decide which tokens the mount trusts, in the order Vault uses them. */
const configFields = [
	'bound_issuer',
	'oidc_discovery_url',
	'jwks_url',
	'jwt_validation_pubkeys',
	'jwt_supported_algs',
	'default_role',
];

/**
Every binding of the role against the token (the bound value, the claim's value, the verdict), then the mount's
config. Side by side when both values fit whole; otherwise each binding takes a few lines, never cutting a value.
*/
export function RoleView({report, width}: {report?: DoctorReport; width: number}) {
	const vault = report?.vault;
	const config = vault?.configData;
	const configRows = config
		? configFields
				.filter(field => config[field] !== undefined && config[field] !== '' && !isEmptyList(config[field]))
				.map(field => [field, formatValue(config[field])] as const)
		: [];
	const configView = (
		<Box flexDirection="column" marginTop={1}>
			<Text bold>auth/{vault?.mount ?? 'jwt'}/config</Text>
			{config === undefined || config === null ? (
				<Text dimColor>The config could not be read (pass --config-file to show it).</Text>
			) : configRows.length === 0 ? (
				<Text dimColor>No issuer or keys configured.</Text>
			) : (
				configRows.map(([field, value]) => (
					<Box key={field}>
						<Box width={24} flexShrink={0}>
							<Text dimColor>{field}</Text>
						</Box>
						<Text wrap="wrap">{value}</Text>
					</Box>
				))
			)}
		</Box>
	);
	if (!report || !vault?.roleData) {
		return (
			<Box flexDirection="column" width={width}>
				<Text>
					The role could not be read. Press o to choose a role, or pass --role-file with the role exported by
					an admin.
				</Text>
				{vault ? configView : null}
			</Box>
		);
	}

	const rows = roleBindings(report);
	const fieldWidth = Math.min(30, Math.max(...rows.map(row => row.field.length))) + gap;
	const valueWidth = Math.floor((width - badgeWidth - fieldWidth) / 2);
	const widest = Math.max(...rows.map(row => Math.max(formatValue(row.bound).length, tokenText(row).length)));
	const sideBySide = widest + gap <= valueWidth;
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>
				auth/{vault.mount}/role/{vault.role || '(from a file)'}{' '}
				<Text dimColor>({vault.behaviour ?? 'current Vault'})</Text>
			</Text>
			{sideBySide ? (
				<Box>
					<Box width={badgeWidth + fieldWidth}>
						<Text dimColor>binding</Text>
					</Box>
					<Box width={valueWidth}>
						<Text dimColor>role</Text>
					</Box>
					<Text dimColor>token</Text>
				</Box>
			) : null}
			{rows.map(row =>
				sideBySide ? (
					<Box key={row.field}>
						<Box width={badgeWidth}>
							{row.status === 'none' ? <Text> </Text> : <StatusBadge status={row.status} />}
						</Box>
						<Box width={fieldWidth}>
							<Text wrap="truncate-middle">{row.field}</Text>
						</Box>
						<Box width={valueWidth}>
							<Text color="green">{formatValue(row.bound)}</Text>
						</Box>
						<Text color={row.status === 'fail' ? 'red' : undefined}>{tokenText(row)}</Text>
					</Box>
				) : (
					<Box key={row.field} flexDirection="column">
						<Box>
							<Box width={badgeWidth}>
								{row.status === 'none' ? <Text> </Text> : <StatusBadge status={row.status} />}
							</Box>
							<Text>{row.field}</Text>
						</Box>
						<Box paddingLeft={badgeWidth}>
							<Box width={7} flexShrink={0}>
								<Text dimColor>role</Text>
							</Box>
							<Text color="green" wrap="wrap">
								{formatValue(row.bound)}
							</Text>
						</Box>
						{row.claim === undefined ? null : (
							<Box paddingLeft={badgeWidth}>
								<Box width={7} flexShrink={0}>
									<Text dimColor>token</Text>
								</Box>
								<Text color={row.status === 'fail' ? 'red' : undefined} wrap="wrap">
									{tokenText(row)}
								</Text>
							</Box>
						)}
					</Box>
				),
			)}
			{configView}
			<Text dimColor>⏎ on a finding in the run view shows the full values side by side.</Text>
		</Box>
	);
}

function isEmptyList(value: unknown): boolean {
	return Array.isArray(value) && value.length === 0;
}
