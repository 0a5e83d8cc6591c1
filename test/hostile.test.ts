import assert from 'node:assert/strict';
import {spawn} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {
	createServer as createHttpServer,
	type IncomingMessage,
	request,
	type ServerResponse,
} from 'node:http';
import {createServer as createHttpsServer} from 'node:https';
import {connect, type Socket} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, beforeEach, test} from 'node:test';
import type {Check} from '../source/core/check.js';
import {reachIssuer} from '../source/core/doctor/steps/issuer.js';
import {defaultHttpSettings, type HttpSettings} from '../source/core/probes/http.js';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {createCertificateAuthority} from './fixtures/tls.js';
import {type Loopback, listen} from './helpers/loopback.js';
import {closeAllPty, spawnPty} from './helpers/pty.js';
import {cliPath, runCli} from './helpers/run-cli.js';
import {
	adminToken,
	check,
	nowSeconds,
	onaClaims,
	onaRole,
	readerToken,
	run,
	startWorld,
	type World,
} from './helpers/world.js';

/*
Hostile servers, all on loopback: each run must end by its own deadline (the message says which) and name the
problem a person can act on. No assertion here measures time: a loaded machine would miss it. `hangGuard` fails a
test that never ends instead. Cases already covered by issuer-probe.test.ts and vault-answers.test.ts (a slow issuer, a
partial body with Content-Length, a 3 MiB declared body, a 302 loop, a sealed or black-holed Vault...) are not
repeated here.
*/

const timeoutMs = 1000;
const http: HttpSettings = {...defaultHttpSettings, timeoutMs};
/** Fails a run that hangs, far past any deadline the doctor sets itself; not a performance bound. */
const hangGuard = {timeout: 60_000};

const serveHttp = (handler: (request: IncomingMessage, response: ServerResponse) => void) =>
	listen(createHttpServer(handler));

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
	const spare = await serveHttp(() => {});
	await spare.close();
	return spare.port;
}

const servers: Loopback[] = [];
const timers = new Set<NodeJS.Timeout>();
let issuer: TestIssuer;

before(async () => {
	issuer = await startIssuer();
});

beforeEach(() => {
	issuer.faults = {};
});

after(async () => {
	for (const timer of timers) clearInterval(timer);
	await Promise.all(servers.map(server => server.close()));
	await issuer.close();
});

async function track(server: Promise<Loopback>): Promise<Loopback> {
	const started = await server;
	servers.push(started);
	return started;
}

/** Probes an issuer the way the doctor does (no Vault config), timing the whole probe. */
async function probe(iss: string, settings: HttpSettings = http) {
	const token = await issuer.sign({
		iss,
		sub: 'hostile',
		aud: 'vault',
		iat: nowSeconds(),
		exp: nowSeconds() + 300,
	});
	const [header] = token.split('.');
	return reachIssuer({
		iss,
		header: JSON.parse(Buffer.from(header!, 'base64url').toString()) as Record<string, unknown>,
		compact: token,
		http: settings,
	});
}

const find = (checks: Check[], id: string): Check => {
	const found = checks.find(item => item.id === id);
	assert.ok(found, `no check ${id} in ${checks.map(item => item.id).join(', ')}`);
	return found;
};

function assertProblem(result: {checks: Check[]}, id: string, problem: string, message: RegExp): Check {
	const found = find(result.checks, id);
	assert.deepEqual([found.status, found.problem], ['fail', problem], found.message);
	assert.match(found.message, message);
	return found;
}

// ---------------------------------------------------------------------------------------------------------
// The issuer

test(
	'issuer: a redirect to another host (localhost, another port) is followed; a passing check does not mention it',
	hangGuard,
	async () => {
		const elsewhere = await track(
			serveHttp((req, res) => {
				const body = JSON.stringify({
					issuer: issuer.issuer,
					jwks_uri: issuer.jwksUrl,
					id_token_signing_alg_values_supported: [issuer.alg],
				});
				res.writeHead(req.url === '/moved/openid-configuration' ? 200 : 404, {
					'content-type': 'application/json',
				});
				res.end(body);
			}),
		);
		const target = `http://localhost:${elsewhere.port}/moved/openid-configuration`;
		issuer.faults.redirectTo = target;
		const result = await probe(issuer.issuer);
		const discovery = find(result.checks, 'issuer.discovery');
		assert.equal(discovery.status, 'pass', discovery.message);
		assert.equal(result.discoveryIssuer, issuer.issuer);
		assert.equal(find(result.checks, 'issuer.signature').status, 'pass');
		// issuer.ts names redirects only in failure messages: a followed redirect to a 200 is silent.
		assert.doesNotMatch(discovery.message, /redirect|localhost/);
		assert.equal(
			result.urls[0],
			issuer.discoveryUrl,
			'the URL reported is the one Vault derives, not the final one',
		);

		// The same redirect, but the other host answers 404: now the redirect is visible in the message.
		issuer.faults.redirectTo = `http://localhost:${elsewhere.port}/gone`;
		const broken = assertProblem(
			await probe(issuer.issuer),
			'issuer.discovery',
			'discovery-unreachable',
			/HTTP 404/,
		);
		assert.match(
			broken.message,
			/after redirects from http:\/\/127\.0\.0\.1:\d+\/\.well-known\/openid-configuration/,
		);
	},
);

test('issuer: valid JSON served as text/plain is accepted, with a note', hangGuard, async () => {
	issuer.faults.wrongContentType = true;
	const result = await probe(issuer.issuer);
	const discovery = find(result.checks, 'issuer.discovery');
	assert.equal(discovery.status, 'pass');
	assert.match(discovery.message, /served as text\/plain; charset=utf-8, which Vault tolerates/);
	assert.equal(find(result.checks, 'issuer.signature').status, 'pass');
});

test('issuer: truncated JSON ({"issuer":) is discovery-unreachable, "not with JSON"', hangGuard, async () => {
	const truncated = await track(
		serveHttp((_req, res) => {
			res.writeHead(200, {'content-type': 'application/json'});
			res.end('{"issuer":');
		}),
	);
	const result = await probe(truncated.url);
	const discovery = assertProblem(
		result,
		'issuer.discovery',
		'discovery-unreachable',
		/answered 200 but not with JSON/,
	);
	assert.equal(discovery.actual, 'application/json');
});

