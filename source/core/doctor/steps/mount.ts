/* Vault: which JWT auth mount the login goes to (the pure rule is in core/mount-choice.ts). */
import {chooseMount, type MountCandidate} from '../../mount-choice.js';
import {mountPathOf} from '../../names.js';
import type {AuthMount} from '../../probes/vault.js';
import type {ProblemId} from '../../problems/catalogue.js';
import type {DoctorContext} from '../context.js';
import {reader, readerTokenState, type Step} from './shared.js';

const jwtTypes = new Set(['jwt', 'oidc']);

/** Each mount with its config as the reader sees it (null when unreadable), for chooseMount. */
const mountConfigs = (context: DoctorContext, mounts: AuthMount[]): Promise<MountCandidate[]> =>
	reader(context).mountConfigs(mounts.map(mount => mount.path));

export const vaultMount: Step = {
	id: 'vault.mount',
	title: 'Find the JWT auth mount',
	group: 'Vault',
	needs: ['token.decode'],
	async run(context, after) {
		const {options} = context;
		if (options.offline) {
			const path = mountPathOf(options.mount ?? 'jwt');
			context.mount = {
				path,
				reason: options.mount ? (options.labels?.mount ?? '--mount') : 'the default path',
			};
			return {
				checks: [
					{
						id: 'vault.mount',
						title: this.title,
						status: 'skip',
						message: `Not checked: --offline; fixes name auth/${path}.`,
					},
				],
			};
		}

		const iss = String(context.decoded!.claims['iss'] ?? '');
		const answer = await reader(context).authMounts();
		if (answer.ok) context.mounts = answer.data;
		const jwtMounts = answer.ok ? answer.data.filter(mount => jwtTypes.has(mount.type)) : [];
		const select = (path: string, reason: string) => {
			const known = context.mounts?.find(mount => mount.path === path);
			context.mount = {
				path,
				reason,
				...(known?.runningPluginVersion ? {pluginVersion: known.runningPluginVersion} : {}),
			};
		};

		if (options.mount) {
			const mount = mountPathOf(options.mount);
			if (answer.ok && !context.mounts!.some(candidate => candidate.path === mount)) {
				select(mount, options.labels?.mount ?? '--mount');
				context.mount!.missing = true;
				return {
					checks: [
						{
							id: 'vault.mount',
							title: this.title,
							status: 'fail',
							problem: 'mount-not-found',
							message: `There is no auth mount "${mount}"${context.connection!.namespace ? ` in namespace ${context.connection!.namespace}` : ''}. JWT mounts here: ${jwtMounts.map(candidate => candidate.path).join(', ') || 'none'}.`,
							expected: mount,
							actual: jwtMounts.map(candidate => candidate.path),
						},
					],
				};
			}

			select(mount, options.labels?.mount ?? '--mount');
			return {
				checks: [
					{
						id: 'vault.mount',
						title: this.title,
						status: 'pass',
						message: `Using auth/${mount} (${options.labels?.mount ?? '--mount'}).`,
					},
				],
			};
		}

		if (!answer.ok) {
			select('jwt', 'the default path');
			const health = await after('vault.health');
			if (health.halted && !answer.denied) {
				return {
					checks: [
						{
							id: 'vault.mount',
							title: this.title,
							status: 'skip',
							message: `Not checked: "${health.halted.title}" did not succeed (${health.halted.reason}).`,
							blockedBy: health.halted.by,
						},
					],
					halt: health.halted.reason,
				};
			}

			if (answer.denied) {
				const token = await readerTokenState(context);
				const invalid = token.state === 'invalid';
				return {
					checks: [
						{
							id: 'vault.mount',
							title: this.title,
							status: invalid ? 'warn' : 'skip',
							problem: invalid ? 'vault-token-invalid' : 'mount-not-found',
							message: `${token.sentence} may not read sys/auth; assuming the mount is auth/jwt. Pass --mount if it is elsewhere.`,
						},
					],
				};
			}

			return {
				checks: [
					{
						id: 'vault.mount',
						title: this.title,
						status: 'warn',
						problem: answer.problem,
						message: `${answer.message}; assuming the mount is auth/jwt. Pass --mount if it is elsewhere.`,
					},
				],
			};
		}

		if (jwtMounts.length === 0) {
			select('jwt', 'the default path');
			return {
				checks: [
					{
						id: 'vault.mount',
						title: this.title,
						status: 'fail',
						problem: context.connection!.namespace ? 'mount-not-found' : 'namespace-wrong',
						message: `No JWT/OIDC auth method is enabled${context.connection!.namespace ? ` in namespace ${context.connection!.namespace}` : ' in the root namespace'}. Enable one (vault auth enable jwt), or set VAULT_NAMESPACE to the namespace where it lives.`,
					},
				],
			};
		}

		if (jwtMounts.length === 1) {
			select(jwtMounts[0]!.path, 'the only JWT mount');
			return {
				checks: [
					{
						id: 'vault.mount',
						title: this.title,
						status: 'pass',
						message: `Using auth/${jwtMounts[0]!.path}, the only JWT/OIDC mount.`,
					},
				],
			};
		}

		const choice = chooseMount(await mountConfigs(context, jwtMounts), iss)!;
		select(choice.path, choice.reason);
		context.mount!.trusting = choice.trusting;
		const trusted = choice.trusting.length > 0;
		return {
			checks: [
				{
					id: 'vault.mount',
					title: this.title,
					status: trusted ? 'pass' : 'warn',
					...(trusted ? {} : {problem: 'issuer-mismatch' as ProblemId}),
					message: trusted
						? `Using auth/${choice.path}: of ${jwtMounts.length} JWT mounts, its config trusts the token's issuer ${iss}.`
						: `None of the ${jwtMounts.length} JWT mounts (${jwtMounts.map(mount => mount.path).join(', ')}) trusts the token's issuer ${iss}; using auth/${choice.path}. Pass --mount to choose.`,
				},
			],
		};
	},
};

/**
With --mount named (or one JWT mount only), which other mounts trust the token's issuer: a fact for the fixes
("use --mount jwt") and the TUI's mount picker. Runs beside the reads, so it adds no round to the diagnosis.
*/
export const issuerMount: Step = {
	id: 'vault.issuer-mount',
	title: "Find the mount that trusts the token's issuer",
	group: 'Vault',
	needs: [],
	async run(context, after) {
		if ((await after('vault.mount')).halted) return {checks: []};
		const mounts = (context.mounts ?? []).filter(mount => jwtTypes.has(mount.type));
		if (!context.mount || context.mount.trusting || mounts.length < 2) return {checks: []};
		const iss = String(context.decoded?.claims['iss'] ?? '');
		context.mount.trusting = chooseMount(await mountConfigs(context, mounts), iss)?.trusting ?? [];
		return {checks: []};
	},
};
