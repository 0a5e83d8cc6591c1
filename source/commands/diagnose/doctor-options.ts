import {stat} from 'node:fs/promises';
import {InputError, maxJsonFileBytes, maxPemFileBytes, readFileCapped} from '../../core/bounds.js';
import type {DoctorOptions} from '../../core/doctor/context.js';
import {readVaultData} from '../../core/vault-data.js';
import {readStdin, UsageError} from '../io.js';
import {checkDiagnosisFlags, type DiagnosisFlags} from './diagnosis-flags.js';

/** Checks the flags and turns them into doctor options; a mistake is a usage error (exit 2). */
export function doctorOptions(
	flags: DiagnosisFlags,
	env: NodeJS.ProcessEnv,
	stdin: NodeJS.ReadableStream,
): DoctorOptions {
	const {source, timeoutMs} = checkDiagnosisFlags(flags);
	const defined = <T extends object>(value: T) =>
		Object.fromEntries(Object.entries(value).filter(([, element]) => element !== undefined)) as T;
	return {
		...defined({
			audience: flags.audience,
			token: flags.token,
			tokenFile: flags.tokenFile,
			tokenEnv: flags.tokenEnv,
			vaultAddr: flags.vaultAddr,
			namespace: flags.namespace,
			mount: flags.mount,
			role: flags.role,
			roleFile: flags.roleFile,
			configFile: flags.configFile,
			pluginVersion: flags.pluginVersion,
		}),
		source,
		secretPaths: flags.secretPath ?? [],
		offline: Boolean(flags.offline),
		noLogin: flags.login === false,
		timeoutMs,
		caFiles: flags.caFile ?? [],
		env,
		readStdin: () => readStdin(stdin, 'the token'),
		now: () => Date.now() / 1000,
	};
}

/** Files the user named must be readable before anything runs: a typo is a usage error (exit 2), not a finding. */
export async function checkInputFiles(options: DoctorOptions): Promise<void> {
	if (options.tokenFile !== undefined && options.tokenFile !== '-') {
		const info = await stat(options.tokenFile).catch(() => undefined);
		if (!info?.isFile()) throw new UsageError(`--token-file ${options.tokenFile} is not a readable file.`);
	}

	for (const [flag, file] of [
		['--role-file', options.roleFile],
		['--config-file', options.configFile],
	] as const) {
		if (file === undefined) continue;
		let text: string;
		try {
			text = readFileCapped(file, maxJsonFileBytes, flag);
		} catch (error) {
			throw new UsageError(error instanceof InputError ? error.message : `${flag} ${file} cannot be read.`);
		}

		try {
			readVaultData(text);
		} catch (error) {
			if (error instanceof InputError) throw new UsageError(`${flag} ${file}: ${error.message}`);
			throw new UsageError(
				`${flag} ${file} is not a JSON object. Export it with: vault read -format=json auth/<mount>/${flag === '--role-file' ? 'role/<name>' : 'config'} > ${file}`,
			);
		}
	}

	for (const file of options.caFiles) {
		try {
			readFileCapped(file, maxPemFileBytes, '--ca-file');
		} catch (error) {
			throw new UsageError(error instanceof InputError ? error.message : `--ca-file ${file} cannot be read.`);
		}
	}
}
