import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {withOutputFlags, withTuiFlags} from '../flags.js';
import {writeFirstFrame} from '../presentation.js';

/** `demo [scenario]`: the doctor on a built-in sample, no Vault and no network. */
export function demoCommand(program: Command, {output, stdin, setCode, presentation}: CommandContext) {
	return withTuiFlags(
		withOutputFlags(
			program
				.command('demo')
				.description('diagnose a built-in sample login (no Vault, no network): "ona" (default) or "circleci"')
				.argument('[scenario]', 'ona | circleci')
				.option('--verbose', 'show passing checks too'),
			'print the report as JSON',
		),
	).action(async (scenario, flags) => {
		const {mode, color, screenReader} = presentation();
		if (mode === 'tui') {
			const checking = 'Checking the built-in sample: its token, role and config (no Vault, no network)…';
			const lines = writeFirstFrame(output.stdout, 'ona-vault-doctor demo', checking, screenReader, stdin);
			const {runDemoTui} = await import('./run.js');
			setCode(await runDemoTui(scenario, screenReader, {lines, checking}));
			return;
		}

		const {runDemo} = await import('./run.js');
		setCode(await runDemo(scenario, {json: mode === 'json', verbose: Boolean(flags.verbose), color}, output));
	});
}