test('issuer: a 100 MB chunked body stops at the 1 MiB cap with bounded memory', hangGuard, async () => {
	const total = 100 * 1024 * 1024;
	const chunk = Buffer.alloc(64 * 1024, 'x');
	let sent = 0;
	let finished = false;
	const huge = await track(
		serveHttp((_req, res) => {
			// No Content-Length: the size is only known by reading, so the cap must apply while streaming.
			res.writeHead(200, {'content-type': 'application/json'});
			res.write('{"issuer":"http://127.0.0.1","jwks_uri":"http://127.0.0.1/jwks","padding":"');
			const pump = () => {
				while (sent < total) {
					if (res.destroyed) return;
					sent += chunk.length;
					if (!res.write(chunk)) {
						res.once('drain', pump);
						return;
					}
				}
				finished = true;
				res.end('"}');
			};
			res.on('close', () => res.removeAllListeners('drain'));
			pump();
		}),
	);
	const rss = process.memoryUsage().rss;
	const result = await probe(huge.url);
	const grown = process.memoryUsage().rss - rss;
	assertProblem(result, 'issuer.discovery', 'discovery-unreachable', /larger than the 1048576-byte limit/);
	assert.ok(grown < 64 * 1024 * 1024, `rss grew by ${Math.round(grown / 1024 / 1024)} MB`);
	assert.equal(finished, false, 'the doctor hung up long before the 100 MB were sent');
	assert.ok(sent < total / 2, `the server pushed ${Math.round(sent / 1024 / 1024)} MB before the hang-up`);
});

test(
	'issuer: a body that never ends (a byte every 50 ms) is cut by the whole-request deadline',
	hangGuard,
	async () => {
		const trickle = await track(
			serveHttp((_req, res) => {
				res.writeHead(200, {'content-type': 'application/json'});
				res.write('{"issuer":"');
				const timer = setInterval(() => {
					if (res.destroyed) clearInterval(timer);
					else res.write('a');
				}, 50);
				timers.add(timer);
				res.on('close', () => clearInterval(timer));
			}),
		);
		const result = await probe(trickle.url);
		const discovery = assertProblem(
			result,
			'issuer.discovery',
			'discovery-unreachable',
			new RegExp(`no complete answer within ${timeoutMs} ms`),
		);
		assert.match(discovery.hint ?? '', /--timeout/);
	},
);

test('issuer: headers, then silence, is a timeout within the deadline', hangGuard, async () => {
	const stall = await track(
		serveHttp((_req, res) => {
			res.writeHead(200, {'content-type': 'application/json'});
			res.flushHeaders();
		}),
	);
	assertProblem(
		await probe(stall.url),
		'issuer.discovery',
		'discovery-unreachable',
		new RegExp(`no complete answer within ${timeoutMs} ms`),
	);
});

test('issuer: TLS with the wrong host name and with an unknown CA are discovery-tls', hangGuard, async () => {
	const [trusted, stranger] = await Promise.all([createCertificateAuthority(), createCertificateAuthority()]);
	const handler = (_req: IncomingMessage, res: ServerResponse) => {
		res.writeHead(200, {'content-type': 'application/json'});
		res.end('{}');
	};
	const wrongName = await track(
		listen(createHttpsServer(trusted.issue(['issuer.example.com']), handler), 'https'),
	);
	const unknownCa = await track(
		listen(createHttpsServer(stranger.issue(['127.0.0.1', 'localhost']), handler), 'https'),
	);
	const settings = {...http, extraCa: [trusted.caPem]};

	const name = assertProblem(
		await probe(`https://127.0.0.1:${wrongName.port}`, settings),
		'issuer.discovery',
		'discovery-tls',
		/TLS failed: .*(?:altnames|not in the cert's list)/,
	);
	assert.match(name.hint ?? '', /--ca-file/);
	assertProblem(
		await probe(`https://127.0.0.1:${unknownCa.port}`, settings),
		'issuer.discovery',
		'discovery-tls',
		/TLS failed: .*(?:unable to verify|self.signed|unknown|issuer certificate)/i,
	);
});

// ---------------------------------------------------------------------------------------------------------
// Vault

let world: World;

before(async () => {
	world = await startWorld();
});

after(async () => {
	await world?.close();
});

beforeEach(() => {
	if (world)
		Object.assign(world.vault.state, {
			sealed: false,
			rateLimited: false,
			blackHole: false,
			delayMs: 0,
			failNext: [],
		});
});

const multierror = (text: string) => JSON.stringify({errors: [`1 error occurred:\n\t* ${text}\n\n`]});

async function runOnce() {
	return {report: await run(world, onaClaims(world), {timeoutMs})};
}

test(
	'Vault: multierror 500s on sys/auth and on the role read are reported, and the run goes on to the login',
	hangGuard,
	async () => {
		world.vault.state.failNext.push(
			{
				path: /^sys\/auth$/,
				status: 500,
				body: multierror('failed to read auth table: storage backend timeout'),
			},
			{
				path: /^auth\/jwt\/role\/ona-project$/,
				method: 'GET',
				status: 500,
				body: multierror('failed to read role: raft: leadership lost'),
			},
		);
		const {report} = await runOnce();
		const mount = check(report, 'vault.mount');
		assert.deepEqual([mount.status, mount.problem], ['warn', 'unknown']);
		assert.match(
			mount.message,
			/HTTP 500: 1 error occurred:\n\t\* failed to read auth table: storage backend timeout/,
		);
		assert.match(mount.message, /assuming the mount is auth\/jwt/);
		const role = check(report, 'vault.read-role');
		assert.deepEqual([role.status, role.problem], ['fail', 'unknown']);
		assert.match(role.message, /GET auth\/jwt\/role\/ona-project: HTTP 500: .*raft: leadership lost/s);
		assert.equal(check(report, 'login.model').status, 'skip');
		assert.equal(check(report, 'login.attempt').status, 'pass', 'the login is still tried, and works');
		assert.equal(check(report, 'access.revoke').status, 'pass');
		assert.equal(report.verdict, 'fail');
	},
);

test('Vault: an HTML 502 from a load balancer on the login is vault-unreachable', hangGuard, async () => {
	world.vault.state.failNext.push({
		path: /^auth\/jwt\/login$/,
		method: 'POST',
		status: 502,
		contentType: 'text/html',
		body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n',
	});
	const {report} = await runOnce();
	const login = check(report, 'login.attempt');
	assert.deepEqual([login.status, login.problem], ['fail', 'vault-unreachable']);
	assert.match(login.message, /HTTP 502 with an HTML page: .* is not Vault's API/);
	assert.equal(check(report, 'access.token').status, 'skip');
});

test('Vault: an empty 200 on sys/health is not Vault', hangGuard, async () => {
	world.vault.state.failNext.push({path: /^sys\/health$/, status: 200, body: ''});
	const {report} = await runOnce();
	const health = check(report, 'vault.health');
	assert.deepEqual([health.status, health.problem], ['fail', 'vault-unreachable']);
	assert.match(health.message, /not Vault's health document/);
});

test(
	"Vault: a 307 redirect loop on sys/health stops at the second redirect, as Vault's client does",
	hangGuard,
	async () => {
		const hits = new Map<string, number>();
		const loop = await track(
			serveHttp((req, res) => {
				hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
				res.writeHead(307, {location: req.url ?? '/'});
				res.end();
			}),
		);
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: loop.url});
		const health = check(report, 'vault.health');
		assert.deepEqual([health.status, health.problem], ['fail', 'vault-address']);
		assert.match(health.message, /a second redirect: Vault's client follows only one \(not followed\)/);
		for (const [url, count] of hits)
			assert.equal(count, 2, `${url}: one redirect followed, the second refused`);
	},
);

// ---------------------------------------------------------------------------------------------------------
// Proxies, through the built CLI

type Proxy = Loopback & {seen: string[]};

/**
A tiny forward proxy: CONNECT tunnels (undici's ProxyAgent tunnels even plain HTTP) and absolute-form requests,
loopback targets only. Tunnelled plain HTTP is sniffed for its request lines, so `seen` holds full URLs.
*/
async function startProxy(): Promise<Proxy> {
	const seen: string[] = [];
	const loopback = (host: string) => host === '127.0.0.1' || host === 'localhost';
	const server = createHttpServer((req, res) => {
		const target = new URL(req.url ?? '/');
		seen.push(target.href);
		if (!loopback(target.hostname)) {
			res.writeHead(403).end();
			return;
		}
		const upstream = request(
			{
				host: target.hostname,
				port: target.port,
				path: `${target.pathname}${target.search}`,
				method: req.method,
				headers: req.headers,
			},
			answer => {
				res.writeHead(answer.statusCode ?? 502, answer.headers);
				answer.pipe(res);
			},
		);
		upstream.on('error', () => res.writeHead(502).end());
		req.pipe(upstream);
	});
	server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
		const authority = req.url ?? '';
		const [host = '', port = ''] = authority.split(/:(?=\d+$)/);
		seen.push(`CONNECT ${authority}`);
		if (!loopback(host)) {
			client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
			return;
		}
		const sniff = (data: Buffer) => {
			for (const line of data.toString('latin1').matchAll(/^[A-Z]+ (\/\S*) HTTP\/1\.[01]\r$/gm))
				seen.push(`http://${authority}${line[1]}`);
		};
		const upstream = connect(Number(port), host, () => {
			client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
			if (head.length > 0) {
				sniff(head);
				upstream.write(head);
			}
			client.on('data', sniff);
			upstream.pipe(client);
			client.pipe(upstream);
		});
		upstream.on('error', () => client.destroy());
		client.on('error', () => upstream.destroy());
	});
	const started = await track(listen(server));
	return {...started, seen};
}

