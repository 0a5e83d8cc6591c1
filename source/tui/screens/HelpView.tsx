import {Box, Text} from 'ink';

const keys: Array<[string, string]> = [
	['↑ ↓', 'move between findings, fix steps, or the lines of a long view'],
	['PgUp PgDn', 'a page up or down (a long view scrolls; the header stays)'],
	['⏎ or →', 'open the selected finding: evidence, cause and fix'],
	['c', 'copy the selected fix step (OSC 52); also printed whole above the doctor and on quitting'],
	['r', 're-run the diagnosis (on a finding: check it again after you changed something)'],
	['f', 'show or fold the checks that passed'],
	['t', 'the token: header, claims, times (never the signature)'],
	['v', "the role and config, each binding against the token's value"],
	['m / o', 'choose the auth mount / the role'],
	['s / a', 'choose the token source / the audience to request'],
	['p', 'paste a token to diagnose'],
	[
		'A',
		'apply the Vault-side fixes: shows the change, asks, backs up, writes, verifies, rolls back on failure',
	],
	['esc or ←', 'back'],
	['q', 'quit (exit code 0 when nothing failed, 1 otherwise)'],
];

export function HelpView() {
	return (
		<Box flexDirection="column">
			<Text bold>Keys</Text>
			{keys.map(([key, meaning]) => (
				<Box key={key} paddingLeft={2}>
					<Box width={11} flexShrink={0}>
						<Text color="cyan">{key}</Text>
					</Box>
					<Text wrap="wrap">{meaning}</Text>
				</Box>
			))}
			<Box marginTop={1}>
				<Text dimColor>
					Vault reports only its first failing check; the doctor shows all of them, with values. Set
					INK_SCREEN_READER=true for screen-reader output.
				</Text>
			</Box>
		</Box>
	);
}
