import {readdirSync} from 'node:fs';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {maxPemFileBytes, readFileCapped} from '../bounds.js';
import {type JwtConfig, parseConfig} from '../login/config.js';
import type {ProblemId} from '../problems/catalogue.js';
import {displayUrl, HttpFailure, type HttpSettings, httpRequest} from './http.js';

/** The Vault CLI's address when VAULT_ADDR is unset. */
export const defaultVaultAddr = 'https://127.0.0.1:8200';

export type VaultConnection = {
	addr: string;
	/** VAULT_ADDR was unset and no --vault-addr given: addr is the Vault CLI's default. */
	addrDefaulted?: boolean;
	/** The reader's token (VAULT_TOKEN or ~/.vault-token); never the token a test login obtains. */
	token?: string;
	tokenSource?: string;
	namespace?: string;
	http: HttpSettings;
	warnings: string[];
	/** Redirects Vault answered during the run, in order (addresses without credentials). */
	redirects: VaultRedirect[];
	/** The address had user:password@ in it: removed, never sent nor printed. */
	credentialsRemoved?: boolean;
};

export type VaultRedirect = {call: string; from: string; to: string};

/** Reads the Vault CLI's environment: VAULT_ADDR, VAULT_TOKEN / ~/.vault-token, VAULT_NAMESPACE, VAULT_CACERT / VAULT_CAPATH, VAULT_SKIP_VERIFY. */
export function vaultConnectionFromEnv(
	env: NodeJS.ProcessEnv,
	flags: {vaultAddr?: string; namespace?: string; caFile?: string[]},
	http: HttpSettings,
): VaultConnection {
	const warnings: string[] = [];
	const addrUnset = flags.vaultAddr === undefined && !env['VAULT_ADDR'];
	const given = (flags.vaultAddr ?? (env['VAULT_ADDR'] || defaultVaultAddr)).replace(/\/+$/, '');
	const addr = displayUrl(given);
	let token = env['VAULT_TOKEN']?.trim() || undefined;
	let tokenSource = token ? '$VAULT_TOKEN' : undefined;
	if (!token) {
		try {
			token =
				readFileCapped(join(env['HOME'] ?? homedir(), '.vault-token'), 64 * 1024, '~/.vault-token').trim() ||
				undefined;
			if (token) tokenSource = '~/.vault-token';
		} catch {}
	}

	const extraCa = [...(http.extraCa ?? []), ...(flags.caFile ?? [])];
	if (env['VAULT_CACERT']) extraCa.push(readFileCapped(env['VAULT_CACERT'], maxPemFileBytes, 'VAULT_CACERT'));
	if (env['VAULT_CAPATH']) {
		for (const name of readdirSync(env['VAULT_CAPATH'])) {
			if (/\.(?:pem|crt)$/i.test(name))
				extraCa.push(readFileCapped(join(env['VAULT_CAPATH'], name), maxPemFileBytes, 'VAULT_CAPATH'));
		}
	}

	const insecure = isTruthy(env['VAULT_SKIP_VERIFY']);
	if (insecure)
		warnings.push(
			"VAULT_SKIP_VERIFY is set: the doctor does not verify Vault's TLS certificate, so it cannot tell you about certificate problems.",
		);
	const namespace = flags.namespace ?? (env['VAULT_NAMESPACE'] || undefined);
	return {
		addr,
		...(addrUnset ? {addrDefaulted: true} : {}),
		...(token ? {token, tokenSource} : {}),
		...(namespace ? {namespace} : {}),
		http: {
			...http,
			extraCa,
			insecure,
			vaultRedirects: true,
			maxRedirects: goBool(env['VAULT_DISABLE_REDIRECTS']) ? 0 : 1,
		},
		warnings,
		redirects: [],
		...(addr === given ? {} : {credentialsRemoved: true}),
	};
}

/** Go's strconv.ParseBool, as Vault's client reads VAULT_DISABLE_REDIRECTS (anything else counts as false). */
function goBool(value: string | undefined): boolean {
	return /^(?:1|t|T|TRUE|true|True)$/.test(value ?? '');
}

function isTruthy(value: string | undefined): boolean {
	return value !== undefined && value !== '' && !/^(?:0|false|f|no)$/i.test(value);
}

export type VaultAnswer<T> =
	| {ok: true; data: T; status: number}
	| {
			ok: false;
			status: number | null;
			problem: ProblemId;
			errors: string[];
			message: string;
			notFound?: boolean;
			denied?: boolean;
	  };

