import assert from 'node:assert/strict';
import {mkdtemp, readFile, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath} from 'node:url';
import {defaultHttpSettings} from '../source/core/probes/http.js';
import {
	type AcquiredToken,
	acquireToken,
	type TokenRequest,
	TokenSourceError,
} from '../source/core/probes/token-source.js';
import {startIssuer, type TestIssuer} from './fixtures/oidc-issuer.js';
import {startGitHubTokenService, type TokenService} from './helpers/github-token-service.js';

const stubs = fileURLToPath(new URL('fixtures/bin', import.meta.url));
let issuer: TestIssuer;
let github: TokenService;
let jwt: string;
let scratch: string;

before(async () => {
	issuer = await startIssuer();
	jwt = await issuer.sign({
		iss: issuer.issuer,
		sub: 's',
		aud: 'vault.hashicorp.com',
		exp: Math.floor(Date.now() / 1000) + 600,
	});
	github = await startGitHubTokenService(jwt);
	scratch = await mkdtemp(join(tmpdir(), 'ovd-sources-'));
});

after(async () => {
	await issuer.close();
	await github.close();
});

const request = (overrides: Partial<TokenRequest> & {env?: NodeJS.ProcessEnv}): TokenRequest => ({
	source: 'auto',
	readStdin: async () => '',
	timeoutMs: 2000,
	http: defaultHttpSettings,
	...overrides,
	env: {PATH: `${stubs}:/usr/bin:/bin`, ...overrides.env},
});

async function rejection(promise: Promise<AcquiredToken>): Promise<TokenSourceError> {
	try {
		await promise;
	} catch (error) {
		assert.ok(error instanceof TokenSourceError, String(error));
		return error;
	}

	assert.fail('expected the token source to fail');
}

test('Ona: runs ona idp token with the Vault audience by default, and names the source', async () => {
	const argsFile = join(scratch, 'ona-args');
	const token = await acquireToken(
		request({source: 'ona', env: {ONA_STUB_TOKEN: jwt, ONA_STUB_ARGS_FILE: argsFile}}),
	);
	assert.equal(token.token, jwt);
	assert.equal(token.description, 'ona idp token --audience vault.hashicorp.com');
	assert.equal(token.audienceRequested, 'vault.hashicorp.com');
	assert.equal((await readFile(argsFile, 'utf8')).trim(), 'idp token --audience vault.hashicorp.com');
});

test('Ona: not logged in, outside an environment, missing CLI and a hung CLI each get a clear message', {
	timeout: 20_000,
}, async () => {
	assert.match(
		(await rejection(acquireToken(request({source: 'ona', env: {ONA_STUB_MODE: 'not-logged-in'}})))).message,
		/not logged in.*ona login/,
	);
	assert.match(
		(await rejection(acquireToken(request({source: 'ona', env: {ONA_STUB_MODE: 'no-env'}})))).message,
		/Ona environment/,
	);
	const missing = await rejection(acquireToken(request({source: 'ona', env: {PATH: '/nonexistent'}})));
	assert.match(missing.message, /not installed or not on PATH/);
	assert.equal(missing.problem, 'platform-no-token');
	assert.match(
		(await rejection(acquireToken(request({source: 'ona', timeoutMs: 300, env: {ONA_STUB_MODE: 'hang'}}))))
			.message,
		/did not answer within 300 ms/,
	);
});

test('auto: an Ona environment is recognised and the reason is given', async () => {
	const token = await acquireToken(request({env: {GITPOD_ENVIRONMENT_ID: 'env-1', ONA_STUB_TOKEN: jwt}}));
	assert.equal(token.source, 'ona');
	assert.match(token.why ?? '', /GITPOD_ENVIRONMENT_ID/);
});

