import {distance} from 'fastest-levenshtein';
import {lintRole} from '../admin/role-lint.js';
import {InputError, maxJsonFileBytes, readFileCapped} from '../bounds.js';
import type {Check} from '../check.js';
import {simulateLogin} from '../login/simulate-login.js';
import {inspectToken} from '../login/token.js';
import {chooseMount} from '../mount-choice.js';
import {invalidRoleName} from '../names.js';
import {type HttpResponse, httpRequest} from '../probes/http.js';
import {discoveryUrlFor, probeIssuer} from '../probes/issuer.js';
import {acquireToken, TokenSourceError} from '../probes/token-source.js';
import {
	type LoginSession,
	loginWithJwt,
	revocationFailureText,
	type VaultAnswer,
	VaultReader,
} from '../probes/vault.js';
import type {ProblemId} from '../problems/catalogue.js';
import {explainVaultError} from '../problems/explain-error.js';
import {detectPlatform, type PlatformGuess} from '../problems/platform.js';
import {duration, formatTime, relativeTime} from '../time-text.js';
import {listField, readVaultData, stringField, type VaultData} from '../vault-data.js';
import type {DoctorContext} from './context.js';
import type {StepDefinition, StepOutcome} from './engine.js';

type Step = StepDefinition<DoctorContext>;

/** An outcome of exactly one check. */
const single = (id: string, title: string, status: Check['status'], message: string): StepOutcome => ({
	checks: [{id, title, status, message}],
});

const offlineSkip = (id: string, title: string): StepOutcome =>
	single(id, title, 'skip', 'Not checked: --offline.');

const reader = (context: DoctorContext) => new VaultReader(context.connection!);

const sourcePlatforms: Partial<Record<string, PlatformGuess['platform']>> = {
	ona: 'ona',
	circleci: 'circleci',
	'circleci-v1': 'circleci',
	github: 'github',
	gitlab: 'gitlab',
};

const tokenSource: Step = {
	id: 'token.source',
	title: 'Get the token',
	group: 'Token',
	needs: [],
	async run(context) {
		const {options} = context;
		const given =
			options.token !== undefined || options.tokenFile !== undefined || options.tokenEnv !== undefined;
		// auto may pick a source that mints a token over the network (Ona, GitHub, Buildkite): not in --offline.
		const mayMint = ['auto', 'ona', 'github', 'buildkite'].includes(options.source);
		if (options.offline && !given && mayMint) {
			return {
				checks: [
					{
						id: 'token.source',
						title: this.title,
						status: 'fail',
						problem: 'platform-no-token',
						message:
							'In --offline mode the doctor makes no requests, so it cannot mint a token: pass it with --token-file <path|-> or --token-env NAME.',
					},
				],
				halt: 'no token',
			};
		}

		try {
			const token = await acquireToken({
				source: options.source,
				...(options.audience ? {audience: options.audience} : {}),
				...(options.token === undefined ? {} : {token: options.token}),
				...(options.tokenFile === undefined ? {} : {tokenFile: options.tokenFile}),
				...(options.tokenEnv === undefined ? {} : {tokenEnv: options.tokenEnv}),
				env: options.env,
				readStdin: options.readStdin,
				timeoutMs: options.timeoutMs,
				http: context.http,
			});
			context.token = options.labels?.token ? {...token, description: options.labels.token} : token;
			return {
				checks: [
					{
						id: 'token.source',
						title: this.title,
						status: 'pass',
						message: `Token from ${context.token.description}${token.why ? ` (${token.why})` : ''}.`,
					},
				],
			};
		} catch (error) {
			const problem: ProblemId = error instanceof TokenSourceError ? error.problem : 'platform-no-token';
			// The platform the source belongs to (GITPOD_ENVIRONMENT_ID set: Ona): its advice only, not every CI's.
			const platform = error instanceof TokenSourceError ? sourcePlatforms[error.source] : undefined;
			if (platform) context.sourcePlatform = {platform, label: platform};
			return {
				checks: [
					{id: 'token.source', title: this.title, status: 'fail', problem, message: (error as Error).message},
				],
				halt: 'no token',
			};
		}
	},
};