type NodeVaultClient = {
	token?: string;
	request(options: {path: string; method: string; json?: unknown}): Promise<unknown>;
	health(): Promise<unknown>;
	read(path: string): Promise<unknown>;
	list(path: string): Promise<unknown>;
	write(path: string, data: unknown): Promise<unknown>;
	delete(path: string): Promise<unknown>;
	jwtLogin(args: {role: string; jwt: string; mount_point: string}): Promise<unknown>;
	tokenLookupSelf(): Promise<unknown>;
	tokenRevokeSelf(): Promise<unknown>;
};

type NodeVaultError = Error & {response?: {statusCode: number; body: unknown}};

/**
node-vault performs the Vault calls; its HTTP goes through the doctor's own request function, so every call has
the same deadline, size cap, proxy and TLS handling as the issuer probes.
*/
async function createClient(
	connection: VaultConnection,
	token: string | undefined,
): Promise<NodeVaultClient> {
	const {default: nodeVault} = (await import('node-vault')) as unknown as {
		default: (options: Record<string, unknown>) => NodeVaultClient;
	};
	const send = async (options: {
		method: string;
		uri: string;
		headers?: Record<string, string>;
		json?: unknown;
	}) => {
		const hasBody = options.json !== undefined && typeof options.json === 'object';
		const response = await httpRequest(
			options.uri,
			{
				method: options.method,
				headers: {...options.headers, ...(hasBody ? {'content-type': 'application/json'} : {})},
				...(hasBody ? {body: JSON.stringify(options.json)} : {}),
			},
			connection.http,
		);
		const to = response.url;
		if (response.redirects.length > 0) {
			const call = `${options.method} ${new URL(options.uri).pathname}`;
			connection.redirects.push({call, from: response.redirects[0]!, to});
		}

		return {
			statusCode: response.status,
			body: response.json ?? response.body,
			request: {path: new URL(response.url).pathname},
		};
	};

	return nodeVault({
		endpoint: connection.addr,
		...(token ? {token} : {}),
		...(connection.namespace ? {namespace: connection.namespace} : {}),
		noCustomHTTPVerbs: false,
		'request-promise': {defaults: () => send},
	});
}

/** Turns a failed call into a problem id and a sentence, whatever failed: the network, TLS, or Vault itself. */
export function classifyVaultFailure(
	error: unknown,
	what: string,
	connection: VaultConnection,
): Exclude<VaultAnswer<never>, {ok: true}> {
	if (error instanceof HttpFailure) {
		const problem: ProblemId =
			error.kind === 'tls' ? 'vault-tls' : error.kind === 'redirects' ? 'vault-address' : 'vault-unreachable';
		const advice =
			error.kind === 'tls'
				? " Set VAULT_CACERT to the CA that signed Vault's certificate, and use the host name on the certificate."
				: error.kind === 'timeout'
					? ' Check VAULT_ADDR, the port and any firewall; raise --timeout if Vault is just slow.'
					: ` Check VAULT_ADDR (${connection.addr}).`;
		return {ok: false, status: null, problem, errors: [], message: `${what}: ${error.message}.${advice}`};
	}

	const response = (error as NodeVaultError).response;
	if (!response)
		return {
			ok: false,
			status: null,
			problem: 'unknown',
			errors: [],
			message: `${what}: ${(error as Error).message}`,
		};
	const status = response.statusCode;
	const body = response.body;
	const errors =
		typeof body === 'object' && body !== null && Array.isArray((body as {errors?: unknown}).errors)
			? (body as {errors: unknown[]}).errors.map(String)
			: [];
	if (typeof body === 'string' && /<html|<!doctype/i.test(body)) {
		return {
			ok: false,
			status,
			problem: 'vault-unreachable',
			errors,
			message: `${what}: HTTP ${status} with an HTML page: ${connection.addr} is not Vault's API (a proxy, load balancer or the UI). Check VAULT_ADDR.`,
		};
	}

	if (status === 503 && (errors.some(text => /sealed/i.test(text)) || /sealed/i.test(String(body)))) {
		return {ok: false, status, problem: 'vault-sealed', errors, message: `${what}: Vault is sealed.`};
	}

	if (status === 429)
		return {
			ok: false,
			status,
			problem: 'rate-limited',
			errors,
			message: `${what}: a rate-limit quota refused the request (${errors[0] ?? 'HTTP 429'}).`,
		};
	if (status === 404 && errors.length === 0)
		return {ok: false, status, problem: 'unknown', errors, message: `${what}: not found.`, notFound: true};
	if (status === 404 && errors.some(text => /no handler for route/.test(text))) {
		return {
			ok: false,
			status,
			problem: 'mount-not-found',
			errors,
			message: `${what}: ${errors[0]}`,
			notFound: true,
		};
	}

	if (status === 403)
		return {
			ok: false,
			status,
			problem: 'permission-denied',
			errors,
			message: `${what}: permission denied.`,
			denied: true,
		};
	const detail = errors.length > 0 ? errors.join('; ') : String(body).slice(0, 200);
	return {
		ok: false,
		status,
		problem: 'unknown',
		errors,
		message: `${what}: HTTP ${status}: ${detail}`,
	};
}

