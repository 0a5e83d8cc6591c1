import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {withOutputFlags} from '../flags.js';

/** `explain [text...|-]`: the problem behind a pasted Vault error. */
export function explainCommand(program: Command, {output, stdin, setCode, presentation}: CommandContext) {
	return withOutputFlags(
		program
			.command('explain')
			.description(
				'name the problem behind a pasted Vault error (from any CI log); "-" or no text reads standard input',
			)
			.argument('[text...]', 'the error text, or - for standard input'),
		'print the explanation as JSON',
	).action(async (words, flags) => {
		const {runExplain} = await import('./run.js');
		setCode(await runExplain(words, {json: Boolean(flags.json), color: presentation().color}, output, stdin));
	});
}
