import {type Explanation, explainVaultErrors} from '../../core/problems/explain-error.js';
import {createStyle, type Style} from '../../report/style.js';
import {exitCodeFor} from '../exit-code.js';
import {type Output, readStdin, UsageError} from '../io.js';

export type ExplainOptions = {json: boolean; color: boolean};

/**
`explain [text|-]`: exit 0 when the text holds a known Vault error, 1 when it does not. A text with several errors
gets each distinct one, in the order they appear; the JSON keeps the first one's fields at the top level.
*/
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
	const errors = explainVaultErrors(text);
	const [first] = errors;
	const code = exitCodeFor(first!.problem !== 'unknown');
	if (options.json) {
		output.stdout.write(`${JSON.stringify({schemaVersion: 1, ...first, errors}, null, 2)}\n`);
		return code;
	}

	const style = createStyle(options.color);
	const lines: string[] = [];
	if (errors.length > 1)
		lines.push(style.bold(`${errors.length} different errors in this text, in the order they appear:`), '');
	errors.forEach((explanation, index) => {
		if (index > 0) lines.push('');
		lines.push(...describe(explanation, style, errors.length > 1 ? `${index + 1}. ` : ''));
	});
	lines.push('', style.dim(first!.next));
	output.stdout.write(`${lines.join('\n')}\n`);
	return code;
}

function describe(explanation: Explanation, style: Style, number: string): string[] {
	const lines: string[] = [];
	if (explanation.matched)
		lines.push(`${number}${style.dim('Recognised:')} ${printable(explanation.matched)}`, '');
	if (explanation.suspect)
		lines.push(`${style.dim('This line looks like the error:')} ${printable(explanation.suspect)}`, '');
	lines.push(`${style.bold(explanation.title)} ${style.dim(`[${explanation.problem}]`)}`);
	if (explanation.misleading)
		lines.push(`${style.yellow('The wording misleads:')} ${explanation.misleading}`);
	lines.push(explanation.cause, '');
	for (const step of explanation.fix.role ?? []) lines.push(`  ${style.cyan('fix in Vault')}   ${step}`);
	for (const step of explanation.fix.token ?? []) lines.push(`  ${style.cyan('fix the token')}  ${step}`);
	if (explanation.docs) lines.push(`  ${style.cyan('docs')}           ${explanation.docs}`);
	if (explanation.alternatives.length > 0) {
		const label =
			explanation.problem === 'unknown' ? 'The nearest known problems:' : 'The same text can also mean:';
		lines.push('', `${style.dim(label)} ${explanation.alternatives.join(', ')}`);
	}

	return lines;
}

/** Pasted text goes back to a terminal: every control character that survived normalising is shown, not sent. */
export function printable(text: string): string {
	// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
	return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, character => {
		const code = character.charCodeAt(0).toString(16).padStart(2, '0');
		return `\\x${code}`;
	});
}