async function call<T>(
	connection: VaultConnection,
	what: string,
	run: () => Promise<unknown>,
): Promise<VaultAnswer<T>> {
	try {
		const body = (await run()) as {data?: unknown} | undefined;
		return {ok: true, data: (body?.data ?? body) as T, status: 200};
	} catch (error) {
		return classifyVaultFailure(error, what, connection);
	}
}

export type VaultHealth = {
	initialized?: boolean;
	sealed?: boolean;
	standby?: boolean;
	version?: string;
	server_time_utc?: number;
	cluster_name?: string;
};

export type AuthMount = {path: string; type: string; runningPluginVersion: string; accessor?: string};

export type LoginAuth = {
	client_token: string;
	accessor?: string;
	policies?: string[];
	token_policies?: string[];
	metadata?: Record<string, string>;
	lease_duration?: number;
	entity_id?: string;
};

/** The calls the doctor makes with the reader's token (or none). */
export class VaultReader {
	protected readonly client: Promise<NodeVaultClient>;

	constructor(readonly connection: VaultConnection) {
		this.client = createClient(connection, connection.token);
	}

	async health(): Promise<VaultAnswer<VaultHealth>> {
		const what = `GET ${this.connection.addr}/v1/sys/health`;
		try {
			const client = await this.client;
			const body = await client
				.request({path: '/sys/health?standbyok=true&perfstandbyok=true', method: 'GET'})
				.catch((error: NodeVaultError) => {
					if (error.response && typeof error.response.body === 'object') return error.response.body;
					throw error;
				});
			if (typeof body !== 'object' || body === null || !('initialized' in body)) {
				return {
					ok: false,
					status: null,
					problem: 'vault-unreachable',
					errors: [],
					message: `${what}: the answer is not Vault's health document: ${this.connection.addr} is not Vault's API. Check VAULT_ADDR.`,
				};
			}

			const health = body as VaultHealth;
			if (health.sealed)
				return {
					ok: false,
					status: 503,
					problem: 'vault-sealed',
					errors: ['Vault is sealed'],
					message: `${what}: Vault is sealed.`,
				};
			return {ok: true, data: health, status: 200};
		} catch (error) {
			return classifyVaultFailure(error, what, this.connection);
		}
	}

	async authMounts(): Promise<VaultAnswer<AuthMount[]>> {
		const answer = await call<
			Record<string, {type?: string; running_plugin_version?: string; accessor?: string}>
		>(this.connection, 'GET sys/auth', async () => (await this.client).read('sys/auth'));
		if (!answer.ok) return answer;
		const mounts = Object.entries(answer.data)
			.filter(([, mount]) => typeof mount === 'object' && mount !== null && typeof mount.type === 'string')
			.map(([path, mount]) => ({
				path: path.replace(/\/$/, ''),
				type: String(mount.type),
				runningPluginVersion: String(mount.running_plugin_version ?? ''),
				...(mount.accessor ? {accessor: mount.accessor} : {}),
			}));
		return {ok: true, data: mounts, status: answer.status};
	}

	async read<T = Record<string, unknown>>(path: string): Promise<VaultAnswer<T>> {
		return call<T>(this.connection, `GET ${path}`, async () => (await this.client).read(path));
	}

	/** Each auth mount's config, read at once, as this token may read it: null (and ok false) where it cannot. */
	async mountConfigs(paths: string[]): Promise<Array<{path: string; config: JwtConfig | null; ok: boolean}>> {
		return Promise.all(
			paths.map(async path => {
				const answer = await this.read(`auth/${path}/config`);
				return {path, config: answer.ok ? parseConfig(answer.data) : null, ok: answer.ok};
			}),
		);
	}

	/** The reader token's own lookup: says whether a refused read means "no policy" or "no valid token". */
	async lookupSelf(): Promise<VaultAnswer<Record<string, unknown>>> {
		return call(this.connection, 'GET auth/token/lookup-self', async () =>
			(await this.client).tokenLookupSelf(),
		);
	}

