import {execFile} from 'node:child_process';
import {readFile, stat} from 'node:fs/promises';
import {onaDefaultAudience} from '../platforms/ona.js';
import type {ProblemId} from '../problems/catalogue.js';
import type {TokenSourceName} from '../token-source-names.js';
import {type HttpSettings, httpRequest} from './http.js';

export type TokenRequest = {
	source: TokenSourceName;
	/** The audience to request from sources that mint tokens (Ona, GitHub, Buildkite, CircleCI custom). */
	audience?: string;
	token?: string;
	tokenFile?: string;
	tokenEnv?: string;
	env: NodeJS.ProcessEnv;
	readStdin: () => Promise<string>;
	timeoutMs: number;
	http: HttpSettings;
};

export type AcquiredToken = {
	token: string;
	source: TokenSourceName;
	/** Where it came from, for the report: "$CIRCLE_OIDC_TOKEN_V2", "ona idp token --audience vault.hashicorp.com"... */
	description: string;
	/** Why auto picked this source. */
	why?: string;
	/** The audience the doctor asked the platform for, when it minted the token. */
	audienceRequested?: string;
};

/** The token could not be had; `problem` says whose side it is on, `message` what to do. */
export class TokenSourceError extends Error {
	override name = 'TokenSourceError';
	constructor(
		readonly problem: ProblemId,
		message: string,
		readonly source: TokenSourceName,
	) {
		super(message);
	}
}

const fileLimit = 1024 * 1024;

export async function acquireToken(request: TokenRequest): Promise<AcquiredToken> {
	if (request.token !== undefined)
		return {token: request.token.trim(), source: 'env', description: '--token'};
	if (request.tokenFile !== undefined) return fromFile(request, request.tokenFile);
	if (request.tokenEnv !== undefined) return fromEnv(request, request.tokenEnv, 'env');
	switch (request.source) {
		case 'auto':
			return auto(request);
		case 'ona':
			return fromOna(request);
		case 'circleci':
			return fromCircleCi(request, 'v2');
		case 'circleci-v1':
			return fromCircleCi(request, 'v1');
		case 'github':
			return fromGitHub(request);
		case 'gitlab':
			return fromGitLab(request);
		case 'buildkite':
			return fromBuildkite(request);
		case 'file':
			throw new TokenSourceError('platform-no-token', '--source file needs --token-file <path|->.', 'file');
		case 'env':
			throw new TokenSourceError('platform-no-token', '--source env needs --token-env <NAME>.', 'env');
		case 'stdin': {
			const token = (await request.readStdin()).trim();
			if (!token)
				throw new TokenSourceError(
					'platform-no-token',
					'Standard input was empty; pipe the token in.',
					'stdin',
				);
			return {token, source: 'stdin', description: 'standard input'};
		}
	}
}

async function auto(request: TokenRequest): Promise<AcquiredToken> {
	const {env} = request;
	const because = async (
		why: string,
		acquire: AcquiredToken | Promise<AcquiredToken>,
	): Promise<AcquiredToken> => {
		const acquired = await acquire;
		return {...acquired, why: acquired.why ? `${why}; ${acquired.why}` : why};
	};
	if (env['GITHUB_ACTIONS'] === 'true')
		return because('GITHUB_ACTIONS is set: this is a GitHub Actions job', fromGitHub(request));
	if (env['CIRCLECI'] === 'true')
		return because('CIRCLECI is set: this is a CircleCI job', fromCircleCi(request, 'v2'));
	if (env['GITLAB_CI'] === 'true')
		return because('GITLAB_CI is set: this is a GitLab CI job', fromGitLab(request));
	if (env['BUILDKITE'] === 'true')
		return because('BUILDKITE is set: this is a Buildkite job', fromBuildkite(request));
	if (env['GITPOD_ENVIRONMENT_ID'] || env['ONA_ENVIRONMENT_ID']) {
		return because('GITPOD_ENVIRONMENT_ID is set: this is an Ona environment', fromOna(request));
	}

	try {
		return await because('the ona CLI is on PATH', fromOna(request));
	} catch (error) {
		if (!(error instanceof TokenSourceError) || !/not installed/.test(error.message)) throw error;
	}

	throw new TokenSourceError(
		'platform-no-token',
		'No token source found: this is not an Ona environment or a GitHub Actions, CircleCI, GitLab or Buildkite job. Pass the token with --token-file <path|->, --token-env <NAME> or --source.',
		'auto',
	);
}

