/* Which platform minted a token, from its claims alone: the first platform of the registry to recognise it. */
import {platforms} from './all.js';
import type {PlatformGuess} from './platform.js';

export function detectPlatform(claims: Record<string, unknown>): PlatformGuess {
	const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
	const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
	let host = '';
	try {
		host = new URL(iss).host;
	} catch {}

	for (const platform of platforms) {
		const recognised = platform.recognise({claims, iss, sub, host});
		if (recognised) return {platform: platform.id, ...recognised};
	}

	return {platform: 'unknown', label: 'token from an unrecognised issuer'};
}
