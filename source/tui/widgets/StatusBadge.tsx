import {Text} from 'ink';
import type {CheckStatus} from '../../core/check.js';
import {statusLabel} from '../../report/text.js';

const colors: Record<CheckStatus, string> = {pass: 'green', warn: 'yellow', fail: 'red', skip: 'gray'};

/** A symbol and a word, never colour alone. */
export function StatusBadge({status, width = 13}: {status: CheckStatus; width?: number}) {
	const {symbol, word} = statusLabel[status];
	return (
		<Text color={colors[status]} aria-label={word}>
			{`${symbol} ${word}`.padEnd(width)}
		</Text>
	);
}
