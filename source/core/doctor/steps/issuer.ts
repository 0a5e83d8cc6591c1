/* The Issuer group: discovery and keys, judged by probes/issuer.ts against the config. */
import {type HttpResponse, httpRequest} from '../../probes/http.js';
import {discoveryUrlFor, probeIssuer} from '../../probes/issuer.js';
import {offlineSkip, type Step} from './shared.js';

export const issuer: Step = {
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