/** Every proxy variable in both cases: proxy-from-env reads lower case first, so a stray one must not win. */
function proxyEnv(proxy: string, noProxy: string): Record<string, string> {
	return {
		HTTP_PROXY: proxy,
		http_proxy: proxy,
		HTTPS_PROXY: proxy,
		https_proxy: proxy,
		ALL_PROXY: '',
		all_proxy: '',
		NO_PROXY: noProxy,
		no_proxy: noProxy,
	};
}

async function cli(extra: Record<string, string>) {
	const token = await world.issuer.sign(onaClaims(world));
	const result = await runCli(
		['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json', '--timeout', '2'],
		{
			env: {
				VAULT_ADDR: world.vault.url,
				VAULT_TOKEN: readerToken,
				JOB_TOKEN: token,
				HOME: '/nonexistent',
				...extra,
			},
		},
	);
	const report = JSON.parse(result.stdout || '{}') as {
		verdict: string;
		checks: Array<{id: string; status: string; problem?: string; message: string}>;
	};
	return {...result, report};
}

test(
	'proxies: HTTP(S)_PROXY carries the discovery and JWKS requests; NO_PROXY=127.0.0.1 bypasses it',
	hangGuard,
	async () => {
		const proxy = await startProxy();
		const through = await cli(proxyEnv(proxy.url, ''));
		assert.equal(through.code, 0, through.stderr + through.stdout);
		assert.ok(proxy.seen.includes(world.issuer.discoveryUrl), proxy.seen.join('\n'));
		assert.ok(proxy.seen.includes(world.issuer.jwksUrl), proxy.seen.join('\n'));
		assert.ok(
			proxy.seen.some(url => url.startsWith(`${world.vault.url}/v1/auth/jwt/login`)),
			'Vault at 127.0.0.1 is proxied too: proxy-from-env does not exempt loopback by itself',
		);

		proxy.seen.length = 0;
		const direct = await cli(proxyEnv(proxy.url, '127.0.0.1'));
		assert.equal(direct.code, 0, direct.stderr + direct.stdout);
		assert.equal(proxy.seen.length, 0, proxy.seen.join('\n'));

		// proxy-from-env matches host names literally: "localhost" does not cover 127.0.0.1.
		const literal = await cli(proxyEnv(proxy.url, 'localhost'));
		assert.equal(literal.code, 0, literal.stderr + literal.stdout);
		assert.ok(proxy.seen.includes(world.issuer.discoveryUrl), proxy.seen.join('\n'));
	},
);

test(
	'proxies: a proxy that refuses connections is discovery-unreachable, naming the proxy',
	hangGuard,
	async () => {
		const dead = `http://127.0.0.1:${await closedPort()}`;
		const vaultPort = new URL(world.vault.url).port;
		// NO_PROXY with a port exempts Vault only, so the issuer alone goes to the dead proxy.
		const {report, stderr} = await cli(proxyEnv(dead, `127.0.0.1:${vaultPort}`));
		const discovery = report.checks.find(item => item.id === 'issuer.discovery');
		assert.ok(discovery, stderr);
		assert.deepEqual([discovery.status, discovery.problem], ['fail', 'discovery-unreachable']);
		assert.ok(discovery.message.includes(`the proxy ${dead}`), discovery.message);
		assert.equal(report.checks.find(item => item.id === 'vault.health')?.status, 'pass');
	},
);

