/* The Issuer group: what Vault fetches from the issuer (probes/issuer.ts), judged by issuer-verdict.ts. */
import type {JWK} from 'jose';
import type {Check} from '../../check.js';
import type {JwtConfig} from '../../login/config.js';
import {type HttpResponse, type HttpSettings, httpRequest} from '../../probes/http.js';
import {discoveryUrlFor, type IssuerProbeResult, probeIssuer} from '../../probes/issuer.js';
import {issuerRequest, issuerRoute} from '../issuer-route.js';
import {type IssuerToken, judgeIssuer} from '../issuer-verdict.js';
import {offlineSkip, type Step} from './shared.js';

export type ReachIssuerInput = IssuerToken & {
	/** Vault's auth config when known: which discovery URL or JWKS Vault itself uses. */
	config?: JwtConfig | null;
	http: HttpSettings;
	/** Requests already under way (started before Vault's config was known), reused when the URL matches. */
	prefetched?: Map<string, Promise<HttpResponse>>;
};

export type ReachIssuerResult = {
	checks: Check[];
	/** The discovery document's issuer, as Vault would see it (for simulateLogin). */
	discoveryIssuer?: string;
	/** The key set Vault would verify with (for simulateLogin). */
	jwks?: {keys: JWK[]};
	/** Requests made, in order. */
	urls: string[];
};

/** Reaches the issuer the way Vault would (by its config, else by the token's iss) and judges what came back. */
export async function reachIssuer(input: ReachIssuerInput): Promise<ReachIssuerResult> {
	const route = issuerRoute(input.config, input.iss);
	const from = issuerRequest(route);
	const fetched: IssuerProbeResult = from
		? await probeIssuer({
				from,
				...(route.kind === 'static-keys' ? {} : {vaultCa: route.vaultCa}),
				http: input.http,
				...(input.prefetched ? {prefetched: input.prefetched} : {}),
			})
		: {urls: []};
	const checks = await judgeIssuer(route, fetched, input);
	const discoveryIssuer = fetched.discovery?.document?.issuer;
	const keys = fetched.jwks?.keys;
	return {
		checks,
		...(discoveryIssuer === undefined ? {} : {discoveryIssuer}),
		...(keys && keys.length > 0 ? {jwks: {keys: keys as JWK[]}} : {}),
		urls: fetched.urls,
	};
}

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
		const result = await reachIssuer({
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