const tokenDecode: Step = {
	id: 'token.decode',
	title: 'Read the token',
	group: 'Token',
	needs: ['token.source'],
	async run(context) {
		const inspection = inspectToken(context.token!.token);
		// Too large or too deep to read at all: the run stops with the reason (exit 2), like an unreadable file.
		if (!inspection.ok && inspection.kind === 'bounds') throw new InputError(inspection.reason);
		if (!inspection.ok) {
			return {
				checks: [
					{
						id: 'token.decode',
						title: this.title,
						status: 'fail',
						problem: inspection.problem,
						message: inspection.reason,
					},
				],
				halt: 'the token cannot be read',
			};
		}

		const platform = detectPlatform(inspection.claims);
		context.decoded = {
			compact: inspection.compact,
			header: inspection.header,
			claims: inspection.claims,
			platform,
		};
		const checks: Check[] = [
			{
				id: 'token.decode',
				title: this.title,
				status: 'pass',
				message: `${platform.label}, signed with ${String(inspection.header['alg'])}${inspection.header['kid'] ? ` (kid ${String(inspection.header['kid'])})` : ''}, issued by ${String(inspection.claims['iss'] ?? '(no iss)')}.${inspection.notes.length > 0 ? ` Note: ${inspection.notes.join('; ')}.` : ''}`,
			},
		];
		if (platform.platform === 'ona' && platform.variant !== 'V3') {
			checks.push({
				id: 'token.platform',
				title: 'Ona token version',
				status: 'warn',
				problem: 'bound-claim-missing',
				message: `This is an ${platform.label}: it has no flat claims (organization_id, project_id, email...). Ona's Vault guide binds V3 claims; bind "org" instead, or switch the organization to V3 tokens (Settings → Security → OIDC Token Configuration) and update trust policies, because sub changes.`,
			});
		}

		const requested = context.token!.audienceRequested;
		const aud = inspection.claims['aud'];
		const audiences = Array.isArray(aud) ? aud.map(String) : typeof aud === 'string' ? [aud] : [];
		if (requested && !audiences.includes(requested)) {
			checks.push({
				id: 'token.audience',
				title: 'Token audience',
				status: 'warn',
				problem: 'audience-mismatch',
				message: `The doctor asked for audience "${requested}" but the token carries ${JSON.stringify(audiences)}.`,
				expected: requested,
				actual: audiences,
			});
		}

		checks.push(tokenTimes(inspection.claims, context.options.now()));
		return {checks};
	},
};

function tokenTimes(claims: Record<string, unknown>, now: number): Check {
	const describe = (name: string) => {
		const value = claims[name];
		if (typeof value !== 'number') return undefined;
		return `${name} ${formatTime(value)} (${relativeTime(value, now)})`;
	};

	const parts = ['iat', 'nbf', 'exp'].map(describe).filter(Boolean);
	const exp = typeof claims['exp'] === 'number' ? claims['exp'] : undefined;
	const iat = typeof claims['iat'] === 'number' ? claims['iat'] : undefined;
	const lifetime = exp && iat ? ` Lifetime ${duration(exp - iat)}.` : '';
	const expired = exp !== undefined && exp < now;
	return {
		id: 'token.times',
		title: "Token times (this machine's clock)",
		status: expired ? 'warn' : 'pass',
		message: `${parts.join(', ') || 'The token has no time claims'}.${lifetime}${expired ? " It has expired by this machine's clock; Vault's verdict follows below." : ''}`,
		...(expired ? {problem: 'token-expired' as ProblemId} : {}),
	};
}

