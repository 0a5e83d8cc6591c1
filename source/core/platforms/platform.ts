/* The shape of what the doctor knows about one platform that mints tokens (a CI service, Ona, a cluster). */
import type {Check} from '../check.js';
import type {ProblemId} from '../problems/catalogue.js';

export type PlatformId =
	| 'ona'
	| 'circleci'
	| 'github'
	| 'gitlab'
	| 'buildkite'
	| 'bitbucket'
	| 'terraform'
	| 'kubernetes';

/** Which platform minted a token, and which of its token formats, judged from the claims alone. */
export type PlatformGuess = {
	platform: PlatformId | 'unknown';
	/** Ona: "V3" (flat claims) or "V2" (org/gsub); CircleCI: "v1" or "v2" sub format. */
	variant?: string;
	label: string;
};

/** What recognising a platform reads of a token: its claims, and iss, sub and the iss host as strings. */
export type TokenFacts = {claims: Record<string, unknown>; iss: string; sub: string; host: string};

/** What one of the doctor's token sources (--source) does. */
export type SourceTraits = {
	/** It asks the platform for a new token (a CLI or an HTTP call), which --offline forbids. */
	mints?: true;
	/** It can ask for a given audience, so the report can suggest another one. */
	requestsAudience?: true;
};

/** Onboarding's least-privilege role: how narrowly it is bound. */
export type OnboardingScope = 'organization' | 'project' | 'user';

/** What the role lint reads of a role, without a token: its bound claim keys, bound_subject and the mount's issuer. */
export type RoleFacts = {claimKeys: string[]; subject: string; issuer: string};

/** What the role lint knows of roles written for a platform. */
export type RoleLintTraits = {
	/**
	A role is written for this platform when it binds a claim key that `claimKeys` matches, its issuer matches
	`issuer`, or its bound_subject starts with `subjectPrefix`.
	*/
	writtenFor: {claimKeys: RegExp; issuer?: RegExp; subjectPrefix?: string};
	/** Bound claim keys that pin a role to one project (or something narrower). */
	projectClaims: RegExp;
	/** A bound_subject that pins a role to one project. */
	projectSubject?: RegExp;
	/** Who logs in when a role is bound only at the organization level, and what to bind instead. */
	organizationOnly: string;
	/** Added to the finding on a role that binds no claim and no subject, in parentheses. */
	unboundNote?: string;
	/** Findings about this platform alone, each starting with the role's label, in the order they are shown. */
	findings?(role: RoleFacts, label: string): Check[];
};

/** Everything the doctor knows about a platform; a field left out means the doctor has nothing specific to say. */
export type Platform = {
	id: PlatformId;
	/** Whether a token is this platform's, and its format; undefined when it is not. The registry order breaks ties. */
	recognise(token: TokenFacts): Omit<PlatformGuess, 'platform'> | undefined;
	/** The token sources (--source names, as probes/token-source.ts reads them) that read or mint this platform's tokens. */
	tokenSources?: Record<string, SourceTraits>;
	/** Commands or CI config that get a token with this audience, in the order to use them. */
	tokenWithAudience?(audience: string, role: string): string[];
	/** Why a job or environment got no token, and what it needs. */
	noToken?: {
		/** The config or command to add, as a snippet with a comment naming the platform. */
		snippet: string;
		/** Why the platform gives none, for the problem's cause. */
		cause: string;
		/** The platform's step of the problem's walkthrough. */
		step: string;
	};
	/** How to request an audience, in a few words, for the audience walkthrough. */
	audienceRequest?: string;
	/** The claims that bind a role to one project, in a few words, for the walkthrough of too broad roles. */
	projectClaims?: string;
	/** Why a mount that trusts another issuer still differs from the token's (issuers per organization). */
	otherIssuerHint?(iss: string): string | undefined;
	/** Why bound_subject differs from sub, when the platform's sub formats explain it. */
	subjectHint?(bound: string, sub: string): string | undefined;
	/** Why a bound claim is missing from the token, when the platform's token formats explain it. */
	missingClaimHint?(key: string, claims: Record<string, unknown>): string | undefined;
	/** A config change that makes the platform put a missing bound claim in its tokens, as a snippet line. */
	missingClaimFix?(key: string): string | undefined;
	/** A warning about the token's format itself: a legacy version without the claims the guides bind. */
	tokenWarning?(guess: PlatformGuess): {title: string; problem: ProblemId; message: string} | undefined;
	/** Onboarding: the claims a least-privilege role binds (values come from the token). */
	onboarding?: {
		bindings(claims: Record<string, unknown>, scope?: OnboardingScope): string[];
		/** Claims that name the organization: bindings without any of them let other organizations in. */
		organizationClaims?: string[];
	};
	/** Auditing a role for this platform (registered in the role lint's guessing order, all.ts). */
	roleLint?: RoleLintTraits;
};

/** The claim is there and not null. */
export const hasClaim = (claims: Record<string, unknown>, key: string) =>
	Object.hasOwn(claims, key) && claims[key] !== undefined && claims[key] !== null;