async function fromFile(request: TokenRequest, path: string): Promise<AcquiredToken> {
	if (path === '-') {
		const token = (await request.readStdin()).trim();
		if (!token)
			throw new TokenSourceError('platform-no-token', 'Standard input was empty; pipe the token in.', 'file');
		return {token, source: 'file', description: 'standard input'};
	}

	try {
		const info = await stat(path);
		if (!info.isFile())
			throw new TokenSourceError('platform-no-token', `--token-file ${path} is not a file.`, 'file');
		if (info.size > fileLimit)
			throw new TokenSourceError(
				'token-malformed',
				`--token-file ${path} is ${info.size} bytes; a token is never that large.`,
				'file',
			);
		const token = (await readFile(path, 'utf8')).trim();
		if (!token) throw new TokenSourceError('platform-no-token', `--token-file ${path} is empty.`, 'file');
		return {token, source: 'file', description: path};
	} catch (error) {
		if (error instanceof TokenSourceError) throw error;
		throw new TokenSourceError(
			'platform-no-token',
			`Cannot read --token-file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`,
			'file',
		);
	}
}

function fromEnv(request: TokenRequest, name: string, source: TokenSourceName, hint?: string): AcquiredToken {
	const value = request.env[name];
	if (value === undefined)
		throw new TokenSourceError('platform-no-token', `$${name} is not set.${hint ? ` ${hint}` : ''}`, source);
	if (value.trim() === '')
		throw new TokenSourceError('platform-no-token', `$${name} is empty.${hint ? ` ${hint}` : ''}`, source);
	return {token: value.trim(), source, description: `$${name}`};
}

async function fromOna(request: TokenRequest): Promise<AcquiredToken> {
	const audience = request.audience ?? onaDefaultAudience;
	const args = ['idp', 'token', '--audience', audience];
	const output = await runTool('ona', args, request, {
		missing:
			'The ona CLI is not installed or not on PATH. Run the doctor inside an Ona environment, or pass the token with --token-file.',
		failed: stderr =>
			/log ?in/i.test(stderr)
				? `ona is not logged in: ${stderr} Run "ona login" (or run the doctor inside an Ona environment).`
				: /environment/i.test(stderr)
					? `ona could not mint an environment token: ${stderr} Run the doctor inside an Ona environment, or use a user token.`
					: `ona idp token failed: ${stderr}`,
	});
	return {token: output, source: 'ona', description: `ona ${args.join(' ')}`, audienceRequested: audience};
}

async function fromCircleCi(request: TokenRequest, version: 'v1' | 'v2'): Promise<AcquiredToken> {
	const outsideJob = request.env['CIRCLECI'] === 'true' ? '' : ' This only exists inside a CircleCI job.';
	if (request.audience && version === 'v2') {
		const claims = JSON.stringify({aud: request.audience});
		const output = await runTool('circleci', ['run', 'oidc', 'get', '--claims', claims], request, {
			missing: `The circleci CLI is not available to mint a token with audience "${request.audience}"; it exists only inside CircleCI jobs.`,
			failed: stderr => `circleci run oidc get failed: ${stderr}`,
		});
		return {
			token: output,
			source: 'circleci',
			description: `circleci run oidc get --claims '${claims}'`,
			audienceRequested: request.audience,
		};
	}

	const hint = `CircleCI sets it only for jobs of projects with OIDC tokens enabled, and not for forked pull requests by default.${outsideJob}`;
	if (
		version === 'v2' &&
		request.env['CIRCLE_OIDC_TOKEN_V2'] === undefined &&
		request.env['CIRCLE_OIDC_TOKEN']
	) {
		return {
			...fromEnv(request, 'CIRCLE_OIDC_TOKEN', 'circleci-v1', hint),
			why: '$CIRCLE_OIDC_TOKEN_V2 is not set; using the v1 token',
		};
	}

	return fromEnv(
		request,
		version === 'v2' ? 'CIRCLE_OIDC_TOKEN_V2' : 'CIRCLE_OIDC_TOKEN',
		version === 'v2' ? 'circleci' : 'circleci-v1',
		hint,
	);
}

