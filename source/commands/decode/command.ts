import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {withOutputFlags} from '../flags.js';

/** `decode [token|-]`: a token's header, claims and times. */
export function decodeCommand(program: Command, {output, stdin, setCode, presentation}: CommandContext) {
	return withOutputFlags(
		program
			.command('decode')
			.description(
				"show a token's header, claims and times (never its signature); - or no argument reads standard input",
			)
			.argument('[token]', 'the token, or -'),
		'print as JSON',
	).action(async (token, flags) => {
		const {runDecode} = await import('./run.js');
		setCode(await runDecode(token, {json: Boolean(flags.json), color: presentation().color}, output, stdin));
	});
}
