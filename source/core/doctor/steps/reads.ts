/* Vault: the auth method's config and the role, read from Vault or from files, the role's name and its lint. */
import {distance} from 'fastest-levenshtein';
import {lintRole} from '../../admin/role-lint.js';
import {InputError, maxJsonFileBytes, readFileCapped} from '../../bounds.js';
import type {Check, CheckId} from '../../check.js';
import {parseConfig} from '../../login/config.js';
import {parseRole} from '../../login/role.js';
import {invalidRoleName} from '../../names.js';
import type {VaultAnswer} from '../../probes/vault.js';
import {readVaultData, type VaultData} from '../../vault-data.js';
import type {DoctorContext} from '../context.js';
import {offlineSkip, reader, readerTokenState, type Step, single} from './shared.js';

async function readJsonFile(path: string, what: string): Promise<VaultData | null> {
	let text: string;
	try {
		text = readFileCapped(path, maxJsonFileBytes, what);
	} catch (error) {
		if (error instanceof InputError) throw error;
		throw new Error(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
	}

	try {
		return readVaultData(text) ?? null;
	} catch (error) {
		if (error instanceof InputError) throw error;
		throw new Error(`${what} ${path} is not a JSON object (export it with: vault read -format=json ...)`);
	}
}

export const vaultConfig: Step = {
	id: 'vault.read-config',
	title: 'Read the auth method configuration',
	group: 'Vault',
	needs: ['vault.mount'],
	async run(context) {
		const {options} = context;
		if (options.configFile) {
			const data = await readJsonFile(options.configFile, '--config-file');
			context.config = data && parseConfig(data);
			context.configSource = options.configFile;
			return single('vault.read-config', this.title, 'pass', `Configuration from ${options.configFile}.`);
		}

		if (options.offline) return offlineSkip('vault.read-config', this.title);
		if (context.mount!.missing) {
			return single(
				'vault.read-config',
				this.title,
				'skip',
				`Not read: auth/${context.mount!.path} does not exist.`,
			);
		}
		const path = `auth/${context.mount!.path}/config`;
		const answer = await reader(context).read(path);
		const subject = !answer.ok && answer.denied ? (await readerTokenState(context)).sentence : undefined;
		return {
			checks: [
				readCheck(
					'vault.read-config',
					this.title,
					path,
					answer,
					data => {
						context.config = parseConfig(data);
						context.configSource = path;
					},
					() => {
						context.config = null;
					},
					'the login itself, or --config-file exported by an admin',
					subject,
				),
			],
		};
	},
};

function readCheck(
	id: CheckId,
	title: string,
	path: string,
	answer: VaultAnswer<Record<string, unknown>>,
	onData: (data: VaultData) => void,
	onNotFound: () => void,
	fallback: string,
	tokenSubject?: string,
): Check {
	if (answer.ok) {
		onData(answer.data);
		return {id, title, status: 'pass', message: `Read ${path}.`};
	}

	if (answer.notFound) {
		onNotFound();
		return {id, title, status: 'pass', message: `${path} does not exist (Vault answered 404).`};
	}

	if (answer.denied) {
		return {
			id,
			title,
			status: 'skip',
			message: `${tokenSubject ?? 'The Vault token'} may not read ${path}; the diagnosis uses ${fallback}.`,
		};
	}

	return {id, title, status: 'fail', problem: answer.problem, message: answer.message};
}

/** The existing name nearest to the one asked for (edit distance; a name containing the other wins a tie). */
export function closestName(wanted: string, names: string[]): string | undefined {
	let best: {name: string; score: number} | undefined;
	for (const name of names) {
		const score = distance(name, wanted) - (name.includes(wanted) || wanted.includes(name) ? 0.5 : 0);
		if (!best || score < best.score) best = {name, score};
	}

	return best?.name;
}

/** --role, else $IDP_VAULT_ROLE (Ona's CLI), else $VAULT_ROLE (CircleCI contexts), else the mount's default_role. */
export function resolveRoleName(context: DoctorContext): {name: string; reason: string} {
	const {options} = context;
	if (options.role) return {name: options.role, reason: options.labels?.role ?? '--role'};
	if (options.env['IDP_VAULT_ROLE']) return {name: options.env['IDP_VAULT_ROLE'], reason: '$IDP_VAULT_ROLE'};
	if (options.env['VAULT_ROLE']) return {name: options.env['VAULT_ROLE'], reason: '$VAULT_ROLE'};
	// The file is the role meant; the mount's default_role may be another one.
	if (options.roleFile) return {name: '', reason: `unknown (${options.roleFile} without --role)`};
	const defaultRole = context.config?.defaultRole;
	if (defaultRole) return {name: defaultRole, reason: "the mount's default_role"};
	return {name: '', reason: 'none given'};
}

export const vaultRole: Step = {
	id: 'vault.read-role',
	title: 'Read the role',
	group: 'Vault',
	needs: ['vault.mount'],
	async run(context, after) {
		const {options} = context;
		// Only a name from the mount's default_role needs the config; --role and the variables do not wait for it.
		if (!resolveRoleName(context).name && !options.roleFile) await after('vault.read-config');
		const {name, reason} = resolveRoleName(context);
		context.roleName = name.toLowerCase();
		context.roleNameReason = reason;
		if (options.roleFile) {
			const data = await readJsonFile(options.roleFile, '--role-file');
			context.role = data && parseRole(data);
			context.roleSource = options.roleFile;
			return single(
				'vault.read-role',
				this.title,
				'pass',
				name
					? `Role "${context.roleName}" from ${options.roleFile}.`
					: `Role from ${options.roleFile}; its name is unknown (pass --role <name> to try the real login with it).`,
			);
		}

		if (options.offline) return offlineSkip('vault.read-role', this.title);
		if (context.mount!.missing) {
			return single(
				'vault.read-role',
				this.title,
				'skip',
				`Not read: auth/${context.mount!.path} does not exist.`,
			);
		}
		if (!name) {
			context.role = null;
			return {
				checks: [
					{
						id: 'vault.read-role',
						title: this.title,
						status: 'skip',
						message:
							'No role name: not given with --role, $IDP_VAULT_ROLE or $VAULT_ROLE, and the mount has no default_role.',
					},
				],
			};
		}

		const nameProblem = invalidRoleName(context.roleName);
		if (nameProblem) {
			context.role = null;
			return {
				checks: [
					{
						id: 'vault.read-role',
						title: this.title,
						status: 'fail',
						problem: 'role-not-found',
						message: `${nameProblem}; it came from ${reason}, and no role of that name can exist.`,
					},
				],
			};
		}

		const path = `auth/${context.mount!.path}/role/${context.roleName}`;
		const answer = await reader(context).read(path);
		const subject = !answer.ok && answer.denied ? (await readerTokenState(context)).sentence : undefined;
		const check = readCheck(
			'vault.read-role',
			this.title,
			path,
			answer,
			data => {
				context.role = parseRole(data);
				context.roleSource = path;
			},
			() => {
				context.role = null;
			},
			'the login itself, or --role-file exported by an admin',
			subject,
		);
		if (context.role === null) {
			const list = await reader(context).list(`auth/${context.mount!.path}/role`);
			if (list.ok) {
				const closest = closestName(context.roleName!, list.data);
				context.roleList = {names: list.data, ...(closest ? {closest} : {})};
				const wanted = context.roleName!;
				const near =
					closest !== undefined &&
					(closest.includes(wanted) ||
						wanted.includes(closest) ||
						distance(closest, wanted) <= Math.max(1, Math.floor(wanted.length / 4)));
				check.hint = `Roles on auth/${context.mount!.path}: ${list.data.join(', ') || 'none'}.${closest ? (near ? ` Did you mean ${closest}?` : ` The closest name is "${closest}".`) : ''}`;
			}
		}

		check.message += ` Role "${context.roleName}" from ${reason}.`;
		return {checks: [check]};
	},
};

export const roleLint: Step = {
	id: 'role.lint',
	title: 'Check the role is safe',
	group: 'Vault',
	needs: ['vault.read-role', 'token.decode'],
	async run(context) {
		if (!context.role) return {checks: []};
		const findings = lintRole(context.role, {
			mount: context.mount?.path ?? 'jwt',
			roleName: context.roleName ?? '<role>',
			issuer: context.config?.boundIssuer || context.config?.oidcDiscoveryUrl || '',
			...(context.decoded ? {tokenPlatform: context.decoded.platform.platform} : {}),
		});
		return {
			checks:
				findings.length > 0
					? findings
					: [
							{
								id: 'role.lint',
								title: this.title,
								status: 'pass',
								message: 'The role is pinned to a project, binds an audience and issues short-lived tokens.',
							},
						],
		};
	},
};
