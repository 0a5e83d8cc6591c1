import {Box, Text} from 'ink';
import type {DoctorReport} from '../core/doctor/diagnose.js';
import {formatTime} from '../core/simulate-login.js';
import {formatValue} from '../report/text.js';

/** The token's header and claims as a table, times relative to now; the signature is never shown. */
export function TokenView({report, now, width}: {report?: DoctorReport; now: number; width: number}) {
	if (!report?.token)
		return <Text>No token was read. Press s to choose a token source or p to paste one.</Text>;
	const {token} = report;
	const keyWidth = Math.min(32, Math.max(...Object.keys(token.claims).map(key => key.length)) + 2);
	const relative = (seconds: number) => {
		const delta = Math.round(seconds - now);
		const amount =
			Math.abs(delta) < 120
				? `${Math.abs(delta)} s`
				: Math.abs(delta) < 7200
					? `${Math.round(Math.abs(delta) / 60)} min`
					: `${Math.round(Math.abs(delta) / 3600)} h`;
		return delta >= 0 ? `in ${amount}` : `${amount} ago`;
	};

	return (
		<Box flexDirection="column" width={width}>
			<Text bold>{token.platform}</Text>
			<Text dimColor>
				from {token.source}
				{token.why ? ` (${token.why})` : ''}
			</Text>
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
								<Text dimColor>{`  ${formatTime(value)} (${relative(value)})`}</Text>
							) : null}
						</Text>
					</Box>
				))}
			</Box>
			<Text dimColor>Signature: present, never shown.</Text>
		</Box>
	);
}
