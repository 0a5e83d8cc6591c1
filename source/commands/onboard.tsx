import {applyChange, targetPath} from '../core/apply.js';
import {guessPlatform, type OnboardPlatform, proposeRole, templateKeys} from '../core/onboard.js';
import {defaultHttpSettings} from '../core/probes/http.js';
import {
	acquireToken,
	TokenSourceError,
	type TokenSourceName,
	tokenSources,
} from '../core/probes/token-source.js';
import {inspectToken} from '../core/token.js';
import {createStyle} from '../report/style.js';
import {statusLabel} from '../report/text.js';
import {applyPlanned, backupDirectory, describeResult, writePolicyIfAbsent, writerFromEnv} from './apply.js';
import {wantsTui} from './interactive.js';
import {type Output, readStdin, UsageError} from './io.js';

export type OnboardFlags = {
	source?: string;
	audience?: string;
	token?: string;
	tokenFile?: string;
	tokenEnv?: string;
	platform?: string;
	scope?: string;
	bind?: string[];
	roleName?: string;
	policyName?: string;
	secretPath?: string[];
	kvVersion?: string;
	ttl?: string;
	maxTtl?: string;
	mount?: string;
	vaultAddr?: string;
	namespace?: string;
	apply?: boolean;
	yes?: boolean;
	backupDir?: string;
	json?: boolean;
};

const platforms: OnboardPlatform[] = ['ona', 'circleci', 'github', 'gitlab', 'generic'];

/** `onboard`: proposes a least-privilege role and policy from a real token; with --apply, writes them safely. */
export async function runOnboard(
	flags: OnboardFlags,
	color: boolean,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	if (!flags.roleName) throw new UsageError('onboard needs --role-name <name> for the new role.');
	if (flags.platform && !platforms.includes(flags.platform as OnboardPlatform))
		throw new UsageError(`--platform must be one of ${platforms.join(', ')}.`);
	if (flags.scope && !['organization', 'project', 'user'].includes(flags.scope))
		throw new UsageError('--scope must be organization, project or user.');
	if (flags.kvVersion && !['1', '2'].includes(flags.kvVersion))
		throw new UsageError('--kv-version must be 1 or 2.');
	const source = (flags.source ?? 'auto') as TokenSourceName;
	if (!(tokenSources as readonly string[]).includes(source))
		throw new UsageError(`--source must be one of ${tokenSources.join(', ')}.`);
	let token: string;
	try {
		token = (
			await acquireToken({
				source,
				...(flags.audience ? {audience: flags.audience} : {}),
				...(flags.token === undefined ? {} : {token: flags.token}),
				...(flags.tokenFile === undefined ? {} : {tokenFile: flags.tokenFile}),
				...(flags.tokenEnv === undefined ? {} : {tokenEnv: flags.tokenEnv}),
				env: output.env,
				readStdin: () => readStdin(stdin, 'the token'),
				timeoutMs: 5000,
				http: defaultHttpSettings,
			})
		).token;
	} catch (error) {
		throw new UsageError(error instanceof TokenSourceError ? error.message : String(error));
	}

	const inspection = inspectToken(token);
	if (!inspection.ok) throw new UsageError(inspection.reason);
	const mount = flags.mount ?? 'jwt';
	if (
		wantsTui(output, stdin as {isTTY?: boolean}, {
			...(flags.json ? {json: true} : {}),
			...(flags.yes ? {tui: false} : {}),
		})
	) {
		return runOnboardTui(flags, inspection.claims, mount, output);
	}

	let proposal: Awaited<ReturnType<typeof proposeRole>>;
	try {
		proposal = await proposeRole({
			claims: inspection.claims,
			mount,
			roleName: flags.roleName.toLowerCase(),
			...(flags.policyName ? {policyName: flags.policyName} : {}),
			...(flags.platform ? {platform: flags.platform as OnboardPlatform} : {}),
			...(flags.scope ? {scope: flags.scope as 'organization' | 'project' | 'user'} : {}),
			...(flags.bind
				? {
						bind: flags.bind
							.flatMap(item => item.split(','))
							.map(item => item.trim())
							.filter(Boolean),
					}
				: {}),
			...(flags.audience ? {audience: flags.audience} : {}),
			secretPaths: flags.secretPath ?? [],
			kvVersion: (flags.kvVersion ?? '2') as '1' | '2',
			ttl: flags.ttl ?? '15m',
			maxTtl: flags.maxTtl ?? '1h',
		});
	} catch (error) {
		throw new UsageError((error as Error).message);
	}

	const accepted = proposal.verdict.allowed;
	if (flags.json) {
		output.stdout.write(
			`${JSON.stringify({schemaVersion: 1, platform: proposal.platform, role: proposal.role, policyName: proposal.policyName, policy: proposal.policy, commands: proposal.commands, accepted, vaultError: proposal.verdict.vaultError, warnings: proposal.warnings}, null, 2)}\n`,
		);
	} else {
		const style = createStyle(color);
		output.stdout.write(
			`${style.bold(`Proposed role auth/${mount}/role/${flags.roleName.toLowerCase()}`)} (${proposal.platform})\n`,
		);
		output.stdout.write(
			`${JSON.stringify(proposal.role, null, 2)}\n\n${style.bold(`Policy ${proposal.policyName}`)}\n${proposal.policy || '(none: pass --secret-path)\n'}\n`,
		);
		output.stdout.write(
			accepted
				? `${style.green('✔ This token would be accepted by the proposed role.')}\n`
				: `${style.red(`✖ This token would NOT be accepted: ${proposal.verdict.vaultError}`)}\n`,
		);
		for (const warning of proposal.warnings)
			output.stdout.write(`${style.yellow(`${statusLabel.warn.symbol} ${warning.message}`)}\n`);
		output.stdout.write(`\n${style.bold('Commands')}\n${proposal.commands.join('\n\n')}\n`);
	}

	if (!flags.apply) return accepted ? 0 : 1;
	if (!accepted) throw new UsageError('Not applying: the proposed role would not accept this token.');
	const writer = writerFromEnv(output.env, {
		...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
		...(flags.namespace ? {namespace: flags.namespace} : {}),
	});
	const current = await writer.read(`auth/${mount}/role/${flags.roleName.toLowerCase()}`);
	const applied = await applyPlanned(
		[
			{
				target: {kind: 'role', mount, role: flags.roleName.toLowerCase()},
				fields: proposal.role,
				current: current.ok ? current.data : null,
			},
		],
		{
			writer,
			yes: Boolean(flags.yes),
			output,
			stdin,
			backupDir: backupDirectory(output.env, flags.backupDir),
		},
	);
	if (!applied) return 1;
	if (!hasPolicy(proposal)) return 0;
	const policy = await writePolicyIfAbsent(writer, proposal.policyName, proposal.policy);
	output.stdout.write(`${policy.message}\n`);
	return policy.ok ? 0 : 1;
}

