import {Box, Text} from 'ink';

type Props = {
	title: string;
	query: string;
	items: string[];
	index: number;
	height: number;
	freeText: boolean;
};

/** A list to choose from, filtered by what is typed (long role lists stay usable). */
export function Picker({title, query, items, index, height, freeText}: Props) {
	const visible = Math.max(3, height);
	const first = Math.min(Math.max(0, index - Math.floor(visible / 2)), Math.max(0, items.length - visible));
	return (
		<Box flexDirection="column">
			<Text bold>{title}</Text>
			<Box>
				<Text color="cyan">search: </Text>
				<Text>{query}</Text>
				<Text inverse> </Text>
			</Box>
			{items.length === 0 ? (
				<Text dimColor>{freeText && query ? `⏎ uses "${query}"` : 'nothing matches'}</Text>
			) : null}
			{items.slice(first, first + visible).map((item, offset) => (
				<Text key={item} inverse={first + offset === index}>
					{first + offset === index ? '› ' : '  '}
					{item}
				</Text>
			))}
			{items.length > first + visible ? (
				<Text dimColor>{`  ↓ ${items.length - first - visible} more`}</Text>
			) : null}
		</Box>
	);
}