	/** LIST; `maxBytes` raises the body cap for this call only (a mount's role names can outgrow 1 MiB). */
	async list(path: string, maxBytes?: number): Promise<VaultAnswer<string[]>> {
		const client =
			maxBytes === undefined
				? this.client
				: createClient(
						{...this.connection, http: {...this.connection.http, maxBytes}},
						this.connection.token,
					);
		const answer = await call<{keys?: unknown}>(this.connection, `LIST ${path}`, async () =>
			(await client).list(path),
		);
		if (!answer.ok) return answer;
		return {
			ok: true,
			data: Array.isArray(answer.data.keys) ? answer.data.keys.map(String) : [],
			status: answer.status,
		};
	}
}

/** Writes with the operator's token, for applying fixes and onboarding; every write is preceded by a backup. */
export class VaultWriter extends VaultReader {
	async write(path: string, data: Record<string, unknown>): Promise<VaultAnswer<unknown>> {
		return call(this.connection, `POST ${path}`, async () => (await this.client).write(path, data));
	}

	async delete(path: string): Promise<VaultAnswer<unknown>> {
		return call(this.connection, `DELETE ${path}`, async () => (await this.client).delete(path));
	}
}

/*
Every test login is entered in a ledger *before* its request goes out, so whatever ends the run (the access
checks, a timeout, SIGINT/SIGTERM/SIGHUP, quitting the TUI) goes through one path, settleLogins(), that revokes
what may have been minted. A login that times out for the report keeps listening a while longer: if Vault's
answer arrives late, its token is revoked too.
*/

/** One test login: in flight, answered, revoked, or given up on. */
type LedgerEntry = {
	connection: VaultConnection;
	/** The login's auth when Vault minted a token, whenever that answer arrives (bounded); 'no-answer' when none came. */
	answered: Promise<LoginAuth | 'no-answer' | undefined>;
	/** Vault's answer (a token, an error, or the listening's end) is in: settling this entry waits for nothing. */
	answeredYet?: boolean;
	auth?: LoginAuth;
	revocation?: Promise<Revocation>;
};

export type Revocation =
	| {ok: true; accessor?: string}
	/** accessor undefined: the login never answered, so a token Vault may have minted cannot be named. */
	| {ok: false; accessor?: string; message: string};

export type RevocationFailure = Extract<Revocation, {ok: false}>;

const ledger = new Set<LedgerEntry>();
let closed = false;

/** How long a login that timed out for the report is still listened to, so a late token can be revoked. */
export const lateAnswerMs = (timeoutMs: number) => Math.min(Math.max(timeoutMs, 2000), 30_000);

const revokeAttempts = 3;

/** The exact command that revokes a token by its accessor (never by the token itself). */
export function revokeCommand(accessor: string): string {
	return `vault token revoke -accessor '${accessor.replaceAll("'", `'\\''`)}'`;
}

/** Revokes the entry's token at most once, retrying a bounded number of times; a 403 means it is gone already. */
function revokeEntry(entry: LedgerEntry): Promise<Revocation> {
	entry.revocation ??= (async (): Promise<Revocation> => {
		const auth = await entry.answered;
		if (auth === 'no-answer')
			return {
				ok: false,
				message: `no answer from ${entry.connection.addr} before the doctor stopped listening`,
			};
		if (!auth) return {ok: true};
		const accessor = auth.accessor;
		const client = createClient(entry.connection, auth.client_token);
		let last = '';
		for (let attempt = 1; attempt <= revokeAttempts; attempt++) {
			const answer = await call(entry.connection, 'POST auth/token/revoke-self', async () =>
				(await client).tokenRevokeSelf(),
			);
			if (answer.ok || answer.status === 403) return {ok: true, ...(accessor ? {accessor} : {})};
			last = answer.message;
			if (attempt < revokeAttempts) await new Promise(resolve => setTimeout(resolve, 250 * attempt));
		}

		return {ok: false, ...(accessor ? {accessor} : {}), message: last};
	})();
	return entry.revocation;
}

/**
Ends every test login of this process: waits (bounded) for logins still in flight and revokes every token
minted; `final` (a signal, quitting) also refuses any login from then on; `answeredOnly` leaves the logins still
in flight for a later call. Returns only the failures; each names the accessor when it is known.
*/
export async function settleLogins(
	options: {final?: boolean; answeredOnly?: boolean} = {},
): Promise<RevocationFailure[]> {
	if (options.final) closed = true;
	const entries = [...ledger].filter(entry => !options.answeredOnly || entry.answeredYet);
	const outcomes = await Promise.all(entries.map(entry => revokeEntry(entry)));
	for (const entry of entries) ledger.delete(entry);
	return outcomes.filter((outcome): outcome is RevocationFailure => !outcome.ok);
}

/** Whether a login is still in flight (its answer not yet in). */
export function loginsInFlight(): boolean {
	return [...ledger].some(entry => !entry.answeredYet);
}

/** A sentence and the command for a token that could not be revoked; never the token itself. */
export function revocationFailureText(failure: RevocationFailure): string {
	return failure.accessor
		? `The test login's token could not be revoked (${failure.message}). Revoke it with: ${revokeCommand(failure.accessor)}`
		: `A test login got no answer in time (${failure.message}); if Vault minted a token anyway, the doctor cannot name it. List recent tokens with: vault list auth/token/accessors`;
}

