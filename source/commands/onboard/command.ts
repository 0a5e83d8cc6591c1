import type {Command} from '@commander-js/extra-typings';
import type {CommandContext} from '../command-context.js';
import {collect, withOutputFlags, withTokenFlags, withVaultFlags} from '../flags.js';

function declare(command: Command) {
	const proposal = withTokenFlags(
		command
			.description(
				'propose a least-privilege role and policy from a real token; --apply writes them after confirmation',
			)
			.option('--role-name <name>', 'the role to create (on a terminal the guided onboarding asks for it)')
			.option('--no-tui', 'print the proposal as text even on a terminal'),
		'the audience to bind (and to request from minting sources)',
	)
		.option('--platform <platform>', 'ona, circleci, github, gitlab or generic (default: from the token)')
		.option('--scope <scope>', 'Ona: organization, project or user (default: project when the token has one)')
		.option(
			'--bind <claims>',
			"bind exactly these claims with the token's values (comma-separated, repeatable)",
			collect,
		)
		.option('--policy-name <name>', 'the policy to create (default <role>-read)')
		.option('--secret-path <path>', 'a secret path to grant read on (repeatable; KV v2 data/ added)', collect)
		.option('--kv-version <version>', 'KV version of the secret mount: 1 or 2', '2')
		.option('--ttl <duration>', 'token_ttl', '15m')
		.option('--max-ttl <duration>', 'token_max_ttl', '1h')
		.option(
			'--mount <path>',
			"the JWT auth mount (default: the one whose config trusts the token's issuer, else jwt)",
		);
	return withOutputFlags(
		withVaultFlags(proposal)
			.option('--apply', 'write the role and policy (asks first; backs up; verifies; rolls back on failure)')
			.option(
				'--replace',
				'with --apply: merge the proposal into a role that already exists (its diff is shown first)',
			)
			.option('--yes', 'with --apply: do not ask')
			.option('--backup-dir <dir>', 'where backups are kept'),
		'print the proposal as JSON',
	);
}

export type OnboardFlags = ReturnType<ReturnType<typeof declare>['opts']>;

/** `onboard`: a least-privilege role and policy proposed from a real token, written only with --apply. */
export function onboardCommand(program: Command, {output, stdin, setCode, presentation}: CommandContext) {
	return declare(program.command('onboard')).action(async flags => {
		const {runOnboard} = await import('./run.js');
		setCode(await runOnboard(flags, presentation(), output, stdin));
	});
}
