import {Text} from 'ink';
import {formatValue} from '../../report/text.js';
import {stringDifference} from '../role-bindings.js';

/** A value as JSON-ish text; against another string, the part that differs is highlighted. */
export function Value({value, other, tone}: {value: unknown; other?: unknown; tone?: 'expected' | 'actual'}) {
	if (typeof value === 'string' && typeof other === 'string' && value !== other) {
		const parts = tone === 'actual' ? stringDifference(other, value) : stringDifference(value, other);
		const middle = tone === 'actual' ? parts.actual : parts.expected;
		return (
			<Text>
				{'"'}
				{parts.prefix}
				<Text inverse color={tone === 'actual' ? 'red' : 'green'}>
					{middle || '∅'}
				</Text>
				{parts.suffix}
				{'"'}
			</Text>
		);
	}

	return <Text>{formatValue(value)}</Text>;
}