// ---------------------------------------------------------------------------------------------------------
// Redirects: Vault's own client rules (api/client.go) on every Vault call

type Seen = {method: string; url: string; token: boolean; body: string};
type Recorder = Loopback & {seen: Seen[]};

/** A server (http or https) that records what reaches it, credentials included, then lets `respond` answer. */
async function recordingServer(
	respond: (req: IncomingMessage, res: ServerResponse, body: string) => void,
	tls?: {key: string; cert: string},
): Promise<Recorder> {
	const seen: Seen[] = [];
	const handler = (req: IncomingMessage, res: ServerResponse) => {
		let body = '';
		req.on('data', (chunk: Buffer) => (body += chunk.toString()));
		req.on('end', () => {
			seen.push({
				method: req.method ?? '',
				url: req.url ?? '',
				token: Boolean(req.headers['x-vault-token']),
				body,
			});
			respond(req, res, body);
		});
	};
	const server = tls ? createHttpsServer(tls, handler) : createHttpServer(handler);
	return {...(await track(listen(server, tls ? 'https' : 'http'))), seen};
}

const recorder = (answer: (req: IncomingMessage, res: ServerResponse) => void) => recordingServer(answer);

/** Forwards a request to the world's Vault emulator unchanged. */
function forward(req: IncomingMessage, res: ServerResponse, body: string): void {
	const target = new URL(world.vault.url);
	const upstream = request(
		{host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers},
		answer => {
			res.writeHead(answer.statusCode ?? 502, answer.headers);
			answer.pipe(res);
		},
	);
	upstream.on('error', () => res.writeHead(502).end());
	upstream.end(body);
}

/** A Vault front (http or https) that redirects the requests `redirect` names and forwards the rest to Vault. */
const vaultFront = (
	redirect: (req: IncomingMessage) => string | undefined,
	options: {tls?: {key: string; cert: string}; status?: number} = {},
) =>
	recordingServer((req, res, body) => {
		const location = redirect(req);
		if (location) res.writeHead(options.status ?? 307, {location}).end();
		else forward(req, res, body);
	}, options.tls);

after(closeAllPty);

let authority: Awaited<ReturnType<typeof createCertificateAuthority>>;
let caFile: string;

before(async () => {
	authority = await createCertificateAuthority();
	caFile = join(mkdtempSync(join(tmpdir(), 'doctor-ca-')), 'ca.pem');
	writeFileSync(caFile, authority.caPem);
});

/** Login tokens the emulator holds now that were not there before: what a run left alive. */
const leftAlive = (before: string[]) =>
	world.vault.liveLogins().filter(accessor => !before.includes(accessor));

const vaultCalls: Array<[string, RegExp]> = [
	['sys/health', /^\/v1\/sys\/health/],
	['sys/auth', /^\/v1\/sys\/auth$/],
	['the config read', /^\/v1\/auth\/jwt\/config$/],
	['the role read', /^\/v1\/auth\/jwt\/role\/ona-project$/],
	['the login', /^\/v1\/auth\/jwt\/login$/],
	['lookup-self', /^\/v1\/auth\/token\/lookup-self$/],
	['revoke-self', /^\/v1\/auth\/token\/revoke-self$/],
];

for (const [name, path] of vaultCalls) {
	test(
		`redirects: https VAULT_ADDR redirecting ${name} to http is refused; the http server receives nothing`,
		hangGuard,
		async () => {
			const plain = await recorder((_req, res) =>
				res.writeHead(200, {'content-type': 'application/json'}).end('{}'),
			);
			const front = await vaultFront(
				req => (path.test(req.url ?? '') ? `${plain.url}${req.url}` : undefined),
				{
					tls: authority.issue(['127.0.0.1']),
				},
			);
			const alive = world.vault.liveLogins();
			const report = await run(world, onaClaims(world), {
				timeoutMs,
				vaultAddr: front.url,
				env: {VAULT_TOKEN: readerToken, HOME: '/nonexistent', VAULT_CACERT: caFile},
			});
			assert.deepEqual(plain.seen, [], 'no request, so no token, JWT or login token, went over http');
			const refused = report.checks.find(item =>
				/redirect would cause protocol downgrade/.test(item.message),
			);
			assert.ok(
				refused,
				`no check names the downgrade: ${report.checks.map(item => item.message).join('\n')}`,
			);
			assert.notEqual(refused.status, 'pass');
			if (name === 'revoke-self') {
				// The revocation itself was redirected: the token lives on, and the report names its accessor and the command.
				const [accessor] = leftAlive(alive);
				assert.ok(accessor);
				const revoke = report.checks.find(item => item.id === 'access.revoke');
				assert.deepEqual([revoke?.status, revoke?.problem], ['fail', 'token-not-revoked']);
				assert.ok(revoke?.message.includes(`vault token revoke -accessor '${accessor}'`), revoke?.message);
				for (const [value, entry] of world.vault.tokens)
					if (entry.accessor === accessor) world.vault.revoked.add(value);
			} else {
				assert.deepEqual(leftAlive(alive), [], 'no login token left alive');
			}
		},
	);
}

test(
	'redirects: one 307 to the real Vault is followed on every call, and the report says where to',
	hangGuard,
	async () => {
		const front = await vaultFront(req => `${world.vault.url}${req.url}`);
		const alive = world.vault.liveLogins();
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: front.url});
		assert.equal(check(report, 'login.attempt').status, 'pass');
		assert.equal(check(report, 'access.revoke').status, 'pass');
		const redirect = check(report, 'vault.redirect');
		assert.deepEqual([redirect.status, redirect.problem], ['warn', 'vault-address']);
		assert.match(redirect.message, /VAULT_ADDR is not the final address/);
		assert.ok(redirect.message.includes(world.vault.url), redirect.message);
		assert.ok((report.vault?.redirects ?? []).some(item => item.call === 'POST /v1/auth/jwt/login'));
		assert.deepEqual(leftAlive(alive), []);
	},
);

