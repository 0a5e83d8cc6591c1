import {readFileSync} from 'node:fs';
import {rootCertificates} from 'node:tls';
import {getProxyForUrl} from 'proxy-from-env';
import type {Dispatcher} from 'undici';
import {jsonDepth, maxJsonDepth} from '../bounds.js';

/** undici loads on the first request only: commands that make none (offline, explain, decode) start faster. */
const undici = () => import('undici');

export type HttpSettings = {
	/** Whole-request deadline: connect, headers and body. */
	timeoutMs: number;
	/** Largest body read; a bigger answer is refused, not buffered. */
	maxBytes: number;
	maxRedirects: number;
	/**
	Vault's own client rules (api/client.go): only 301, 302 and 307 are followed, at most `maxRedirects` (1) of
	them, never from https to anything else, with the method and body kept. Other 3xx answers are refused.
	*/
	vaultRedirects?: boolean;
	/** PEM bundles trusted in addition to the system store (--ca-file, VAULT_CACERT, a role's jwks_ca_pem...). */
	extraCa?: string[];
	/** Skip certificate verification (VAULT_SKIP_VERIFY): said loudly by the caller. */
	insecure?: boolean;
};

export const defaultHttpSettings: HttpSettings = {timeoutMs: 5000, maxBytes: 1024 * 1024, maxRedirects: 5};

export type HttpResponse = {
	status: number;
	url: string;
	/** Every URL that answered with a redirect before the final one (credentials in them removed). */
	redirects: string[];
	contentType: string;
	body: string;
	/** The parsed body when it is JSON (whatever the content type says). */
	json?: unknown;
	/** Whether the proxy from HTTPS_PROXY / HTTP_PROXY was used. */
	viaProxy: string | null;
};

export type HttpFailureKind =
	| 'timeout'
	| 'tls'
	| 'dns'
	| 'refused'
	| 'too-large'
	| 'redirects'
	| 'proxy'
	| 'invalid-url'
	| 'network';

export class HttpFailure extends Error {
	override name = 'HttpFailure';
	constructor(
		readonly kind: HttpFailureKind,
		readonly url: string,
		message: string,
		readonly code?: string,
	) {
		super(message);
	}
}

const dispatchers = new Map<string, Dispatcher>();

async function dispatcherFor(
	url: URL,
	settings: HttpSettings,
): Promise<{dispatcher: Dispatcher; proxy: string | null}> {
	const proxy = getProxyForUrl(url.href) || null;
	const ca =
		settings.extraCa && settings.extraCa.length > 0
			? [...rootCertificates, ...extraSystemCa(), ...settings.extraCa]
			: undefined;
	const connect = {...(ca ? {ca} : {}), ...(settings.insecure ? {rejectUnauthorized: false} : {})};
	const key = JSON.stringify([proxy, ca?.length ?? 0, settings.extraCa, settings.insecure]);
	let dispatcher = dispatchers.get(key);
	if (!dispatcher) {
		const {Agent, ProxyAgent} = await undici();
		dispatcher = proxy
			? new ProxyAgent({uri: proxy, requestTls: connect, proxyTls: connect})
			: new Agent({connect, keepAliveTimeout: 1000});
		dispatchers.set(key, dispatcher);
	}

	return {dispatcher, proxy};
}

/** NODE_EXTRA_CA_CERTS is trusted by Node's default store, but a custom `ca` list replaces that store: add it back. */
function extraSystemCa(): string[] {
	const file = process.env['NODE_EXTRA_CA_CERTS'];
	if (!file) return [];
	try {
		return [readFileSync(file, 'utf8')];
	} catch {
		return [];
	}
}

/** A URL fit for printing: user:password@ removed (the doctor never sends or shows them). */
export function displayUrl(text: string): string {
	try {
		const url = new URL(text);
		if (url.username === '' && url.password === '') return text;
		url.username = '';
		url.password = '';
		return url.href.endsWith('/') && !text.endsWith('/') ? url.href.slice(0, -1) : url.href;
	} catch {
		return text.replace(/^([a-z][a-z\d+.-]*:\/\/)[^/@\s]*@/i, '$1');
	}
}

