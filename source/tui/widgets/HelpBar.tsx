import {Text} from 'ink';
import type {Screen} from '../navigation.js';

const hints: Record<Screen['name'], string> = {
	run: '↑↓ select  ⏎ open  t token  v role  A apply fixes  r re-run  ? help  q quit',
	problem: '↑↓ step  c copy  r re-check  esc back  t token  v role  ? help  q quit',
	token: 'esc back  v role  ? help  q quit',
	role: 'esc back  t token  ? help  q quit',
	help: 'esc back  q quit',
	apply: 'y apply  n or esc cancel',
	picker: 'type to search  ↑↓ choose  ⏎ select  esc cancel',
	paste: 'paste the token  ⏎ diagnose  ctrl+u clear  esc cancel',
};

/** The keys that work on the current screen, always on the last line; only keys that do something now. */
export function HelpBar({
	screen,
	failures = 0,
	canApply = false,
}: {
	screen: Screen['name'];
	failures?: number;
	canApply?: boolean;
}) {
	let hint = hints[screen];
	if (screen === 'run' && failures === 0) hint = hint.replace('  A apply fixes', '');
	if (screen === 'apply' && !canApply) hint = 'esc back  q quit';
	return (
		<Text dimColor wrap="truncate-end">
			{hint}
		</Text>
	);
}