test(
	'redirects: a standby node answers sys/health itself and sends the rest to the active node: normal, and said so',
	hangGuard,
	async () => {
		// What a Vault standby does: health with standbyok=true is its own (200, standby: true); requests are 307s.
		const standby = await recordingServer((req, res) => {
			if (req.url?.startsWith('/v1/sys/health')) {
				res
					.writeHead(200, {'content-type': 'application/json'})
					.end(JSON.stringify({initialized: true, sealed: false, standby: true, version: '1.21.0'}));
			} else {
				res.writeHead(307, {location: `${world.vault.url}${req.url}`}).end();
			}
		});
		const alive = world.vault.liveLogins();
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: standby.url});
		assert.equal(check(report, 'login.attempt').status, 'pass');
		assert.equal(check(report, 'access.revoke').status, 'pass');
		const redirect = check(report, 'vault.redirect');
		assert.equal(redirect.status, 'pass');
		assert.equal(redirect.problem, undefined);
		assert.ok(
			redirect.message.startsWith(`${standby.url} is a standby node and sent `) &&
				redirect.message.endsWith(`to ${world.vault.url} (the active node): normal.`),
			redirect.message,
		);
		assert.ok((report.vault?.redirects ?? []).some(item => item.call === 'POST /v1/auth/jwt/login'));
		assert.deepEqual(leftAlive(alive), []);
	},
);

test(
	'redirects: a chain (front → second front → Vault) stops at the second hop; Vault receives nothing',
	hangGuard,
	async () => {
		const second = await vaultFront(req => `${world.vault.url}${req.url}`);
		const first = await vaultFront(req => `${second.url}${req.url}`);
		const before = world.vault.requests.length;
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: first.url});
		const health = check(report, 'vault.health');
		assert.deepEqual([health.status, health.problem], ['fail', 'vault-address']);
		assert.match(health.message, /a second redirect/);
		assert.ok(second.seen.length > 0, 'the one allowed hop happened');
		assert.equal(world.vault.requests.length, before, 'the second hop was never taken');
	},
);

test(
	'redirects: none with VAULT_DISABLE_REDIRECTS, and 308 is not one Vault follows',
	hangGuard,
	async () => {
		const front = await vaultFront(req => `${world.vault.url}${req.url}`);
		const disabled = await run(world, onaClaims(world), {
			timeoutMs,
			vaultAddr: front.url,
			env: {VAULT_TOKEN: readerToken, HOME: '/nonexistent', VAULT_DISABLE_REDIRECTS: 'true'},
		});
		assert.match(
			check(disabled, 'vault.health').message,
			/redirects are disabled \(VAULT_DISABLE_REDIRECTS\)/,
		);
		const permanent = await vaultFront(req => `${world.vault.url}${req.url}`, {status: 308});
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: permanent.url});
		assert.match(check(report, 'vault.health').message, /follows only 301, 302 and 307/);
	},
);

test(
	'redirects: audit with the admin token through an https front that downgrades sends nothing over http',
	hangGuard,
	async () => {
		const plain = await recorder((_req, res) => res.writeHead(200).end('{}'));
		const front = await vaultFront(req => `${plain.url}${req.url}`, {tls: authority.issue(['127.0.0.1'])});
		const result = await runCli(['audit', '--fail-on', 'high'], {
			env: {VAULT_ADDR: front.url, VAULT_TOKEN: adminToken, VAULT_CACERT: caFile, HOME: '/nonexistent'},
		});
		assert.deepEqual(plain.seen, []);
		assert.equal(result.code, 1, result.stdout + result.stderr);
		assert.match(result.stderr, /the audit is incomplete/);
		assert.match(result.stdout, /redirect would cause protocol downgrade/);
	},
);

test(
	'redirects: a bearer token (the CI token request) never follows a redirect to another origin',
	hangGuard,
	async () => {
		const {httpRequest} = await import('../source/core/probes/http.js');
		let authorization: string | undefined = 'unset';
		const other = await recordingServer((req, res) => {
			authorization = req.headers.authorization;
			res.writeHead(200, {'content-type': 'application/json'}).end('{"value":"x"}');
		});
		const first = await recorder((req, res) =>
			res.writeHead(302, {location: `${other.url}${req.url}`}).end(),
		);
		const answer = await httpRequest(`${first.url}/token`, {headers: {authorization: 'bearer secret'}}, http);
		assert.equal(answer.status, 200);
		assert.equal(authorization, undefined, 'the bearer token stayed with the first origin');
	},
);

test('the address: user:password@ in VAULT_ADDR is neither sent nor printed', hangGuard, async () => {
	const front = await vaultFront(() => undefined);
	const withCredentials = front.url.replace('http://', 'http://admin:hunter2@');
	const result = await runCli(
		['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json', '--timeout', '2'],
		{
			env: {
				VAULT_ADDR: withCredentials,
				VAULT_TOKEN: readerToken,
				JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
				HOME: '/nonexistent',
			},
		},
	);
	assert.ok(!`${result.stdout}${result.stderr}`.includes('hunter2'));
	assert.ok(!`${result.stdout}${result.stderr}`.includes('admin:'));
	const report = JSON.parse(result.stdout) as {checks: Check[]; vault: {addr: string}};
	assert.equal(report.vault.addr, front.url);
	assert.equal(report.checks.find(item => item.id === 'vault.address')?.problem, 'vault-address');
});

// ---------------------------------------------------------------------------------------------------------
// Escape sequences from outside never reach a terminal uninterpreted

const osc52 = '\u001B]52;c;dG91Y2ggcHduZWQ=\u0007';
const osc0 = '\u001B]0;pwned-title\u0007';
const clear = '\u001B[2J\u001B[H';
const csi8bit = '\u009B6n';
const hostile = `${osc52}${osc0}${clear}${csi8bit}\u202Eevil`;
const esc = '\u001B';
const bel = '\u0007';

/** Every escape the doctor writes itself in a report: SGR colours only. */
const escapeOrControl = new RegExp(`${esc}[^${esc}]{0,12}|[${bel}\\u009B\\u202E]`, 'g');
const colour = new RegExp(`^${esc}\\[\\d+(?:;\\d+)*m`);

function foreignEscapes(text: string): string[] {
	const found: string[] = [];
	for (const match of text.matchAll(escapeOrControl))
		if (!colour.test(match[0])) found.push(JSON.stringify(match[0]));
	return found;
}

