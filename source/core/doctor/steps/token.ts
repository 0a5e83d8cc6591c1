/* The Token group: where the token comes from, what it says (platform, audience) and its times. */
import {InputError} from '../../bounds.js';
import type {Check} from '../../check.js';
import {tokenAudiences} from '../../login/audiences.js';
import {inspectToken} from '../../login/token.js';
import {sourceMints, sourcePlatform, tokenWarning} from '../../platforms/advice.js';
import {detectPlatform} from '../../platforms/detect.js';
import {acquireToken, TokenSourceError} from '../../probes/token-source.js';
import type {ProblemId} from '../../problems/catalogue.js';
import {duration, formatTime, relativeTime} from '../../time-text.js';
import type {Step} from './shared.js';

export const tokenSource: Step = {
	id: 'token.source',
	title: 'Get the token',
	group: 'Token',
	needs: [],
	async run(context) {
		const {options} = context;
		const given =
			options.token !== undefined || options.tokenFile !== undefined || options.tokenEnv !== undefined;
		// auto may pick a source that mints a token over the network (Ona, GitHub, Buildkite): not in --offline.
		const mayMint = options.source === 'auto' || sourceMints(options.source);
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
			const platform = error instanceof TokenSourceError ? sourcePlatform(error.source) : undefined;
			if (platform) context.sourcePlatform = platform;
			return {
				checks: [
					{id: 'token.source', title: this.title, status: 'fail', problem, message: (error as Error).message},
				],
				halt: 'no token',
			};
		}
	},
};

export const tokenDecode: Step = {
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
		const warning = tokenWarning(platform);
		if (warning) {
			checks.push({
				id: 'token.platform',
				title: warning.title,
				status: 'warn',
				problem: warning.problem,
				message: warning.message,
			});
		}

		const requested = context.token!.audienceRequested;
		const audiences = tokenAudiences(inspection.claims);
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
