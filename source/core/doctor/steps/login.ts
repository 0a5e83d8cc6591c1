/* The Login group: the model's verdict, Vault's own, and whether they agree. */
import {simulateParsedLogin} from '../../login/simulate-login.js';
import {loginWithJwt} from '../../probes/vault.js';
import type {ProblemId} from '../../problems/catalogue.js';
import {explainVaultError} from '../../problems/explain-error.js';
import {resolveRoleName} from './reads.js';
import {offlineSkip, type Step} from './shared.js';

export const loginModel: Step = {
	id: 'login.model',
	title: "Evaluate Vault's login checks",
	group: 'Login',
	needs: ['token.decode', 'vault.read-role', 'issuer', 'vault.health'],
	async run(context) {
		if (context.role === undefined) {
			return {
				checks: [
					{
						id: 'login.model',
						title: this.title,
						status: 'skip',
						message:
							'The role could not be read, so the checks of the role rest on the real login attempt below. Pass --role-file to evaluate every binding.',
					},
				],
			};
		}

		const behaviourSource = context.options.pluginVersion ?? context.mount?.pluginVersion;
		const model = await simulateParsedLogin({
			token: context.decoded!.compact,
			role: context.role,
			...(context.config === undefined ? {} : {config: context.config}),
			now: context.serverTime ?? context.options.now(),
			...(behaviourSource
				? {pluginVersion: behaviourSource}
				: context.health?.version
					? {pluginVersion: context.health.version}
					: {}),
			// A role from --role-file without a name is the role meant: judged as given, not as "missing role".
			...(context.roleName || !context.options.roleFile ? {roleName: context.roleName ?? ''} : {}),
			...(context.issuer && !(context.config && !context.config.oidcDiscoveryUrl && !context.config.jwksUrl)
				? {issuer: context.issuer}
				: {}),
		});
		context.model = model;
		return {checks: model.checks};
	},
};

export const loginAttempt: Step = {
	id: 'login.attempt',
	title: 'Try the login',
	group: 'Login',
	needs: ['token.decode', 'vault.mount'],
	async run(context, after) {
		if (context.options.offline) return offlineSkip('login.attempt', this.title);
		if (context.options.noLogin)
			return {
				checks: [{id: 'login.attempt', title: this.title, status: 'skip', message: 'Not tried: --no-login.'}],
			};
		const mount = context.mount!.path;
		const role = resolveRoleName(context).name;
		if (context.options.roleFile && !role)
			return {
				checks: [
					{
						id: 'login.attempt',
						title: this.title,
						status: 'skip',
						message: `Not tried: the role from ${context.options.roleFile} has no name; pass --role <name> to try the real login with it.`,
					},
				],
			};
		const answer = await loginWithJwt(
			context.connection!,
			mount,
			role.toLowerCase(),
			context.decoded!.compact,
		);
		if (answer.ok) {
			context.login = {ok: true, auth: answer.data};
			if (answer.session) context.session = answer.session;
			return {
				checks: [
					{
						id: 'login.attempt',
						title: this.title,
						status: 'pass',
						message: `Vault accepted the login on auth/${mount}${role ? ` with role "${role}"` : ' (default role)'}: policies ${(answer.data.policies ?? []).join(', ') || '(none)'}, TTL ${answer.data.lease_duration ?? '?'} s.`,
					},
				],
			};
		}

		const error = answer.errors.join('; ') || answer.message;
		let problem: ProblemId = answer.errors.length > 0 ? explainVaultError(error).problem : answer.problem;
		let hint: string | undefined;
		if (answer.status === 403) {
			// The role read runs beside the login; a 403 is told apart by the role's CIDRs, so wait for it here.
			await after('vault.read-role');
			const cidrs = context.role?.tokenBoundCidrs ?? [];
			problem = cidrs.length > 0 ? 'cidr-denied' : 'mount-not-found';
			hint =
				cidrs.length > 0
					? `The role only accepts callers from ${cidrs.join(', ')}; Vault sees this machine's address after any proxy or NAT.`
					: `A 403 from a login never means a policy (login needs none): there is no auth mount "${mount}"${context.connection!.namespace ? ` in namespace ${context.connection!.namespace}` : ' in this namespace'}, or the role's token_bound_cidrs excludes this caller.`;
		}

		context.login = {ok: false, status: answer.status, error, problem};
		return {
			checks: [
				{
					id: 'login.attempt',
					title: this.title,
					status: 'fail',
					problem,
					message:
						answer.status === null
							? `The login got no verdict from Vault: ${error}`
							: `Vault refused the login (HTTP ${answer.status}): ${error}`,
					...(answer.errors.length > 0 ? {vaultMessage: error} : {}),
					...(hint ? {hint} : {}),
				},
			],
		};
	},
};

export const loginAgreement: Step = {
	id: 'login.agreement',
	title: 'Model and Vault agree',
	group: 'Login',
	needs: ['login.model', 'login.attempt'],
	async run(context) {
		const {model, login} = context;
		// No answer (a timeout, the network) is no verdict to compare with.
		if (!model || !login || (!login.ok && login.status === null)) return {checks: []};
		const predicted = model.vaultError;
		const actual = login.ok ? null : login.error;
		if (
			(predicted === null) === login.ok &&
			(predicted === null || actual === predicted || (actual ?? '').includes(predicted))
		) {
			return {
				checks: [
					{
						id: 'login.agreement',
						title: this.title,
						status: 'pass',
						message: login.ok
							? 'Vault accepted the login, as the doctor predicted.'
							: 'Vault answered exactly what the doctor predicted.',
					},
				],
			};
		}

		return {
			checks: [
				{
					id: 'login.agreement',
					title: this.title,
					status: 'warn',
					message: `The doctor predicted ${predicted === null ? 'success' : `"${predicted}"`} but Vault answered ${actual === null ? 'success' : `"${actual}"`}. The role or config read may differ from what Vault uses (namespace, a different mount, a concurrent change), or Vault is a version the model does not know (${model.behaviour.label}).`,
					expected: predicted,
					actual,
				},
			],
		};
	},
};