async function hostileReport() {
	world.vault.state.failNext.push({
		path: /^auth\/jwt\/login$/,
		method: 'POST',
		status: 400,
		body: JSON.stringify({errors: [`error validating token: ${hostile}`]}),
	});
	// A role whose values carry escapes too: they reach the bindings, the expected values and the fixes.
	const jwt = world.vault.mounts()['jwt']!;
	jwt.roles = {
		...jwt.roles,
		'hostile-role': {
			...onaRole,
			bound_audiences: [`vault.hashicorp.com${clear}`, `x"\ntouch pwned #`],
			bound_subject: `sub${osc52}`,
			bound_claims: {organization_id: `o${osc0}`, [`c${csi8bit}`]: 'v'},
		},
	};
	const claims = onaClaims(world, {
		iss: `${world.issuer.issuer}${osc0}`,
		aud: [`vault.hashicorp.com"\ntouch pwned #${osc52}`],
		[`k${clear}`]: hostile,
		project_id: `p${hostile}`,
	});
	return run(world, claims, {timeoutMs, role: 'hostile-role'});
}

test(
	"escapes: the text and Markdown reports show every outside value escaped; the doctor's colours stay",
	hangGuard,
	async () => {
		const {renderTextReport} = await import('../source/report/text.js');
		const {renderMarkdownReport} = await import('../source/report/markdown.js');
		const {createStyle} = await import('../source/report/style.js');
		const report = await hostileReport();
		const text = renderTextReport(report, {heading: 'doctor', verbose: true, style: createStyle(true)});
		assert.deepEqual(foreignEscapes(text), []);
		assert.ok(text.includes(`${esc}[31m`), 'the doctor still colours failures');
		assert.match(text, /\\x1b\]52;c;/, 'the OSC 52 is shown, escaped');
		const facts = text.split('\n').find(line => line.includes('aud vault.hashicorp.com'));
		assert.ok(facts?.includes('\\ntouch pwned #'), `the aud with a newline stays on one line: ${facts}`);
		assert.ok(!text.split('\n').some(line => line.startsWith('touch pwned')));
		const markdown = renderMarkdownReport(report, {
			command: 'x',
			generatedAt: 'now',
			doctorVersion: '0',
			node: 'v20',
		});
		assert.deepEqual(foreignEscapes(markdown), []);
	},
);

test(
	'escapes: in a pseudo-terminal the interactive doctor writes no escape it did not make itself',
	hangGuard,
	async () => {
		world.vault.state.failNext.push({
			path: /^auth\/jwt\/login$/,
			method: 'POST',
			status: 400,
			body: JSON.stringify({errors: [`error validating token: ${hostile}`]}),
		});
		const token = await world.issuer.sign(
			onaClaims(world, {aud: [`vault.hashicorp.com${osc52}`], project_id: `p${hostile}`, [`k${osc0}`]: 'v'}),
		);
		const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
			cols: 120,
			rows: 40,
			env: {
				VAULT_ADDR: world.vault.url,
				VAULT_TOKEN: readerToken,
				IDP_VAULT_ROLE: 'ona-project',
				JOB_TOKEN: token,
				HOME: '/nonexistent',
			},
		});
		await session.waitFor('Vault refuses this login');
		session.press('t');
		await session.waitFor('Signature: present, never shown.');
		session.press('q');
		await session.exited;
		const raw = session.output();
		for (const payload of [osc52, osc0, clear, csi8bit, '\u202E'])
			assert.ok(!raw.includes(payload), `${JSON.stringify(payload)} reached the terminal`);
		assert.ok(!raw.includes(`${esc}]`), 'no OSC at all: the doctor writes none unless asked to copy');
		assert.match(raw, /\\x1b\]52;c;/, 'the hostile value is on screen, escaped');
	},
);

// ---------------------------------------------------------------------------------------------------------
// Every interruption revokes what the login minted

/** The built CLI on the world's Vault, with the child in hand so a test can signal it. */
function spawnCli(args: string[], env: Record<string, string>) {
	const child = spawn(process.execPath, [cliPath, ...args], {
		env: {...process.env, NO_COLOR: '', FORCE_COLOR: '0', CI: 'true', HOME: '/nonexistent', ...env},
		stdio: ['pipe', 'pipe', 'pipe'],
	});
	let stdout = '';
	let stderr = '';
	child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
	child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
	child.stdin.end();
	const exited = new Promise<number | null>(resolve =>
		child.on('close', (code, signal) => resolve(code ?? (signal ? -1 : null))),
	);
	return {child, exited, output: () => ({stdout, stderr})};
}

async function waitUntil(predicate: () => boolean): Promise<void> {
	while (!predicate()) await new Promise(resolve => setTimeout(resolve, 20));
}

const seenRequest = (path: RegExp, from: number) => () =>
	world.vault.requests.slice(from).some(item => path.test(item.path));

/**
Runs `act` while the emulator's answers on `path` leave `ms` late (a login mints its token at once), `sent()`
resolving once such a request arrived; then no login token may be left alive.
*/
async function heldAnswer<T>(
	path: RegExp,
	ms: number,
	act: (sent: () => Promise<void>) => Promise<T>,
): Promise<T> {
	const alive = world.vault.liveLogins();
	const from = world.vault.requests.length;
	world.vault.state.lateReply = {path, ms};
	let result: T;
	try {
		result = await act(() => waitUntil(seenRequest(path, from)));
	} finally {
		world.vault.state.lateReply = undefined;
	}
	assert.deepEqual(leftAlive(alive), [], 'a login token was left alive');
	return result;
}

async function interruptedRun(signal: NodeJS.Signals, holdPath: RegExp, code: number) {
	return heldAnswer(holdPath, 1500, async sent => {
		const cli = spawnCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--timeout', '5'], {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: readerToken,
			JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
		});
		await sent();
		cli.child.kill(signal);
		assert.equal(await cli.exited, code, cli.output().stderr);
		return cli.output();
	});
}

test(
	'interruptions: SIGINT while the login is in flight waits for its answer and revokes the token',
	hangGuard,
	async () => {
		const {stderr} = await interruptedRun('SIGINT', /^auth\/jwt\/login$/, 130);
		assert.match(stderr, /SIGINT: waiting for the login in flight/);
	},
);

