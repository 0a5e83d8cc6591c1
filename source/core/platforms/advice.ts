/*
What the rest of the doctor asks about platforms. Advice for one token goes to its platform's table; where the
platform is unknown, or a hint does not depend on it, every platform is asked in the registry's order.
*/
import {noTokenListing, noTokenWalkthrough, platformById, platforms, roleLintOrder} from './all.js';
import type {
	Platform,
	PlatformGuess,
	PlatformId,
	RoleFacts,
	RoleLintTraits,
	SourceTraits,
} from './platform.js';

const platformOf = (guess: PlatformGuess | undefined) => (guess ? platformById(guess.platform) : undefined);

/** The first answer of the platforms, in the registry's order. */
function firstAnswer(ask: (platform: Platform) => string | undefined): string | undefined {
	for (const platform of platforms) {
		const answer = ask(platform);
		if (answer !== undefined) return answer;
	}

	return undefined;
}

const noTokenAdvice = (ids: readonly PlatformId[]) => ids.flatMap(id => platformById(id)?.noToken ?? []);

/** Commands or CI config that get a token with this audience on the token's platform; undefined when none is known. */
export function tokenWithAudience(
	guess: PlatformGuess | undefined,
	audience: string,
	role: string,
): string[] | undefined {
	return platformOf(guess)?.tokenWithAudience?.(audience, role);
}

/** What to add so the platform gives a token: its own snippet, or every platform's when it is not known. */
export function noTokenSnippets(guess: PlatformGuess | undefined): string[] {
	if (!guess || guess.platform === 'unknown')
		return noTokenAdvice(noTokenListing).map(advice => advice.snippet);
	const own = platformOf(guess)?.noToken;
	return own ? [own.snippet] : [];
}

/** Why each platform gives no token, one clause each, for the no-token problem's cause. */
export const noTokenCauses = (): string[] => noTokenAdvice(noTokenWalkthrough).map(advice => advice.cause);

/** Each platform's step of the no-token problem's walkthrough. */
export const noTokenSteps = (): string[] => noTokenAdvice(noTokenWalkthrough).map(advice => advice.step);

/** Each platform's words for a walkthrough that names them all: how to request an audience, what binds a project. */
export function walkthroughPhrases(about: 'audienceRequest' | 'projectClaims'): string[] {
	return platforms.flatMap(platform => platform[about] ?? []);
}

/** The platform whose tokens a token source reads or mints. */
const sourceOwner = (source: string) =>
	platforms.find(
		platform => platform.tokenSources !== undefined && Object.hasOwn(platform.tokenSources, source),
	);

/**
The platform of a token source that failed, for its advice only (not every CI's). A platform without no-token
advice of its own is not named, so that every platform's advice is shown instead of none.
*/
export function sourcePlatform(source: string): PlatformGuess | undefined {
	const platform = sourceOwner(source);
	return platform?.noToken ? {platform: platform.id, label: platform.id} : undefined;
}

const sourceTraits = (source: string): SourceTraits | undefined =>
	sourceOwner(source)?.tokenSources?.[source];

/** Whether the token source asks the platform for a new token (a CLI or an HTTP call). */
export const sourceMints = (source: string) => sourceTraits(source)?.mints === true;

/** Whether the token source can ask the platform for a given audience. */
export const sourceRequestsAudience = (source: string) => sourceTraits(source)?.requestsAudience === true;

/** Why a mount that trusts another issuer of the same platform still rejects the token (issuers per organization). */
export const otherIssuerHint = (iss: string) => firstAnswer(platform => platform.otherIssuerHint?.(iss));

/** Why bound_subject differs from sub, when a platform's sub formats explain it. */
export const platformSubjectHint = (bound: string, sub: string) =>
	firstAnswer(platform => platform.subjectHint?.(bound, sub));

/** Why a bound claim is missing, when a platform's token formats explain it. */
export const platformMissingClaimHint = (key: string, claims: Record<string, unknown>) =>
	firstAnswer(platform => platform.missingClaimHint?.(key, claims));

/** The platform config change that puts a missing bound claim into the tokens, as a snippet line. */
export const missingClaimFix = (key: string) => firstAnswer(platform => platform.missingClaimFix?.(key));

/** A warning about the token's format itself, from its platform. */
export function tokenWarning(guess: PlatformGuess) {
	return platformOf(guess)?.tokenWarning?.(guess);
}

/** A platform the role lint knows, with what it knows. */
export type RoleLintPlatform = {id: PlatformId; roleLint: RoleLintTraits};

const roleLintPlatforms = (): RoleLintPlatform[] =>
	roleLintOrder.flatMap(id => {
		const roleLint = platformById(id)?.roleLint;
		return roleLint ? [{id, roleLint}] : [];
	});

function writtenFor({claimKeys, subject, issuer}: RoleFacts, traits: RoleLintTraits): boolean {
	const {writtenFor} = traits;
	return (
		claimKeys.some(key => writtenFor.claimKeys.test(key)) ||
		(writtenFor.issuer?.test(issuer) ?? false) ||
		(writtenFor.subjectPrefix !== undefined && subject.startsWith(writtenFor.subjectPrefix))
	);
}

/**
The platform a role is written for: the token's, when one was decoded and the role lint knows its platform, else
the first in the role lint's order that the role's claim keys, subject or issuer name; undefined when none does.
*/
export function roleLintPlatform(role: RoleFacts, tokenPlatform?: string): RoleLintPlatform | undefined {
	const known = roleLintPlatforms();
	return (
		known.find(platform => platform.id === tokenPlatform) ??
		known.find(platform => writtenFor(role, platform.roleLint))
	);
}