/** The guided flow on a terminal: the same proposal, chosen step by step, applied only on y. */
async function runOnboardTui(
	flags: OnboardFlags,
	claims: Record<string, unknown>,
	mount: string,
	output: Output,
): Promise<number> {
	const [{render}, {default: OnboardApp}] = await Promise.all([import('ink'), import('../onboard-app.js')]);
	const roleName = flags.roleName!.toLowerCase();
	const platform = (flags.platform as OnboardPlatform | undefined) ?? guessPlatform(claims);
	const apply = flags.apply
		? async (proposal: Awaited<ReturnType<typeof proposeRole>>) => {
				const writer = writerFromEnv(output.env, {
					...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
					...(flags.namespace ? {namespace: flags.namespace} : {}),
				});
				const target = {kind: 'role' as const, mount, role: roleName};
				const result = await applyChange(writer, target, proposal.role, {
					backupDirectory: backupDirectory(output.env, flags.backupDir),
				});
				const lines = [describeResult(result, targetPath(target))];
				if (result.outcome === 'applied' && hasPolicy(proposal)) {
					lines.push((await writePolicyIfAbsent(writer, proposal.policyName, proposal.policy)).message);
				}

				return lines.join('\n');
			}
		: undefined;
	const instance = render(
		<OnboardApp
			claims={claims}
			initial={{
				mount,
				roleName,
				platform,
				...(flags.bind ? {bind: flags.bind.flatMap(item => item.split(','))} : {}),
				...(flags.audience ? {audience: flags.audience} : {}),
				secretPaths: flags.secretPath ?? [],
				kvVersion: (flags.kvVersion ?? '2') as '1' | '2',
				ttl: flags.ttl ?? '15m',
				maxTtl: flags.maxTtl ?? '1h',
				...(flags.scope ? {scope: flags.scope as 'organization' | 'project' | 'user'} : {}),
			}}
			defaults={chosen =>
				templateKeys(chosen, claims, flags.scope as 'organization' | 'project' | 'user' | undefined)
			}
			propose={proposeRole}
			{...(apply ? {apply} : {})}
		/>,
		{patchConsole: false},
	);
	await instance.waitUntilExit();
	return 0;
}

/** A proposal grants secrets only when secret paths were given (the policy text is otherwise empty). */
function hasPolicy(proposal: {policy: string}): boolean {
	return proposal.policy.trim() !== '';
}
