/* The Access group: what the login's Vault token may read (KV v2 paths), then its revocation. */
import type {Check} from '../../check.js';
import {kvPaths} from '../../kv-paths.js';
import {trimSlashes} from '../../names.js';
import {type LoginSession, revocationFailureText} from '../../probes/vault.js';
import type {DoctorContext} from '../context.js';
import type {Step} from './shared.js';

export const access: Step = {
	id: 'access',
	title: "Check the Vault token's access",
	group: 'Access',
	needs: ['login.attempt'],
	async run(context) {
		const {login, options} = context;
		if (!login?.ok) {
			return {
				checks: [
					{
						id: 'access.token',
						title: this.title,
						status: 'skip',
						message: options.offline
							? 'Not checked: --offline.'
							: 'Not checked: there is no Vault token without a successful login.',
					},
				],
			};
		}

		const session = context.session!;
		const checks: Check[] = [];
		try {
			const [lookup, ...secretChecks] = await Promise.all([
				session.lookupSelf(),
				...options.secretPaths.map(secretPath => secretAccess(context, session, secretPath)),
			]);
			if (lookup.ok) {
				const data = lookup.data as {policies?: string[]; ttl?: number; display_name?: string};
				checks.push({
					id: 'access.token',
					title: 'The login token',
					status: 'pass',
					message: `${data.display_name ?? 'token'}: policies ${(data.policies ?? []).join(', ') || '(none)'}, ${data.ttl ?? '?'} s left.`,
				});
			} else {
				checks.push({
					id: 'access.token',
					title: 'The login token',
					status: 'warn',
					problem: lookup.problem,
					message: lookup.message,
				});
			}

			checks.push(...secretChecks.flat());
		} finally {
			const revoked = await session.revoke();
			checks.push(
				revoked.ok
					? {
							id: 'access.revoke',
							title: 'Revoke the login token',
							status: 'pass',
							message: 'The Vault token obtained by the test login was revoked.',
						}
					: {
							id: 'access.revoke',
							title: 'Revoke the login token',
							status: 'fail',
							problem: 'token-not-revoked',
							message: `${revocationFailureText(revoked)} Otherwise it lives until its TTL (${login.auth.lease_duration ?? '?'} s).`,
						},
			);
			if (revoked.ok && login.auth.accessor) context.revoked.push(login.auth.accessor);
		}

		return {checks};
	},
};

async function secretAccess(
	context: DoctorContext,
	session: LoginSession,
	secretPath: string,
): Promise<Check[]> {
	const id = `access.secret/${secretPath}` as const;
	const title = `Access to ${secretPath}`;
	const clean = trimSlashes(secretPath);
	const ask = (paths: ReturnType<typeof kvPaths>) => [
		paths.read,
		...(paths.list ? [paths.list] : []),
		...(paths.kv2 && paths.read !== clean ? [clean] : []),
	];
	// Most KV mounts are one segment deep: ask for that guess while the mount's real type is looked up.
	const guess = kvPaths(clean, clean.split('/')[0], '2');
	const [mountInfo, guessed] = await Promise.all([
		session.read(`sys/internal/ui/mounts/${clean}`),
		session.capabilities(ask(guess)),
	]);
	const info = mountInfo.ok
		? (mountInfo.data as {path?: string; type?: string; options?: {version?: string} | null})
		: undefined;
	const paths = kvPaths(clean, info?.path, info?.options?.version ?? undefined);
	const answer =
		guessed.ok && ask(paths).every(path => path in guessed.data)
			? guessed
			: await session.capabilities(ask(paths));
	if (!answer.ok) return [{id, title, status: 'warn', problem: answer.problem, message: answer.message}];
	const capabilities = (path: string) => (answer.data[path] as string[] | undefined) ?? [];
	const canRead = (path: string) =>
		capabilities(path).some(capability => capability === 'read' || capability === 'root');
	const policies = (context.login as {auth: {policies?: string[]}}).auth.policies ?? [];
	if (canRead(paths.read)) {
		return [
			{
				id,
				title,
				status: 'pass',
				message: `The login token may read ${paths.read}${paths.kv2 ? ' (KV v2)' : ''}: ${capabilities(paths.read).join(', ')}.`,
			},
		];
	}

	if (paths.kv2 && paths.read !== clean && canRead(clean)) {
		return [
			{
				id,
				title,
				status: 'fail',
				problem: 'kv2-path',
				message: `The policies grant ${clean}, but ${info?.path ?? 'the mount'} is a KV v2 mount whose API path is ${paths.read}: the grant never applies.`,
				expected: paths.read,
				actual: clean,
			},
		];
	}

	return [
		{
			id,
			title,
			status: 'fail',
			problem: 'permission-denied',
			message: `The login token (policies ${policies.join(', ') || 'none'}) may not read ${paths.read}: capabilities ${capabilities(paths.read).join(', ') || 'none'}.`,
			path: paths.read,
			expected: ['read'],
			actual: capabilities(paths.read),
		},
	];
}