const credentialHeaders = /^(?:authorization|x-vault-token|proxy-authorization|cookie)$/i;

/**
One HTTP request with the doctor's guarantees: a deadline for the whole exchange, a cap on the body size,
a bounded number of redirects, proxies from the environment, and errors sorted into kinds a person can act on.
*/
export async function httpRequest(
	target: string,
	init: {method?: string; headers?: Record<string, string>; body?: string},
	settings: HttpSettings,
): Promise<HttpResponse> {
	const signal = AbortSignal.timeout(settings.timeoutMs);
	const redirects: string[] = [];
	let current = target;
	let method = init.method ?? 'GET';
	let body = init.body;
	let headers = {...init.headers};
	for (;;) {
		let url: URL;
		try {
			url = new URL(current);
		} catch {
			throw new HttpFailure(
				'invalid-url',
				displayUrl(current),
				`"${displayUrl(current)}" is not a valid URL`,
			);
		}

		if (url.protocol !== 'http:' && url.protocol !== 'https:') {
			throw new HttpFailure(
				'invalid-url',
				displayUrl(current),
				`"${displayUrl(current)}" is not an http(s) URL`,
			);
		}

		const {dispatcher, proxy} = await dispatcherFor(url, settings);
		const {request} = await undici();
		let response: Dispatcher.ResponseData;
		try {
			response = await request(url, {
				method: method as Dispatcher.HttpMethod,
				headers: {'user-agent': 'ona-vault-doctor', accept: 'application/json', ...headers},
				...(body === undefined ? {} : {body}),
				dispatcher,
				signal,
				headersTimeout: settings.timeoutMs,
				bodyTimeout: settings.timeoutMs,
			});
		} catch (error) {
			throw classify(error, displayUrl(current), settings, signal, proxy);
		}

		const location = response.headers['location'];
		if (response.statusCode >= 300 && response.statusCode < 400 && location) {
			discard(response);
			const next = redirectTarget(String(location), url, response.statusCode, redirects.length, settings);
			const credentialed = Object.keys(init.headers ?? {}).some(name => credentialHeaders.test(name));
			if (
				url.protocol === 'https:' &&
				next.protocol !== 'https:' &&
				(settings.vaultRedirects || credentialed)
			) {
				throw new HttpFailure(
					'redirects',
					displayUrl(target),
					`${displayUrl(current)} redirected to ${displayUrl(next.href)}: redirect would cause protocol downgrade (refused, nothing was sent there)`,
				);
			}

			redirects.push(displayUrl(current));
			current = next.href;
			if (
				!settings.vaultRedirects &&
				(response.statusCode === 303 ||
					((response.statusCode === 301 || response.statusCode === 302) && method === 'POST'))
			) {
				method = 'GET';
				body = undefined;
			}

			if (!settings.vaultRedirects && credentialed && next.origin !== url.origin) {
				// Like browsers: an Authorization header never follows a redirect to another origin.
				headers = Object.fromEntries(
					Object.entries(headers).filter(([name]) => !credentialHeaders.test(name)),
				);
			}

			continue;
		}

		const text = await readCapped(response, displayUrl(current), settings, signal, proxy);
		const contentType = String(response.headers['content-type'] ?? '');
		let json: unknown;
		try {
			// Deeper than any real answer: kept as text, so nothing downstream recurses through it.
			json = text.trim() === '' || jsonDepth(text) > maxJsonDepth ? undefined : JSON.parse(text);
		} catch {}

		return {
			status: response.statusCode,
			url: displayUrl(current),
			redirects,
			contentType,
			body: text,
			...(json === undefined ? {} : {json}),
			viaProxy: proxy,
		};
	}
}

