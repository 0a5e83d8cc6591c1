import {applyChange, editsSetting, targetPath} from '../../core/admin/apply.js';
import {desiredFields} from '../../core/admin/edits.js';
import {
	guessPlatform,
	type OnboardPlatform,
	onboardPlatforms,
	proposeRole,
	templateKeys,
} from '../../core/admin/onboard.js';
import {reachIssuer} from '../../core/doctor/steps/issuer.js';
import {parseConfig} from '../../core/login/config.js';
import {parseRole} from '../../core/login/role.js';
import {simulateParsedLogin} from '../../core/login/simulate-login.js';
import {inspectToken} from '../../core/login/token.js';
import {chooseMount, mountsInPickerOrder, trustsIssuer} from '../../core/mount-choice.js';
import {invalidMountPath, invalidRoleName} from '../../core/names.js';
import {looseDirectoryWarning} from '../../core/private-file.js';
import {defaultHttpSettings} from '../../core/probes/http.js';
import {acquireToken, TokenSourceError} from '../../core/probes/token-source.js';
import {VaultReader, type VaultWriter, vaultConnectionFromEnv} from '../../core/probes/vault.js';
import {isTokenSourceName, tokenSources} from '../../core/token-source-names.js';
import {readVaultData, type VaultData} from '../../core/vault-data.js';
import {createStyle} from '../../report/style.js';
import {statusLabel} from '../../report/text.js';
import {applyPlanned, backupDirectory, describeResult, writePolicyAdding, writerFromEnv} from '../apply.js';
import {ExitCode, exitCodeFor} from '../exit-code.js';
import {type Output, readStdin, UsageError} from '../io.js';
import type {Presentation} from '../presentation.js';
import type {OnboardFlags} from './command.js';

/** A Go duration Vault accepts for a TTL: whole seconds, or a sequence such as 15m or 1h30m. */
const goDuration = /^(?:\d+|(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+)$/;
const durationSeconds = (text: string) => {
	if (/^\d+$/.test(text)) return Number(text);
	const units: Record<string, number> = {ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600};
	let total = 0;
	for (const match of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g))
		total += Number(match[1]) * units[match[2]!]!;
	return total;
};

function checkOnboardFlags(flags: OnboardFlags): void {
	for (const [flag, value] of [
		['--ttl', flags.ttl],
		['--max-ttl', flags.maxTtl],
	] as const) {
		if (value !== undefined && !goDuration.test(value))
			throw new UsageError(
				`${flag} ${JSON.stringify(value)} is not a duration Vault reads (e.g. 900, 15m, 1h30m).`,
			);
	}

	if (durationSeconds(flags.ttl ?? '15m') > durationSeconds(flags.maxTtl ?? '1h'))
		throw new UsageError(
			'--ttl is longer than --max-ttl; Vault refuses such a role ("ttl should not be greater than max ttl").',
		);
	const nameProblem =
		(flags.roleName === undefined ? undefined : invalidRoleName(flags.roleName.toLowerCase())) ??
		(flags.policyName === undefined ? undefined : invalidRoleName(flags.policyName)) ??
		(flags.mount === undefined ? undefined : invalidMountPath(flags.mount));
	if (nameProblem) throw new UsageError(nameProblem);
}

export type MountOption = {path: string; trusts: boolean};

/**
The mount to onboard on when --mount is not given: the one whose config trusts the token's issuer (the same rule
as diagnose), read with the Vault token at hand; jwt when Vault cannot be asked, said on standard error. Also the
JWT mounts found, trusting ones first, for the guided flow's mount step.
*/
async function mountTrusting(
	env: NodeJS.ProcessEnv,
	flags: OnboardFlags,
	iss: string,
	output: Output,
): Promise<{path: string; options: MountOption[]}> {
	const connection = vaultConnectionFromEnv(
		env,
		{
			...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
			...(flags.namespace ? {namespace: flags.namespace} : {}),
		},
		defaultHttpSettings,
	);
	const note = (why: string) => {
		output.stderr.write(`Using auth/jwt: ${why}; pass --mount to choose.\n`);
		return {path: 'jwt', options: []};
	};
	if (!connection.token) return note('no Vault token to look for the mount that trusts the issuer');
	const reader = new VaultReader(connection);
	const mounts = await reader.authMounts();
	if (!mounts.ok) return note(`sys/auth could not be read (${mounts.message})`);
	const jwtMounts = mounts.data.filter(mount => mount.type === 'jwt' || mount.type === 'oidc');
	const candidates = await reader.mountConfigs(jwtMounts.map(mount => mount.path));
	const choice = chooseMount(candidates, iss);
	if (!choice) return note('there is no JWT auth mount');
	output.stderr.write(`Using auth/${choice.path}: ${choice.reason}.\n`);
	const options = mountsInPickerOrder(
		candidates.map(({path}) => path),
		choice.trusting,
	).map(path => ({path, trusts: choice.trusting.includes(path)}));
	return {path: choice.path, options};
}

