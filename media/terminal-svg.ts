import type {IBufferCell, Terminal} from '@xterm/headless';

export type TerminalSvgOptions = {title?: string; fontSize?: number};

/** A dark theme in the spirit of One Dark: default colours and the 16 ANSI colours (0–7 normal, 8–15 bright). */
export const terminalTheme = {
	foreground: '#abb2bf',
	background: '#282c34',
	titleBar: '#21252b',
	titleText: '#8b929e',
	ansi: [
		'#3f4451',
		'#e06c75',
		'#98c379',
		'#e5c07b',
		'#61afef',
		'#c678dd',
		'#56b6c2',
		'#d7dae0',
		'#5c6370',
		'#ff7b86',
		'#b1e18b',
		'#efb074',
		'#67cdff',
		'#e48bff',
		'#63d4e0',
		'#ffffff',
	],
} as const;

const fontFamily = 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace';

const hex = (value: number) => `#${value.toString(16).padStart(6, '0')}`;
const rgb = (r: number, g: number, b: number) => hex((r << 16) | (g << 8) | b);

/** The colour of an xterm 256-colour palette index. */
export function paletteColor(index: number): string {
	if (index < 16) return terminalTheme.ansi[index] ?? terminalTheme.foreground;
	if (index < 232) {
		const levels = [0, 95, 135, 175, 215, 255];
		const n = index - 16;
		return rgb(levels[Math.floor(n / 36)]!, levels[Math.floor(n / 6) % 6]!, levels[n % 6]!);
	}
	const grey = 8 + (index - 232) * 10;
	return rgb(grey, grey, grey);
}

type Style = {
	fg: string;
	bg: string | undefined;
	bold: boolean;
	dim: boolean;
	italic: boolean;
	underline: boolean;
	strike: boolean;
	invisible: boolean;
};

function cellStyle(cell: IBufferCell): Style {
	const bold = cell.isBold() !== 0;
	let fg: string | undefined;
	if (cell.isFgRGB()) fg = hex(cell.getFgColor());
	else if (cell.isFgPalette()) {
		const index = cell.getFgColor();
		// Like xterm.js (drawBoldTextInBrightColors), bold text in the first eight colours is drawn bright.
		fg = paletteColor(bold && index < 8 ? index + 8 : index);
	}
	let bg: string | undefined;
	if (cell.isBgRGB()) bg = hex(cell.getBgColor());
	else if (cell.isBgPalette()) bg = paletteColor(cell.getBgColor());
	if (cell.isInverse()) [fg, bg] = [bg ?? terminalTheme.background, fg ?? terminalTheme.foreground];
	return {
		fg: fg ?? terminalTheme.foreground,
		bg,
		bold,
		dim: cell.isDim() !== 0,
		italic: cell.isItalic() !== 0,
		underline: cell.isUnderline() !== 0,
		strike: cell.isStrikethrough() !== 0,
		invisible: cell.isInvisible() !== 0,
	};
}

const sameStyle = (a: Style, b: Style) =>
	a.fg === b.fg &&
	a.bg === b.bg &&
	a.bold === b.bold &&
	a.dim === b.dim &&
	a.italic === b.italic &&
	a.underline === b.underline &&
	a.strike === b.strike &&
	a.invisible === b.invisible;

/** Drops what XML 1.0 cannot carry (control characters, lone surrogates, U+FFFE/FFFF) and escapes the rest. */
export function escapeXml(text: string): string {
	let result = '';
	for (const char of text) {
		const code = char.codePointAt(0)!;
		const allowed =
			code === 0x09 ||
			code === 0x0a ||
			code === 0x0d ||
			(code >= 0x20 && code < 0xd800) ||
			(code > 0xdfff && code < 0xfffe) ||
			code > 0xffff;
		if (!allowed) continue;
		if (char === '&') result += '&amp;';
		else if (char === '<') result += '&lt;';
		else if (char === '>') result += '&gt;';
		else if (char === '"') result += '&quot;';
		else if (char === "'") result += '&apos;';
		else result += char;
	}
	return result;
}

const num = (value: number) => String(Math.round(value * 100) / 100);

/** One cell as drawn: its column, how many columns it covers and its text (a space when empty). */
type Glyph = {column: number; width: number; chars: string};
type Run = {style: Style; glyphs: Glyph[]};

function rowRuns(terminal: Terminal, y: number, cell: IBufferCell): Run[] {
	const buffer = terminal.buffer.active;
	const line = buffer.getLine(buffer.viewportY + y);
	const runs: Run[] = [];
	if (!line) return runs;
	for (let x = 0; x < terminal.cols; x++) {
		if (!line.getCell(x, cell)) break;
		const width = cell.getWidth();
		if (width === 0) continue; // the right half of a wide character
		const glyph = {column: x, width: Math.min(width, terminal.cols - x), chars: cell.getChars() || ' '};
		const style = cellStyle(cell);
		const last = runs.at(-1);
		if (last && sameStyle(last.style, style)) last.glyphs.push(glyph);
		else runs.push({style, glyphs: [glyph]});
	}
	return runs;
}

/**
 * Splits a run into pieces that each start at an explicit column: a wide or composed character (CJK, emoji,
 * combining marks) is a piece of its own, so a font whose glyph is not exactly one or two cells wide cannot
 * push the rest of the row out of the grid.
 */
