/** ANSI styling that switches itself off for pipes, CI logs, NO_COLOR and --no-color. */
export type Style = {
	enabled: boolean;
	bold: (text: string) => string;
	dim: (text: string) => string;
	red: (text: string) => string;
	green: (text: string) => string;
	yellow: (text: string) => string;
	cyan: (text: string) => string;
};

export function colorWanted(stream: {isTTY?: boolean}, env: NodeJS.ProcessEnv, noColorFlag = false): boolean {
	if (noColorFlag || (env['NO_COLOR'] ?? '') !== '') return false;
	const force = env['FORCE_COLOR'];
	if (force !== undefined) return force !== '0' && force !== 'false';
	return Boolean(stream.isTTY) && env['TERM'] !== 'dumb';
}

export function createStyle(enabled: boolean): Style {
	const wrap = (open: number, close: number) => (text: string) =>
		enabled ? `\u001B[${open}m${text}\u001B[${close}m` : text;
	return {
		enabled,
		bold: wrap(1, 22),
		dim: wrap(2, 22),
		red: wrap(31, 39),
		green: wrap(32, 39),
		yellow: wrap(33, 39),
		cyan: wrap(36, 39),
	};
}
