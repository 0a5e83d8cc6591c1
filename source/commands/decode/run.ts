import {inspectToken} from '../../core/login/token.js';
import {detectPlatform} from '../../core/platforms/detect.js';
import {formatTime, relativeTime} from '../../core/time-text.js';
import {createStyle} from '../../report/style.js';
import {ExitCode} from '../exit-code.js';
import {type Output, readStdin, UsageError} from '../io.js';

/** `decode [token|-]`: the token inspection alone: header, claims and times, never the signature. */
export async function runDecode(
	argument: string | undefined,
	options: {json: boolean; color: boolean},
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const raw = argument === undefined || argument === '-' ? await readStdin(stdin, 'the token') : argument;
	if (raw.trim() === '') throw new UsageError('No token to decode: pass it as an argument or pipe it in.');
	const inspection = inspectToken(raw);
	if (!inspection.ok && inspection.kind === 'bounds') throw new UsageError(inspection.reason);
	if (!inspection.ok) {
		if (options.json)
			output.stdout.write(
				`${JSON.stringify({schemaVersion: 1, ok: false, problem: inspection.problem, reason: inspection.reason}, null, 2)}\n`,
			);
		else output.stdout.write(`${inspection.reason} [${inspection.problem}]\n`);
		return ExitCode.problem;
	}

	const platform = detectPlatform(inspection.claims);
	const now = Date.now() / 1000;
	const times = Object.fromEntries(
		['iat', 'nbf', 'exp']
			.filter(name => typeof inspection.claims[name] === 'number')
			.map(name => {
				const value = inspection.claims[name] as number;
				return [name, {utc: formatTime(value), relative: relativeTime(value, now)}];
			}),
	);
	if (options.json) {
		output.stdout.write(
			`${JSON.stringify({schemaVersion: 1, ok: true, platform: platform.label, header: inspection.header, claims: inspection.claims, signature: '(redacted)', times}, null, 2)}\n`,
		);
		return ExitCode.ok;
	}

	const style = createStyle(options.color);
	const lines = [
		style.bold(platform.label),
		'',
		style.dim('header'),
		JSON.stringify(inspection.header, null, 2),
		'',
		style.dim('claims'),
		JSON.stringify(inspection.claims, null, 2),
		'',
		style.dim('times'),
	];
	for (const [name, value] of Object.entries(times))
		lines.push(`  ${name}  ${value.utc}  (${value.relative})`);
	lines.push(
		'',
		style.dim(
			`signature: present, not shown${inspection.notes.length > 0 ? `; ${inspection.notes.join('; ')}` : ''}`,
		),
	);
	output.stdout.write(`${lines.join('\n')}\n`);
	return ExitCode.ok;
}