test('interruptions: SIGTERM after the login revokes the token', hangGuard, async () => {
	await interruptedRun('SIGTERM', /^auth\/token\/lookup-self$/, 143);
});

test('interruptions: SIGHUP after the login revokes the token', hangGuard, async () => {
	await interruptedRun('SIGHUP', /^auth\/token\/lookup-self$/, 129);
});

test(
	'interruptions: quitting the interactive doctor during the login revokes the token',
	hangGuard,
	async () => {
		// The login answers after the quit: its token is revoked all the same.
		await heldAnswer(/^auth\/jwt\/login$/, 1500, async sent => {
			const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
				cols: 100,
				rows: 30,
				env: {
					VAULT_ADDR: world.vault.url,
					VAULT_TOKEN: readerToken,
					IDP_VAULT_ROLE: 'ona-project',
					JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
					HOME: '/nonexistent',
				},
			});
			await sent();
			session.press('q');
			await session.exited;
		});
	},
);

test(
	'interruptions: a client --timeout while Vault still answers is a timeout, and the late token is revoked',
	hangGuard,
	async () => {
		// The token that arrives after the deadline is revoked too (heldAnswer checks none is left).
		await heldAnswer(/^auth\/jwt\/login$/, 1800, async () => {
			const result = await runCli(
				['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json', '--timeout', '1'],
				{
					env: {
						VAULT_ADDR: world.vault.url,
						VAULT_TOKEN: readerToken,
						JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
						HOME: '/nonexistent',
					},
				},
			);
			assert.equal(result.code, 1, result.stderr);
			const report = JSON.parse(result.stdout) as {checks: Check[]; login: {actual?: unknown}};
			const login = report.checks.find(item => item.id === 'login.attempt');
			assert.deepEqual([login?.status, login?.problem], ['fail', 'vault-timeout']);
			assert.doesNotMatch(login?.message ?? '', /refused/);
			assert.match(login?.message ?? '', /no answer within 1000 ms/);
			assert.equal(report.login.actual, undefined, 'a timeout is no answer from Vault');
		});
	},
);

/** Whether the text is one whole JSON document (the report was written to the end). */
const wholeJson = (text: string) => {
	try {
		JSON.parse(text);
		return true;
	} catch {
		return false;
	}
};

test(
	'late logins: the report does not wait for a login that timed out; the process still revokes its late token before exiting',
	hangGuard,
	async () => {
		const alive = world.vault.liveLogins();
		let release!: () => void;
		const held = new Promise<void>(resolve => (release = resolve));
		// The login is held until the test has seen the whole report: the order is caused, not timed.
		world.vault.state.beforeNext.push({path: /^auth\/jwt\/login$/, method: 'POST', run: () => held});
		const cli = spawnCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json', '--timeout', '3'], {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: readerToken,
			JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
		});
		let exited = false;
		void cli.exited.then(() => (exited = true));
		await waitUntil(() => wholeJson(cli.output().stdout) || exited);
		assert.ok(!exited, `the process ended before the login was answered: ${cli.output().stderr}`);
		const report = JSON.parse(cli.output().stdout) as {checks: Check[]};
		const login = report.checks.find(item => item.id === 'login.attempt');
		assert.deepEqual([login?.status, login?.problem], ['fail', 'vault-timeout']);
		release();
		assert.equal(await cli.exited, 1, cli.output().stderr);
		assert.deepEqual(leftAlive(alive), [], 'the late token was revoked');
		assert.equal(cli.output().stderr, '');
	},
);

test(
	'late logins: a login that never answers is named on stderr after the report, and the exit code stays 1',
	hangGuard,
	async () => {
		let release!: () => void;
		const held = new Promise<void>(resolve => (release = resolve));
		world.vault.state.beforeNext.push({path: /^auth\/jwt\/login$/, method: 'POST', run: () => held});
		try {
			const cli = spawnCli(
				['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--json', '--timeout', '1'],
				{
					VAULT_ADDR: world.vault.url,
					VAULT_TOKEN: readerToken,
					JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
				},
			);
			assert.equal(await cli.exited, 1, cli.output().stderr);
			assert.ok(wholeJson(cli.output().stdout));
			assert.match(
				cli.output().stderr,
				/A test login got no answer in time .*vault list auth\/token\/accessors/,
			);
		} finally {
			// The held login is answered with an error once let go, so it mints no token for a later test to find.
			const refusal = {path: /^auth\/jwt\/login$/, method: 'POST', status: 500, body: '{"errors":["held"]}'};
			world.vault.state.failNext.push(refusal);
			release();
			await waitUntil(() => !world.vault.state.failNext.includes(refusal));
		}
	},
);

test(
	'interruptions: a revocation that keeps failing exits non-zero with the accessor and the command, never the token',
	hangGuard,
	async () => {
		const failure = {path: /^auth\/token\/revoke-self$/, status: 500, body: '{"errors":["internal error"]}'};
		world.vault.state.failNext.push(failure, {...failure}, {...failure});
		const alive = world.vault.liveLogins();
		const result = await runCli(['--token-env', 'JOB_TOKEN', '--role', 'ona-project', '--timeout', '2'], {
			env: {
				VAULT_ADDR: world.vault.url,
				VAULT_TOKEN: readerToken,
				JOB_TOKEN: await world.issuer.sign(onaClaims(world)),
				HOME: '/nonexistent',
			},
		});
		const [accessor] = leftAlive(alive);
		assert.ok(accessor, 'the emulator still holds the token');
		assert.equal(result.code, 1, result.stdout + result.stderr);
		assert.ok(result.stdout.includes(`vault token revoke -accessor '${accessor}'`), result.stdout);
		for (const [value, entry] of world.vault.tokens) {
			if (entry.accessor !== accessor) continue;
			assert.ok(!`${result.stdout}${result.stderr}`.includes(value), 'the token itself is never printed');
			world.vault.revoked.add(value);
		}
	},
);

// ---------------------------------------------------------------------------------------------------------
// audit and --find-role fail closed

const auditEnv = (extra: Record<string, string> = {}) => ({
	VAULT_ADDR: world.vault.url,
	VAULT_TOKEN: readerToken,
	HOME: '/nonexistent',
	...extra,
});