/** The test login: its own client, so the login token never replaces the reader's token (node-vault's jwtLogin would). */
export async function loginWithJwt(
	connection: VaultConnection,
	mount: string,
	role: string,
	jwt: string,
): Promise<VaultAnswer<LoginAuth> & {session?: LoginSession}> {
	const what = `POST auth/${mount}/login`;
	const reportMs = connection.http.timeoutMs;
	// The request itself may run past the report's deadline, so a late answer's token is still seen and revoked.
	const listening = {
		...connection,
		token: undefined,
		http: {...connection.http, timeoutMs: reportMs + lateAnswerMs(reportMs)},
	};
	const client = await createClient(listening as VaultConnection, undefined);
	delete client.token;
	// Checked and entered in the same tick, and before the request is made: no login escapes a settling ledger.
	if (closed)
		return {
			ok: false,
			status: null,
			problem: 'unknown',
			errors: [],
			message: `${what}: not sent, the run is ending.`,
		};
	let answer!: (auth: LoginAuth | 'no-answer' | undefined) => void;
	const entry: LedgerEntry = {connection, answered: new Promise(resolve => (answer = resolve))};
	ledger.add(entry);
	const request = client.jwtLogin({role, jwt, mount_point: mount}) as Promise<{auth?: LoginAuth}>;
	request.then(
		body => {
			if (body?.auth?.client_token) entry.auth = body.auth;
			entry.answeredYet = true;
			answer(entry.auth);
		},
		(error: unknown) => {
			entry.answeredYet = true;
			answer(error instanceof HttpFailure && error.kind === 'timeout' ? 'no-answer' : undefined);
		},
	);
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<'timeout'>(resolve => {
		timer = setTimeout(() => resolve('timeout'), reportMs);
		timer.unref();
	});
	try {
		const body = await Promise.race([request, deadline]);
		if (body === 'timeout') {
			return {
				ok: false,
				status: null,
				problem: 'vault-timeout',
				errors: [],
				message: `${what}: no answer within ${reportMs} ms. The doctor keeps listening ${lateAnswerMs(reportMs)} ms more and revokes a token that arrives late.`,
			};
		}

		if (!body?.auth?.client_token)
			return {
				ok: false,
				status: 200,
				problem: 'unknown',
				errors: [],
				message: 'The login answered 200 without a token.',
			};
		entry.auth = body.auth;
		return {ok: true, data: body.auth, status: 200, session: new LoginSession(connection, entry)};
	} catch (error) {
		return classifyVaultFailure(error, what, connection);
	} finally {
		clearTimeout(timer);
	}
}

/** What the login token may do; revoke() goes through the ledger, so the token never outlives the doctor's run. */
export class LoginSession {
	#client: Promise<NodeVaultClient>;

	constructor(
		readonly connection: VaultConnection,
		private readonly entry: LedgerEntry,
	) {
		this.#client = createClient(connection, entry.auth?.client_token);
	}

	async read(path: string): Promise<VaultAnswer<Record<string, unknown>>> {
		return call(this.connection, `GET ${path}`, async () => (await this.#client).read(path));
	}

	async lookupSelf(): Promise<VaultAnswer<Record<string, unknown>>> {
		return call(this.connection, 'GET auth/token/lookup-self', async () =>
			(await this.#client).tokenLookupSelf(),
		);
	}

	async capabilities(paths: string[]): Promise<VaultAnswer<Record<string, string[]>>> {
		return call(this.connection, 'POST sys/capabilities-self', async () =>
			(await this.#client).write('sys/capabilities-self', {paths}),
		);
	}

	/** Revokes the token (retried, bounded); the same outcome however many callers ask. */
	async revoke(): Promise<Revocation> {
		const outcome = await revokeEntry(this.entry);
		ledger.delete(this.entry);
		return outcome;
	}
}
