import {Box, type DOMElement, measureElement, Text} from 'ink';
import {type ReactNode, useLayoutEffect, useRef, useState} from 'react';

type Props = {
	/** Rows the viewport may take on screen. */
	height: number;
	/** The first content row shown (clamped to the content). */
	offset: number;
	/** Called with the content's height after each layout, so keys can clamp the scroll. */
	onMeasure?: (contentHeight: number) => void;
	children: ReactNode;
};

/**
A window on content that may be taller than the terminal: only `height` rows are drawn, from `offset`, so the
header stays on screen. A dim line says what lies above or below and which keys scroll.
*/
export function Viewport({height, offset, onMeasure, children}: Props) {
	const content = useRef<DOMElement>(null);
	// Unknown until the first layout: until then the content is clipped to the height, never drawn past it.
	const [total, setTotal] = useState<number | undefined>(undefined);
	useLayoutEffect(() => {
		if (!content.current) return;
		const {height: contentHeight} = measureElement(content.current);
		if (contentHeight !== total) {
			setTotal(contentHeight);
			onMeasure?.(contentHeight);
		}
	});
	const overflowing = total !== undefined && total > height;
	// The window is always clipped to the rows it has: content that grows is never drawn past them, even for the
	// one frame before it is measured again (a frame taller than the terminal would push the header off for good).
	const rows = overflowing ? Math.max(1, height - 1) : height;
	const first = overflowing ? Math.max(0, Math.min(offset, total - rows)) : 0;
	const below = overflowing ? Math.max(0, total - first - rows) : 0;
	return (
		<Box flexDirection="column" height={height} flexShrink={0}>
			<Box flexDirection="column" height={rows} overflowY="hidden" flexShrink={0}>
				<Box ref={content} flexDirection="column" flexShrink={0} marginTop={-first}>
					{children}
				</Box>
			</Box>
			{overflowing ? (
				<Text dimColor wrap="truncate-end">
					{`${first > 0 ? `↑ ${first} line${first === 1 ? '' : 's'} above  ` : ''}${below > 0 ? `↓ ${below} line${below === 1 ? '' : 's'} below  ` : ''}PgUp/PgDn scroll`}
				</Text>
			) : null}
		</Box>
	);
}

/** The row of `node` within `ancestor`, from the computed layout (for keeping a selected line in view). */
export function rowWithin(node: DOMElement | null, ancestor: DOMElement | null): number | undefined {
	let top = 0;
	let current: DOMElement | undefined = node ?? undefined;
	while (current && current !== ancestor) {
		top += current.yogaNode?.getComputedTop() ?? 0;
		current = current.parentNode;
	}

	return current === ancestor ? top : undefined;
}
