import {Box, Text} from 'ink';

/** Paste a token; only its length and shape are echoed, never its text. */
export function PasteView({text}: {text: string}) {
	const parts = text === '' ? 0 : text.split('.').length;
	return (
		<Box flexDirection="column">
			<Text bold>Paste the token, then press ⏎</Text>
			<Text>
				{text === '' ? (
					<Text dimColor>(waiting for input)</Text>
				) : (
					`${text.length} characters, ${parts} part${parts === 1 ? '' : 's'}${parts === 3 ? ' (looks like a JWT)' : ''}`
				)}
				<Text inverse> </Text>
			</Text>
			<Text dimColor>The token is not shown on screen.</Text>
		</Box>
	);
}