test('CircleCI: prefers $CIRCLE_OIDC_TOKEN_V2, falls back to v1 and says so, mints custom audiences', async () => {
	const v2 = await acquireToken(
		request({env: {CIRCLECI: 'true', CIRCLE_OIDC_TOKEN_V2: jwt, CIRCLE_OIDC_TOKEN: 'other'}}),
	);
	assert.deepEqual([v2.source, v2.description], ['circleci', '$CIRCLE_OIDC_TOKEN_V2']);
	const v1 = await acquireToken(request({env: {CIRCLECI: 'true', CIRCLE_OIDC_TOKEN: jwt}}));
	assert.equal(v1.source, 'circleci-v1');
	assert.match(v1.why ?? '', /V2 is not set/);
	const argsFile = join(scratch, 'circleci-args');
	const custom = await acquireToken(
		request({
			source: 'circleci',
			audience: 'vault',
			env: {CIRCLECI_STUB_TOKEN: jwt, CIRCLECI_STUB_ARGS_FILE: argsFile},
		}),
	);
	assert.equal(custom.token, jwt);
	assert.equal((await readFile(argsFile, 'utf8')).trim(), 'run oidc get --claims {"aud":"vault"}');
	const none = await rejection(acquireToken(request({source: 'circleci', env: {}})));
	assert.match(
		none.message,
		/CIRCLE_OIDC_TOKEN_V2 is not set.*forked pull requests.*only exists inside a CircleCI job/,
	);
});

test('GitHub Actions: requests the token with the audience; a missing id-token permission is explained', async () => {
	const token = await acquireToken(
		request({
			source: 'github',
			audience: 'https://vault.example.com',
			env: {
				ACTIONS_ID_TOKEN_REQUEST_URL: `${github.url}/token?api-version=2.0`,
				ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'request-token',
			},
		}),
	);
	assert.equal(token.token, jwt);
	assert.deepEqual(github.requests.at(-1), {
		audience: 'https://vault.example.com',
		authorization: 'bearer request-token',
	});
	const missing = await rejection(acquireToken(request({env: {GITHUB_ACTIONS: 'true'}})));
	assert.match(missing.message, /permissions: id-token: write/);
	const refused = await rejection(
		acquireToken(
			request({
				source: 'github',
				env: {
					ACTIONS_ID_TOKEN_REQUEST_URL: `${github.url}/forbidden?x=1`,
					ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'bad',
				},
			}),
		),
	);
	assert.match(refused.message, /GitHub answered 403.*id-token: write/);
});

test('GitLab: finds the single id_tokens variable, or asks which one', async () => {
	const token = await acquireToken(
		request({env: {GITLAB_CI: 'true', VAULT_ID_TOKEN: jwt, CI_PROJECT_PATH: 'group/app'}}),
	);
	assert.equal(token.description, '$VAULT_ID_TOKEN');
	const several = await rejection(
		acquireToken(request({env: {GITLAB_CI: 'true', A_TOKEN: jwt, B_TOKEN: jwt}})),
	);
	assert.match(several.message, /A_TOKEN, B_TOKEN.*--token-env/);
	const none = await rejection(acquireToken(request({env: {GITLAB_CI: 'true'}})));
	assert.match(none.message, /id_tokens:/);
	const named = await acquireToken(request({tokenEnv: 'B_TOKEN', env: {B_TOKEN: ` ${jwt}\n`}}));
	assert.equal(named.token, jwt);
});

test('Buildkite: buildkite-agent oidc request-token with the audience', async () => {
	const argsFile = join(scratch, 'buildkite-args');
	const token = await acquireToken(
		request({
			env: {BUILDKITE: 'true', BUILDKITE_STUB_TOKEN: jwt, BUILDKITE_STUB_ARGS_FILE: argsFile},
			audience: 'vault',
		}),
	);
	assert.equal(token.source, 'buildkite');
	assert.equal((await readFile(argsFile, 'utf8')).trim(), 'oidc request-token --audience vault');
});

test('files, standard input and explicit tokens; nothing found says what to pass', async () => {
	const file = join(scratch, 'token.jwt');
	await writeFile(file, `${jwt}\n`);
	assert.equal((await acquireToken(request({tokenFile: file}))).token, jwt);
	assert.equal((await acquireToken(request({tokenFile: '-', readStdin: async () => `${jwt}\n`}))).token, jwt);
	assert.equal((await acquireToken(request({source: 'stdin', readStdin: async () => jwt}))).token, jwt);
	assert.match(
		(await rejection(acquireToken(request({tokenFile: join(scratch, 'absent')})))).message,
		/Cannot read --token-file/,
	);
	const nothing = await rejection(acquireToken(request({env: {PATH: '/nonexistent'}})));
	assert.match(nothing.message, /No token source found.*--token-file/);
});
