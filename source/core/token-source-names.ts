/* The --source names, apart from the code that reads each source, so the command line can check them first. */

export const tokenSources = [
	'auto',
	'ona',
	'circleci',
	'circleci-v1',
	'github',
	'gitlab',
	'buildkite',
	'file',
	'env',
	'stdin',
] as const;
export type TokenSourceName = (typeof tokenSources)[number];

export const isTokenSourceName = (value: string): value is TokenSourceName =>
	(tokenSources as readonly string[]).includes(value);