/** Where a redirect leads, or why it is not followed. */
function redirectTarget(
	location: string,
	from: URL,
	status: number,
	followed: number,
	settings: HttpSettings,
): URL {
	let next: URL;
	try {
		next = new URL(location, from);
	} catch {
		throw new HttpFailure('redirects', displayUrl(from.href), `HTTP ${status} to an invalid location`);
	}

	const where = `${displayUrl(from.href)} answered HTTP ${status} to ${displayUrl(next.href)}`;
	if (settings.vaultRedirects && ![301, 302, 307].includes(status))
		throw new HttpFailure(
			'redirects',
			displayUrl(from.href),
			`${where}; Vault's client follows only 301, 302 and 307`,
		);
	if (followed >= settings.maxRedirects) {
		throw new HttpFailure(
			'redirects',
			displayUrl(from.href),
			settings.maxRedirects === 0
				? `${where}; redirects are disabled (VAULT_DISABLE_REDIRECTS)`
				: settings.vaultRedirects
					? `${where}, a second redirect: Vault's client follows only one (not followed)`
					: `more than ${settings.maxRedirects} redirects (last to ${displayUrl(from.href)})`,
		);
	}

	return next;
}

async function readCapped(
	response: Dispatcher.ResponseData,
	url: string,
	settings: HttpSettings,
	signal: AbortSignal,
	proxy: string | null,
): Promise<string> {
	const declared = Number(response.headers['content-length'] ?? Number.NaN);
	if (declared > settings.maxBytes) {
		discard(response);
		throw new HttpFailure(
			'too-large',
			url,
			`the answer is ${declared} bytes, more than the ${settings.maxBytes}-byte limit`,
		);
	}

	const chunks: Buffer[] = [];
	let size = 0;
	try {
		for await (const chunk of response.body) {
			size += (chunk as Buffer).length;
			if (size > settings.maxBytes) {
				discard(response);
				throw new HttpFailure(
					'too-large',
					url,
					`the answer is larger than the ${settings.maxBytes}-byte limit`,
				);
			}

			chunks.push(chunk as Buffer);
		}
	} catch (error) {
		if (error instanceof HttpFailure) throw error;
		throw classify(error, url, settings, signal, proxy);
	}

	return Buffer.concat(chunks).toString('utf8');
}

const tlsCodes = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(?:VERIFY|GET)|ERR_TLS|HOSTNAME|ALTNAME/;

function classify(
	error: unknown,
	url: string,
	settings: HttpSettings,
	signal: AbortSignal,
	proxy: string | null,
): HttpFailure {
	const cause = (error as {cause?: {code?: string; message?: string}})?.cause;
	const code = String((error as {code?: string})?.code ?? cause?.code ?? '');
	const message = String((error as Error)?.message ?? error);
	const detail = cause?.message && cause.message !== message ? `${message}: ${cause.message}` : message;
	if (signal.aborted || /TIMEOUT|AbortError|aborted/i.test(code) || /timeout|aborted/i.test(message)) {
		return new HttpFailure('timeout', url, `no complete answer within ${settings.timeoutMs} ms`, code);
	}

	if (tlsCodes.test(code) || /certificate|self.signed|altnames/i.test(detail)) {
		return new HttpFailure('tls', url, `TLS failed: ${detail}`, code);
	}

	if (proxy && /proxy/i.test(detail))
		return new HttpFailure('proxy', url, `the proxy ${displayUrl(proxy)} failed: ${detail}`, code);
	if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
		return new HttpFailure('dns', url, `the host name does not resolve (${code})`, code);
	if (code === 'ECONNREFUSED') {
		return proxy
			? new HttpFailure('proxy', url, `the proxy ${displayUrl(proxy)} refused the connection`, code)
			: new HttpFailure('refused', url, 'the connection was refused (nothing listens there)', code);
	}

	return new HttpFailure('network', url, detail, code);
}

/** Drops a body without reading it; undici reports the abort as an error event, which nobody needs. */
function discard(response: Dispatcher.ResponseData): void {
	response.body.on('error', () => {});
	response.body.destroy();
}

/** Closes pooled connections so a finished run exits at once instead of waiting for keep-alive timers. */
export async function closeHttp(): Promise<void> {
	const pools = [...dispatchers.values()];
	dispatchers.clear();
	await Promise.allSettled(pools.map(pool => pool.destroy()));
}