const vaultHealth: Step = {
	id: 'vault.health',
	title: 'Reach Vault',
	group: 'Vault',
	needs: [],
	async run(context) {
		if (context.options.offline) return offlineSkip('vault.health', this.title);
		const connection = context.connection!;
		const checks: Check[] = connection.warnings.map(
			warning =>
				({
					id: 'vault.tls-verify',
					title: 'Vault TLS verification',
					status: 'warn',
					problem: 'vault-tls',
					message: warning,
				}) satisfies Check,
		);
		if (connection.credentialsRemoved)
			checks.push({
				id: 'vault.address',
				title: 'Vault address',
				status: 'warn',
				problem: 'vault-address',
				message: `The Vault address carries user:password@ credentials: the doctor neither sends nor prints them (Vault does not use them). Use ${connection.addr}.`,
			});
		const answer = await reader(context).health();
		const defaulted = connection.addrDefaulted
			? ` VAULT_ADDR is unset, so the doctor used the default ${connection.addr}; set VAULT_ADDR (or --vault-addr) to your Vault.`
			: '';
		if (!answer.ok) {
			checks.unshift({
				id: 'vault.health',
				title: this.title,
				status: 'fail',
				problem: answer.problem,
				message: `${answer.message}${defaulted}`,
			});
			return {
				checks,
				halt: answer.problem === 'vault-sealed' ? 'Vault is sealed' : 'Vault cannot be reached',
			};
		}

		context.health = answer.data;
		const serverTime = answer.data.server_time_utc;
		const now = context.options.now();
		let skewNote = '';
		if (typeof serverTime === 'number') {
			context.serverTime = serverTime;
			const skew = serverTime - now;
			if (Math.abs(skew) > 30) {
				checks.push({
					id: 'vault.clock',
					title: "Vault's clock",
					status: 'warn',
					problem: skew < 0 ? 'token-not-yet-valid' : 'token-expired',
					message: `Vault's clock is ${duration(skew)} ${skew < 0 ? 'behind' : 'ahead of'} this machine's. Fresh tokens look ${skew < 0 ? 'not yet valid' : 'older'} to Vault; clock_skew_leeway (60 s by default) absorbs only so much.`,
					expected: formatTime(now),
					actual: formatTime(serverTime),
				});
			} else {
				skewNote = `, clock within ${Math.round(Math.abs(skew))} s of this machine`;
			}
		}

		checks.unshift({
			id: 'vault.health',
			title: this.title,
			status: 'pass',
			message: `${connection.addr}${connection.addrDefaulted ? ' (the default: VAULT_ADDR is unset)' : ''} is Vault ${answer.data.version ?? '(version unknown)'}${connection.namespace ? `, namespace ${connection.namespace}` : ''}${skewNote}.`,
		});
		return {checks};
	},
};

const jwtTypes = new Set(['jwt', 'oidc']);