/**
Before onboarding writes a role: the mount must trust the token's issuer, the token's signature must verify
with the keys Vault uses, and an existing role is only changed with --replace, and then checked as merged.
Returns the role as it is now (null when new) or why nothing may be written.
*/
async function onboardingPreflight(
	writer: VaultWriter,
	mount: string,
	roleName: string,
	token: {compact: string; header: Record<string, unknown>; claims: Record<string, unknown>},
	role: Record<string, unknown>,
	replace: boolean,
): Promise<{current: VaultData | null} | {refusal: string}> {
	const iss = String(token.claims['iss'] ?? '');
	const configAnswer = await writer.read(`auth/${mount}/config`);
	if (!configAnswer.ok) return {refusal: `cannot read auth/${mount}/config (${configAnswer.message})`};
	const configData = readVaultData(configAnswer.data);
	const config = configData ? parseConfig(configData) : null;
	const trusted = [config?.boundIssuer, config?.oidcDiscoveryUrl].filter(Boolean);
	if (!trustsIssuer(config, iss))
		return {
			refusal: `auth/${mount} trusts ${trusted.join(', ') || 'no issuer'}, not the token's issuer ${iss}: pass --mount with the mount whose config trusts it (vault auth list), or configure one`,
		};
	const probe = await reachIssuer({
		iss,
		header: token.header,
		compact: token.compact,
		config,
		http: writer.connection.http,
	});
	const signature = probe.checks.find(check => check.id === 'issuer.signature');
	if (signature?.status !== 'pass')
		return {
			refusal: `the token's signature did not verify with the keys auth/${mount} uses (${signature?.message ?? 'not checked'}); a role is never built from unverified claims`,
		};
	const roleAnswer = await writer.read(`auth/${mount}/role/${roleName}`);
	if (!roleAnswer.ok && !(roleAnswer.notFound && roleAnswer.status === 404))
		return {refusal: `cannot read auth/${mount}/role/${roleName} (${roleAnswer.message})`};
	const current = roleAnswer.ok ? (readVaultData(roleAnswer.data) ?? null) : null;
	if (!current) return {current};
	if (!replace)
		return {
			refusal: `the role auth/${mount}/role/${roleName} already exists; onboarding never rewrites a role silently. Choose another --role-name, or pass --replace to merge the proposal into it (the diff is shown first)`,
		};
	const merged = {...current, ...desiredFields(current, editsSetting(role))};
	const verdict = await simulateParsedLogin({
		token: token.compact,
		role: parseRole(merged),
		config,
		roleName,
	});
	if (!verdict.allowed)
		return {
			refusal: `the role merged with the proposal would still refuse this token: ${verdict.vaultError}`,
		};
	return {current};
}