for (const [status, body] of [
	[403, '{"errors":["permission denied"]}'],
	[500, '{"errors":["1 error occurred:\\n\\t* storage down\\n\\n"]}'],
	[429, '{"errors":["rate limit quota exceeded"]}'],
] as const) {
	test(
		`audit: a role LIST answering ${status} is never a pass (exit 1 with --fail-on, 2 without)`,
		hangGuard,
		async () => {
			const list = {path: /^auth\/jwt\/role\/?$/, status, body};
			world.vault.state.failNext.push(list);
			const gated = await runCli(['audit', '--fail-on', 'high'], {env: auditEnv()});
			assert.equal(gated.code, 1, gated.stdout + gated.stderr);
			assert.match(gated.stdout, /Incomplete: could not read/);
			world.vault.state.failNext.push({...list});
			const plain = await runCli(['audit', '--json'], {env: auditEnv()});
			assert.equal(plain.code, 2, plain.stdout + plain.stderr);
			assert.equal((JSON.parse(plain.stdout) as {complete: boolean}).complete, false);
		},
	);
}

test('audit: no Vault token at all is no pass; --find-role needs one too', hangGuard, async () => {
	const gated = await runCli(['audit', '--fail-on', 'high'], {env: auditEnv({VAULT_TOKEN: ''})});
	assert.equal(gated.code, 1);
	assert.match(gated.stderr, /audit needs a Vault token/);
	const find = await runCli(['--find-role', '--token-env', 'JOB_TOKEN'], {
		env: auditEnv({VAULT_TOKEN: '', JOB_TOKEN: await world.issuer.sign(onaClaims(world))}),
	});
	assert.equal(find.code, 2);
	assert.match(find.stderr, /needs a Vault token/);
});

test(
	'audit: an unreadable role makes --find-role partial, which is no answer (exit 2)',
	hangGuard,
	async () => {
		world.vault.state.failNext.push({
			path: /^auth\/jwt\/role\/ona-project$/,
			status: 500,
			body: '{"errors":["boom"]}',
		});
		const result = await runCli(['--find-role', '--token-env', 'JOB_TOKEN'], {
			env: auditEnv({JOB_TOKEN: await world.issuer.sign(onaClaims(world))}),
		});
		assert.equal(result.code, 2, result.stdout + result.stderr);
		assert.match(result.stderr, /could not be read; the list is incomplete/);
	},
);

test(
	'audit: a role list over the 1 MiB body cap is read whole (LIST has its own bound)',
	hangGuard,
	async () => {
		const {listRoles} = await import('../source/core/admin/audit.js');
		const {VaultReader, vaultConnectionFromEnv} = await import('../source/core/probes/vault.js');
		const keys = Array.from(
			{length: 40_000},
			(_, index) => `role-${String(index).padStart(6, '0')}-${'x'.repeat(24)}`,
		);
		const body = JSON.stringify({data: {keys}});
		assert.ok(body.length > 1024 * 1024);
		world.vault.state.failNext.push({path: /^auth\/jwt\/role\/?$/, status: 200, body});
		const reader = new VaultReader(
			vaultConnectionFromEnv(
				{VAULT_TOKEN: readerToken, HOME: '/nonexistent'},
				{vaultAddr: world.vault.url},
				http,
			),
		);
		const listing = await listRoles(reader, 'jwt');
		assert.ok(listing.ok, listing.ok ? '' : listing.message);
		assert.equal(listing.names.length, 40_000);
	},
);

// ---------------------------------------------------------------------------------------------------------
// Input bounds

test(
	'bounds: a 100,000-deep claim is refused with the reason (exit 2), never a stack overflow',
	hangGuard,
	async () => {
		const deep = `${'['.repeat(100_000)}1${']'.repeat(100_000)}`;
		const encode = (text: string) => Buffer.from(text).toString('base64url');
		const token = `${encode('{"alg":"RS256"}')}.${encode(`{"sub":"s","deep":${deep}}`)}.c2ln`;
		for (const args of [
			['decode', '-'],
			['--offline', '--json', '--token-file', '-'],
		]) {
			const result = await runCli(args, {input: token});
			assert.equal(result.code, 2, result.stdout + result.stderr);
			assert.match(result.stderr, /more than 64 levels deep/);
			assert.doesNotMatch(result.stderr, /Maximum call stack|This is a bug/);
		}
	},
);

test('bounds: --role-file /dev/urandom stops at the size cap', hangGuard, async () => {
	const result = await runCli([
		'--offline',
		'--token',
		await world.issuer.sign(onaClaims(world)),
		'--role-file',
		'/dev/urandom',
	]);
	assert.equal(result.code, 2);
	assert.match(result.stderr, /--role-file \/dev\/urandom is larger than 4 MiB/);
});

test(
	'bounds: report --output refuses a planted symlink and replaces a 0644 file with a 0600 one',
	hangGuard,
	async () => {
		const directory = mkdtempSync(join(tmpdir(), 'doctor-report-'));
		const victim = join(directory, 'victim');
		writeFileSync(victim, 'keep');
		const link = join(directory, 'report.md');
		symlinkSync(victim, link);
		const args = ['report', '--offline', '--token', await world.issuer.sign(onaClaims(world)), '--output'];
		const refused = await runCli([...args, link]);
		assert.equal(refused.code, 2);
		assert.match(refused.stderr, /symbolic link/);
		assert.equal(readFileSync(victim, 'utf8'), 'keep');
		const existing = join(directory, 'existing.md');
		writeFileSync(existing, 'old', {mode: 0o644});
		const written = await runCli([...args, existing]);
		assert.notEqual(written.code, 2, written.stderr);
		assert.equal(statSync(existing).mode & 0o777, 0o600);
		assert.match(readFileSync(existing, 'utf8'), /^# ona-vault-doctor report/);
	},
);

test('bounds: a group- or world-writable backup directory is warned about', hangGuard, async () => {
	const {looseDirectoryWarning} = await import('../source/core/private-file.js');
	const directory = mkdtempSync(join(tmpdir(), 'doctor-backups-'));
	chmodSync(directory, 0o777);
	assert.match(
		looseDirectoryWarning(directory, 'The backup directory') ?? '',
		/writable by every user \(mode 0777\)/,
	);
	chmodSync(directory, 0o770);
	assert.match(looseDirectoryWarning(directory, 'The backup directory') ?? '', /writable by its group/);
	chmodSync(directory, 0o700);
	assert.equal(looseDirectoryWarning(directory, 'The backup directory'), undefined);
});
