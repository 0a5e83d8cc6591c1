import {findRoles} from '../../core/admin/find-role.js';
import {inspectToken} from '../../core/login/token.js';
import {chooseMount} from '../../core/mount-choice.js';
import {mountPathOf} from '../../core/names.js';
import {defaultHttpSettings} from '../../core/probes/http.js';
import {acquireToken, TokenSourceError} from '../../core/probes/token-source.js';
import {sanitize} from '../../report/sanitize.js';
import {createStyle} from '../../report/style.js';
import {ExitCode, exitCodeFor} from '../exit-code.js';
import {type Output, UsageError} from '../io.js';
import {readerFor} from '../vault-reader.js';
import type {DiagnoseFlags} from './command.js';
import {doctorOptions} from './doctor-options.js';

/** `diagnose --find-role`: the token against every role of the mount, accepting ones first. */
export async function runFindRole(
	flags: DiagnoseFlags,
	color: boolean,
	output: Output,
	stdin: NodeJS.ReadableStream,
): Promise<number> {
	const options = doctorOptions(flags, output.env, stdin);
	let token: string;
	try {
		token = (await acquireToken({...options, http: {...defaultHttpSettings, timeoutMs: options.timeoutMs}}))
			.token;
	} catch (error) {
		throw new UsageError(error instanceof TokenSourceError ? error.message : String(error));
	}

	const inspection = inspectToken(token);
	if (!inspection.ok) throw new UsageError(inspection.reason);
	const reader = readerFor(
		options.env,
		{
			...(options.vaultAddr ? {vaultAddr: options.vaultAddr} : {}),
			...(options.namespace ? {namespace: options.namespace} : {}),
		},
		options.timeoutMs,
	);
	if (!reader.connection.token)
		throw new UsageError(
			'--find-role reads every role of the mount: it needs a Vault token (VAULT_TOKEN or ~/.vault-token).',
		);
	let mount = options.mount === undefined ? undefined : mountPathOf(options.mount);
	let pluginVersion = options.pluginVersion;
	const mounts = await reader.authMounts();
	const jwt = mounts.ok
		? mounts.data.filter(candidate => candidate.type === 'jwt' || candidate.type === 'oidc')
		: [];
	// The same choice as diagnose: the mount whose config trusts the token's issuer.
	const configs = await reader.mountConfigs(mount ? [mount] : jwt.map(candidate => candidate.path));
	mount ??= chooseMount(configs, String(inspection.claims['iss'] ?? ''))?.path ?? 'jwt';
	pluginVersion ??= mounts.ok
		? mounts.data.find(candidate => candidate.path === mount)?.runningPluginVersion || undefined
		: undefined;
	const config = configs.find(candidate => candidate.path === mount);
	const found = await findRoles(reader, {
		mount,
		token: inspection.compact,
		...(config?.ok ? {config: config.config} : {}),
		...(pluginVersion ? {pluginVersion} : {}),
	}).catch((error: Error) => {
		throw new UsageError(`Cannot list the roles of auth/${mount}: ${error.message}`);
	});
	const {candidates, unreadable} = found;
	const partial = unreadable.length > 0;
	if (flags.json) {
		output.stdout.write(`${JSON.stringify({schemaVersion: 1, mount, candidates, unreadable}, null, 2)}\n`);
	} else {
		const style = createStyle(color);
		const lines = [style.bold(`Roles on auth/${mount} for this token`), ''];
		for (const candidate of candidates) {
			lines.push(
				candidate.allowed
					? `${style.green('✔ accepts')}  ${sanitize(candidate.role)}`
					: `${style.red('✖ refuses')}  ${sanitize(candidate.role)}  ${style.dim(sanitize(candidate.vaultError ?? ''))}`,
			);
		}

		if (partial)
			lines.push(
				'',
				style.red(`Incomplete: could not read ${unreadable.map(name => sanitize(name)).join(', ')}`),
			);
		output.stdout.write(`${lines.join('\n')}\n`);
	}

	// Fails closed: with roles left unread the ranking is partial, so it is no answer (exit 2).
	if (partial) {
		output.stderr.write(
			`ona-vault-doctor: ${unreadable.length} role(s) of auth/${sanitize(mount)} could not be read; the list is incomplete.\n`,
		);
		return ExitCode.couldNotRun;
	}

	return exitCodeFor(candidates.some(candidate => candidate.allowed));
}