/** `onboard`: proposes a least-privilege role and policy from a real token; with --apply, writes them safely. */
export async function runOnboard(
	flags: OnboardFlags,
	{mode, color}: Presentation,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	checkOnboardFlags(flags);
	const guided = mode === 'tui' && !flags.yes;
	// On a terminal the guided onboarding asks for the name; elsewhere it must be given.
	if (!flags.roleName && !guided)
		throw new UsageError('onboard needs --role-name <name> for the new role (on a terminal it asks for it).');
	if (flags.platform && !onboardPlatforms.includes(flags.platform as OnboardPlatform))
		throw new UsageError(`--platform must be one of ${onboardPlatforms.join(', ')}.`);
	if (flags.scope && !['organization', 'project', 'user'].includes(flags.scope))
		throw new UsageError('--scope must be organization, project or user.');
	if (flags.kvVersion && !['1', '2'].includes(flags.kvVersion))
		throw new UsageError('--kv-version must be 1 or 2.');
	const source = flags.source;
	if (!isTokenSourceName(source)) throw new UsageError(`--source must be one of ${tokenSources.join(', ')}.`);
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
	const found = flags.mount
		? {path: flags.mount, options: []}
		: await mountTrusting(output.env, flags, String(inspection.claims['iss'] ?? ''), output);
	const mount = found.path;
	if (guided) {
		return runOnboardTui(
			flags,
			{compact: inspection.compact, header: inspection.header, claims: inspection.claims},
			found,
			output,
		);
	}

	if (!flags.roleName) throw new UsageError('onboard needs --role-name <name> for the new role.');
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

	if (!flags.apply) return exitCodeFor(accepted);
	if (!accepted) throw new UsageError('Not applying: the proposed role would not accept this token.');
	const writer = writerFromEnv(output.env, {
		...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
		...(flags.namespace ? {namespace: flags.namespace} : {}),
	});
	const roleName = flags.roleName.toLowerCase();
	const preflight = await onboardingPreflight(
		writer,
		mount,
		roleName,
		{compact: inspection.compact, header: inspection.header, claims: inspection.claims},
		proposal.role,
		Boolean(flags.replace),
	);
	if ('refusal' in preflight) throw new UsageError(`Not applying: ${preflight.refusal}.`);
	const applied = await applyPlanned(
		[{target: {kind: 'role', mount, role: roleName}, edits: editsSetting(proposal.role)}],
		{
			writer,
			yes: Boolean(flags.yes),
			output,
			stdin,
			backupDir: backupDirectory(output.env, flags.backupDir),
		},
	);
	if (!applied) return ExitCode.problem;
	if (!hasPolicy(proposal)) return ExitCode.ok;
	const policy = await writePolicyAdding(
		writer,
		proposal.policyName,
		proposal.policy,
		backupDirectory(output.env, flags.backupDir),
	);
	output.stdout.write(`${policy.message}\n`);
	return exitCodeFor(policy.ok);
}

/** The guided flow on a terminal: the same proposal, chosen step by step, applied only on y. */
async function runOnboardTui(
	flags: OnboardFlags,
	token: {compact: string; header: Record<string, unknown>; claims: Record<string, unknown>},
	found: {path: string; options: MountOption[]},
	output: Output,
): Promise<number> {
	const {claims} = token;
	const mount = found.path;
	const [{render}, {default: OnboardApp}] = await Promise.all([
		import('ink'),
		import('../../tui/onboard-app.js'),
	]);
	const roleName = flags.roleName?.toLowerCase() ?? '';
	const platform = (flags.platform as OnboardPlatform | undefined) ?? guessPlatform(claims);
	const copies = new Set<string>();
	const apply = flags.apply
		? async (
				proposal: Awaited<ReturnType<typeof proposeRole>>,
				chosenName = roleName,
				chosenMount = mount,
			) => {
				const roleName = chosenName;
				const mount = chosenMount;
				const writer = writerFromEnv(output.env, {
					...(flags.vaultAddr ? {vaultAddr: flags.vaultAddr} : {}),
					...(flags.namespace ? {namespace: flags.namespace} : {}),
				});
				const target = {kind: 'role' as const, mount, role: roleName};
				const preflight = await onboardingPreflight(
					writer,
					mount,
					roleName,
					token,
					proposal.role,
					Boolean(flags.replace),
				);
				if ('refusal' in preflight) return `Not applied: ${preflight.refusal}.`;
				const backupDir = backupDirectory(output.env, flags.backupDir);
				const loose = looseDirectoryWarning(backupDir, 'The backup directory');
				const result = await applyChange(writer, target, editsSetting(proposal.role), {
					backupDirectory: backupDir,
					basedOn: preflight.current,
				});
				const lines = [...(loose ? [`Warning: ${loose}`] : []), describeResult(result, targetPath(target))];
				if (result.outcome === 'applied' && hasPolicy(proposal)) {
					const policy = await writePolicyAdding(writer, proposal.policyName, proposal.policy, backupDir);
					lines.push(policy.message);
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
			mounts={found.options}
			onCopy={text => copies.add(text)}
			{...(apply ? {apply} : {})}
		/>,
		{patchConsole: false},
	);
	await instance.waitUntilExit();
	// Commands copied (c) stay in the terminal, whole, in case the clipboard (OSC 52) did not take them.
	if (copies.size > 0)
		output.stdout.write(`\nThe onboarding commands (copied with c):\n\n${[...copies].join('\n\n')}\n`);
	return ExitCode.ok;
}

/** A proposal grants secrets only when secret paths were given (the policy text is otherwise empty). */
function hasPolicy(proposal: {policy: string}): boolean {
	return proposal.policy.trim() !== '';
}
