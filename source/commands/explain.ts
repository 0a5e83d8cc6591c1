import {explainVaultError} from '../core/explain-error.js';
import {createStyle} from '../report/style.js';
import {type Output, readStdin, UsageError} from './io.js';

export type ExplainOptions = {json: boolean; color: boolean};

/** `explain [text|-]`: exit 0 when the text holds a known Vault error, 1 when it does not. */
export async function runExplain(
	words: string[],
	options: ExplainOptions,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const text =
		words.length === 0 || (words.length === 1 && words[0] === '-')
			? await readStdin(stdin, 'the error text')
			: words.join(' ');
	if (text.trim() === '')
		throw new UsageError(
			'No text to explain. Paste the error as an argument or pipe it in: ona-vault-doctor explain - < ci.log',
		);
	const explanation = explainVaultError(text);
	const code = explanation.problem === 'unknown' ? 1 : 0;
	if (options.json) {
		output.stdout.write(`${JSON.stringify({schemaVersion: 1, ...explanation}, null, 2)}\n`);
		return code;
	}

	const style = createStyle(options.color);
	const lines: string[] = [];
	if (explanation.matched) lines.push(`${style.dim('Recognised:')} ${explanation.matched}`, '');
	lines.push(
		`${style.bold(explanation.title)} ${style.dim(`[${explanation.problem}]`)}`,
		explanation.cause,
		'',
	);
	for (const step of explanation.fix.role ?? []) lines.push(`  ${style.cyan('fix in Vault')}   ${step}`);
	for (const step of explanation.fix.token ?? []) lines.push(`  ${style.cyan('fix the token')}  ${step}`);
	if (explanation.docs) lines.push(`  ${style.cyan('docs')}           ${explanation.docs}`);
	if (explanation.alternatives.length > 0)
		lines.push('', `${style.dim('The same text can also mean:')} ${explanation.alternatives.join(', ')}`);
	if (explanation.problem === 'unknown') {
		lines.push(
			'',
			'Paste the whole error block, or run `ona-vault-doctor` in the failing job for a full diagnosis.',
		);
	}

	output.stdout.write(`${lines.join('\n')}\n`);
	return code;
}