function pieces(glyphs: Glyph[]): Glyph[] {
	const result: Glyph[] = [];
	let current: Glyph | undefined;
	for (const glyph of glyphs) {
		const simple = glyph.width === 1 && [...glyph.chars].length === 1;
		if (simple && current) {
			current.chars += glyph.chars;
			current.width += 1;
			continue;
		}
		current = {...glyph};
		result.push(current);
		if (!simple) current = undefined;
	}
	return result;
}

function textAttributes(style: Style): string {
	let attributes = ` fill="${style.fg}"`;
	if (style.bold) attributes += ' font-weight="bold"';
	if (style.italic) attributes += ' font-style="italic"';
	if (style.dim) attributes += ' fill-opacity="0.5"';
	const decorations = [style.underline && 'underline', style.strike && 'line-through'].filter(Boolean);
	if (decorations.length > 0) attributes += ` text-decoration="${decorations.join(' ')}"`;
	return attributes;
}

/** Renders the visible screen of a headless xterm.js terminal as a standalone SVG picture of a dark window. */
export function terminalToSvg(terminal: Terminal, options: TerminalSvgOptions = {}): string {
	const fontSize = options.fontSize ?? 14;
	const cellWidth = fontSize * 0.6;
	const lineHeight = fontSize * 1.2;
	const padding = fontSize;
	const titleBarHeight = fontSize * 2.4;
	const width = terminal.cols * cellWidth + 2 * padding;
	const height = titleBarHeight + terminal.rows * lineHeight + padding;
	const radius = fontSize * 0.6;
	const originX = padding;
	const originY = titleBarHeight + padding / 2;
	const baseline = (lineHeight - fontSize) / 2 + fontSize * 0.8;

	const parts: string[] = [];
	parts.push(
		`<svg xmlns="http://www.w3.org/2000/svg" width="${num(width)}" height="${num(height)}" viewBox="0 0 ${num(width)} ${num(height)}" role="img" xml:space="preserve">`,
	);
	if (options.title) parts.push(`<title>${escapeXml(options.title)}</title>`);
	parts.push(
		`<style>text{font-family:${fontFamily};font-size:${num(fontSize)}px;white-space:pre;font-variant-ligatures:none}</style>`,
		`<defs><clipPath id="window"><rect width="${num(width)}" height="${num(height)}" rx="${num(radius)}"/></clipPath></defs>`,
		`<g clip-path="url(#window)">`,
		`<rect width="${num(width)}" height="${num(height)}" fill="${terminalTheme.background}"/>`,
		`<rect width="${num(width)}" height="${num(titleBarHeight)}" fill="${terminalTheme.titleBar}"/>`,
		'</g>',
		`<rect x="0.5" y="0.5" width="${num(width - 1)}" height="${num(height - 1)}" rx="${num(radius)}" fill="none" stroke="#ffffff" stroke-opacity="0.12"/>`,
	);
	const dotRadius = fontSize * 0.43;
	['#ff5f57', '#febc2e', '#28c840'].forEach((colour, index) => {
		const cx = padding + dotRadius + index * dotRadius * 3.4;
		parts.push(
			`<circle cx="${num(cx)}" cy="${num(titleBarHeight / 2)}" r="${num(dotRadius)}" fill="${colour}"/>`,
		);
	});
	if (options.title) {
		parts.push(
			`<text x="${num(width / 2)}" y="${num(titleBarHeight / 2 + fontSize * 0.35)}" text-anchor="middle" fill="${terminalTheme.titleText}">${escapeXml(options.title)}</text>`,
		);
	}

	const cell = terminal.buffer.active.getNullCell();
	const backgrounds: string[] = [];
	const rows: string[] = [];
	for (let y = 0; y < terminal.rows; y++) {
		const top = originY + y * lineHeight;
		let spans = '';
		for (const run of rowRuns(terminal, y, cell)) {
			const first = run.glyphs[0]!;
			const last = run.glyphs.at(-1)!;
			if (run.style.bg) {
				const columns = last.column + last.width - first.column;
				// A hair wider and taller than the cell, so neighbouring rectangles leave no seams when scaled.
				backgrounds.push(
					`<rect x="${num(originX + first.column * cellWidth)}" y="${num(top)}" width="${num(columns * cellWidth + 0.3)}" height="${num(lineHeight + 0.3)}" fill="${run.style.bg}"/>`,
				);
			}
			if (run.style.invisible) continue;
			const attributes = textAttributes(run.style);
			const decorated = run.style.underline || run.style.strike;
			for (const piece of pieces(run.glyphs)) {
				// Blank edges draw nothing unless underlined or struck through; the cell grid keeps the spacing.
				const chars = decorated ? piece.chars : piece.chars.trimEnd();
				const text = decorated ? chars : chars.trimStart();
				if (text === '') continue;
				const column = piece.column + chars.length - text.length;
				spans += `<tspan x="${num(originX + column * cellWidth)}"${attributes}>${escapeXml(text)}</tspan>`;
			}
		}
		// No whitespace between the tspans: with xml:space="preserve" it would be drawn.
		if (spans) rows.push(`<text y="${num(top + baseline)}">${spans}</text>`);
	}
	parts.push(...backgrounds, ...rows, '</svg>');
	return `${parts.join('\n')}\n`;
}
