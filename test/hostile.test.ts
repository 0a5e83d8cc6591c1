import assert from 'node:assert/strict';
import {
	createServer as createHttpServer,
	type IncomingMessage,
	request,
	type ServerResponse,
} from 'node:http';
import {createServer as createHttpsServer} from 'node:https';
import {connect, type Socket} from 'node:net';
import {after, before, beforeEach, test} from 'node:test';
import type {Check} from '../source/core/check.js';
import {defaultHttpSettings, type HttpSettings} from '../source/core/probes/http.js';
import {probeIssuer} from '../source/core/probes/issuer.js';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {createCertificateAuthority} from './fixtures/tls.js';
import {type Loopback, listen} from './helpers/loopback.js';
import {runCli} from './helpers/run-cli.js';
import {check, nowSeconds, onaClaims, readerToken, run, startWorld, type World} from './helpers/world.js';

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
	return probeIssuer({
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
	'Vault: a 307 redirect loop on sys/health ends after 5 redirects as vault-unreachable',
	hangGuard,
	async () => {
		let hits = 0;
		const loop = await track(
			serveHttp((req, res) => {
				hits++;
				res.writeHead(307, {location: req.url ?? '/'});
				res.end();
			}),
		);
		const report = await run(world, onaClaims(world), {timeoutMs, vaultAddr: loop.url});
		const health = check(report, 'vault.health');
		assert.deepEqual([health.status, health.problem], ['fail', 'vault-unreachable']);
		assert.match(
			health.message,
			/more than 5 redirects \(last to http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/health/,
		);
		assert.ok(hits >= 6 && hits <= 20, `${hits} requests to the loop`);
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