const vaultMount: Step = {
	id: 'vault.mount',
	title: 'Find the JWT auth mount',
	group: 'Vault',
	needs: ['token.decode'],
	async run(context, after) {
		const {options} = context;
		if (options.offline) {
			const path = (options.mount ?? 'jwt').replace(/^\/+|\/+$/g, '').replace(/^auth\//, '');
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
			const mount = options.mount.replace(/^\/+|\/+$/g, '').replace(/^auth\//, '');
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

		const configs = await Promise.all(
			jwtMounts.map(async mount => {
				const config = await reader(context).read(`auth/${mount.path}/config`);
				return {path: mount.path, config: config.ok ? (config.data as VaultData) : null};
			}),
		);
		const choice = chooseMount(configs, iss)!;
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
const issuerMount: Step = {
	id: 'vault.issuer-mount',
	title: "Find the mount that trusts the token's issuer",
	group: 'Vault',
	needs: [],
	async run(context, after) {
		if ((await after('vault.mount')).halted) return {checks: []};
		const mounts = (context.mounts ?? []).filter(mount => jwtTypes.has(mount.type));
		if (!context.mount || context.mount.trusting || mounts.length < 2) return {checks: []};
		const iss = String(context.decoded?.claims['iss'] ?? '');
		const configs = await Promise.all(
			mounts.map(async mount => {
				const config = await reader(context).read(`auth/${mount.path}/config`);
				return {path: mount.path, config: config.ok ? (config.data as VaultData) : null};
			}),
		);
		context.mount.trusting = chooseMount(configs, iss)?.trusting ?? [];
		return {checks: []};
	},
};

/**
Why the reader's reads were refused: no Vault token at all, a token Vault does not know (lookup-self refused:
invalid or expired), or a valid token without the policy. The sentence is the subject of "... may not read X".
*/
async function readerTokenState(
	context: DoctorContext,
): Promise<{state: 'none' | 'invalid' | 'valid'; sentence: string}> {
	if (context.readerToken) return context.readerToken;
	const connection = context.connection!;
	let result: {state: 'none' | 'invalid' | 'valid'; sentence: string};
	if (!connection.token) {
		result = {
			state: 'none',
			sentence: 'No Vault token is set (VAULT_TOKEN or ~/.vault-token), and without one the doctor',
		};
	} else {
		const lookup = await reader(context).lookupSelf();
		result =
			!lookup.ok && (lookup.denied || lookup.status === 401)
				? {
						state: 'invalid',
						sentence: `The Vault token in ${connection.tokenSource ?? 'VAULT_TOKEN'} is invalid or expired (Vault refused its own lookup-self; log in again), so it`,
					}
				: {state: 'valid', sentence: `The Vault token in ${connection.tokenSource ?? 'VAULT_TOKEN'}`};
	}

	context.readerToken = result;
	return result;
}

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

const vaultConfig: Step = {
	id: 'vault.read-config',
	title: 'Read the auth method configuration',
	group: 'Vault',
	needs: ['vault.mount'],
	async run(context) {
		const {options} = context;
		if (options.configFile) {
			context.config = await readJsonFile(options.configFile, '--config-file');
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
						context.config = data;
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
	id: string,
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
function resolveRoleName(context: DoctorContext): {name: string; reason: string} {
	const {options} = context;
	if (options.role) return {name: options.role, reason: options.labels?.role ?? '--role'};
	if (options.env['IDP_VAULT_ROLE']) return {name: options.env['IDP_VAULT_ROLE'], reason: '$IDP_VAULT_ROLE'};
	if (options.env['VAULT_ROLE']) return {name: options.env['VAULT_ROLE'], reason: '$VAULT_ROLE'};
	// The file is the role meant; the mount's default_role may be another one.
	if (options.roleFile) return {name: '', reason: `unknown (${options.roleFile} without --role)`};
	const defaultRole = stringField(context.config, 'default_role');
	if (defaultRole) return {name: defaultRole, reason: "the mount's default_role"};
	return {name: '', reason: 'none given'};
}

const vaultRole: Step = {
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
			context.role = await readJsonFile(options.roleFile, '--role-file');
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
				context.role = data;
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

const issuer: Step = {
	id: 'issuer',
	title: 'Reach the issuer',
	group: 'Issuer',
	needs: ['token.decode'],
	async run(context, after) {
		if (context.options.offline) return offlineSkip('issuer.discovery', "Issuer's discovery document");
		const {claims, header, compact} = context.decoded!;
		const iss = String(claims['iss'] ?? '');
		const prefetched = new Map<string, Promise<HttpResponse>>();
		if (iss.startsWith('http')) {
			const url = discoveryUrlFor(iss);
			const pending = httpRequest(url, {}, context.http);
			pending.catch(() => {});
			prefetched.set(url, pending);
		}

		await after('vault.read-config');
		const result = await probeIssuer({
			iss,
			header,
			compact,
			...(context.config === undefined ? {} : {config: context.config}),
			http: context.http,
			prefetched,
		});
		context.issuer = {
			...(result.discoveryIssuer === undefined ? {} : {discoveryIssuer: result.discoveryIssuer}),
			...(result.jwks ? {jwks: result.jwks} : {}),
		};
		return {checks: result.checks};
	},
};

const roleLint: Step = {
	id: 'role.lint',
	title: 'Check the role is safe',
	group: 'Vault',
	needs: ['vault.read-role', 'token.decode'],
	async run(context) {
		if (!context.role) return {checks: []};
		const findings = lintRole(context.role, {
			mount: context.mount?.path ?? 'jwt',
			roleName: context.roleName ?? '<role>',
			issuer:
				stringField(context.config, 'bound_issuer') || stringField(context.config, 'oidc_discovery_url'),
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

const loginModel: Step = {
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
		const model = await simulateLogin({
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
			...(context.issuer &&
			!(
				context.config &&
				!stringField(context.config, 'oidc_discovery_url') &&
				!stringField(context.config, 'jwks_url')
			)
				? {issuer: context.issuer}
				: {}),
		});
		context.model = model;
		return {checks: model.checks};
	},
};

const loginAttempt: Step = {
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
			const cidrs = [
				...listField(context.role, 'token_bound_cidrs'),
				...listField(context.role, 'bound_cidrs'),
			];
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

const loginAgreement: Step = {
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

/** KV v2 mounts keep secrets under data/ and list them under metadata/, which policies must name. */
export function kvPaths(
	path: string,
	mountPath: string | undefined,
	version: string | undefined,
): {read: string; list?: string; kv2: boolean} {
	const clean = path.replace(/^\/+|\/+$/g, '');
	if (version !== '2' || !mountPath) return {read: clean, kv2: false};
	const mount = mountPath.replace(/\/+$/, '');
	const rest = clean.slice(mount.length + 1);
	if (/^(?:data|metadata)\//.test(rest)) return {read: clean, kv2: true};
	return {read: `${mount}/data/${rest}`, list: `${mount}/metadata/${rest}`, kv2: true};
}

const access: Step = {
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
	const id = `access.secret/${secretPath}`;
	const title = `Access to ${secretPath}`;
	const clean = secretPath.replace(/^\/+|\/+$/g, '');
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

/** Every step of a diagnosis, as data: id, group, needs and run. */
export const doctorSteps: Step[] = [
	tokenSource,
	tokenDecode,
	vaultHealth,
	vaultMount,
	issuerMount,
	vaultConfig,
	vaultRole,
	roleLint,
	issuer,
	loginModel,
	loginAttempt,
	loginAgreement,
	access,
];
