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

/** The keys that work on the current screen, always on the last line. */
export function HelpBar({screen}: {screen: Screen['name']}) {
	return <Text dimColor>{hints[screen]}</Text>;
}
