import {Box, Text} from 'ink';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {formatTime, relativeTime} from '../../core/time-text.js';
import {formatValue} from '../../report/text.js';

/** The token's header and claims as a table, times relative to now; the signature is never shown. */
export function TokenView({report, now, width}: {report?: DoctorReport; now: number; width: number}) {
	if (!report?.token)
		return <Text>No token was read. Press s to choose a token source or p to paste one.</Text>;
	const {token} = report;
	const keyWidth = Math.min(32, Math.max(...Object.keys(token.claims).map(key => key.length)) + 2);
	return (
		<Box flexDirection="column" width={width}>
			<Text bold>{token.platform}</Text>
			<Text dimColor>
				from {token.source}
				{token.why ? ` (${token.why})` : ''}
			</Text>
			<Text dimColor>Signature: present, never shown.</Text>
			<Box marginTop={1} flexDirection="column">
				<Text bold>Header</Text>
				{Object.entries(token.header).map(([key, value]) => (
					<Text key={key}>
						{'  '}
						{key.padEnd(keyWidth)}
						{formatValue(value)}
					</Text>
				))}
			</Box>
			<Box marginTop={1} flexDirection="column">
				<Text bold>Claims</Text>
				{Object.entries(token.claims).map(([key, value]) => (
					<Box key={key} paddingLeft={2}>
						<Box width={keyWidth} flexShrink={0}>
							<Text wrap="truncate-middle">{key}</Text>
						</Box>
						<Text wrap="wrap">
							{formatValue(value)}
							{['iat', 'nbf', 'exp'].includes(key) && typeof value === 'number' ? (
								<Text dimColor>{`  ${formatTime(value)} (${relativeTime(value, now)})`}</Text>
							) : null}
						</Text>
					</Box>
				))}
			</Box>
		</Box>
	);
}