async function fromGitHub(request: TokenRequest): Promise<AcquiredToken> {
	const url = request.env['ACTIONS_ID_TOKEN_REQUEST_URL'];
	const bearer = request.env['ACTIONS_ID_TOKEN_REQUEST_TOKEN'];
	if (!url || !bearer) {
		throw new TokenSourceError(
			'platform-no-token',
			'ACTIONS_ID_TOKEN_REQUEST_URL / ACTIONS_ID_TOKEN_REQUEST_TOKEN are not set: the workflow or job needs "permissions: id-token: write" (pull requests from forks never get one).',
			'github',
		);
	}

	const target = request.audience ? `${url}&audience=${encodeURIComponent(request.audience)}` : url;
	let response: Awaited<ReturnType<typeof httpRequest>>;
	try {
		response = await httpRequest(target, {headers: {authorization: `bearer ${bearer}`}}, request.http);
	} catch (error) {
		throw new TokenSourceError(
			'platform-no-token',
			`Requesting the GitHub OIDC token failed: ${(error as Error).message}.`,
			'github',
		);
	}

	const value = (response.json as {value?: unknown} | undefined)?.value;
	if (response.status !== 200 || typeof value !== 'string') {
		throw new TokenSourceError(
			'platform-no-token',
			`GitHub answered ${response.status} without a token${response.status === 403 ? ': check "permissions: id-token: write"' : ''}.`,
			'github',
		);
	}

	return {
		token: value,
		source: 'github',
		description: `GitHub OIDC token request${request.audience ? ` (audience ${request.audience})` : ' (default audience)'}`,
		...(request.audience ? {audienceRequested: request.audience} : {}),
	};
}

const jwtShape = /^eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*$/;

function fromGitLab(request: TokenRequest): AcquiredToken {
	const candidates = Object.entries(request.env)
		.filter(([name, value]) => value && jwtShape.test(value.trim()) && !name.startsWith('CI_JOB_JWT'))
		.map(([name]) => name)
		.sort();
	if (candidates.length === 1) {
		return {
			...fromEnv(request, candidates[0]!, 'gitlab'),
			why: `$${candidates[0]} is the only variable holding a JWT (an id_tokens: entry)`,
		};
	}

	throw new TokenSourceError(
		'platform-no-token',
		candidates.length === 0
			? 'No ID token in this GitLab job: declare one with id_tokens: (e.g. VAULT_ID_TOKEN: {aud: https://vault.example.com}) and pass --token-env VAULT_ID_TOKEN. CI_JOB_JWT was removed in GitLab 17.0.'
			: `Several variables hold JWTs (${candidates.join(', ')}); choose one with --token-env NAME.`,
		'gitlab',
	);
}

async function fromBuildkite(request: TokenRequest): Promise<AcquiredToken> {
	const args = ['oidc', 'request-token', ...(request.audience ? ['--audience', request.audience] : [])];
	const output = await runTool('buildkite-agent', args, request, {
		missing: 'buildkite-agent is not on PATH; it exists inside Buildkite jobs.',
		failed: stderr => `buildkite-agent oidc request-token failed: ${stderr}`,
	});
	return {
		token: output,
		source: 'buildkite',
		description: `buildkite-agent ${args.join(' ')}`,
		...(request.audience ? {audienceRequested: request.audience} : {}),
	};
}

function runTool(
	command: string,
	args: string[],
	request: TokenRequest,
	messages: {missing: string; failed: (stderr: string) => string},
): Promise<string> {
	const source = command === 'ona' ? 'ona' : command === 'circleci' ? 'circleci' : 'buildkite';
	return new Promise((resolve, reject) => {
		execFile(
			command,
			args,
			{env: request.env, timeout: request.timeoutMs, maxBuffer: fileLimit, killSignal: 'SIGKILL'},
			(error, stdout, stderr) => {
				if (error) {
					const code = (error as NodeJS.ErrnoException).code;
					if (code === 'ENOENT')
						return reject(new TokenSourceError('platform-no-token', messages.missing, source));
					if ((error as {killed?: boolean}).killed) {
						return reject(
							new TokenSourceError(
								'platform-no-token',
								`${command} did not answer within ${request.timeoutMs} ms.`,
								source,
							),
						);
					}

					return reject(
						new TokenSourceError(
							'platform-no-token',
							messages.failed(stderr.trim() || error.message),
							source,
						),
					);
				}

				const token = stdout.trim();
				if (!token)
					return reject(
						new TokenSourceError(
							'platform-no-token',
							`${command} ${args.slice(0, 3).join(' ')} printed nothing.`,
							source,
						),
					);
				resolve(token);
			},
		);
	});
}
