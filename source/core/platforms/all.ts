/* Every platform the doctor knows. A new platform is a module of its own, registered here. */
import {bitbucket} from './bitbucket.js';
import {buildkite} from './buildkite.js';
import {circleci} from './circleci.js';
import {github} from './github.js';
import {gitlab} from './gitlab.js';
import {kubernetes} from './kubernetes.js';
import {ona} from './ona.js';
import type {Platform, PlatformId} from './platform.js';
import {terraform} from './terraform.js';

/**
In the order detection tries them, the first to recognise a token naming it: platforms recognised by claims
alone (Ona by its flat claims, GitLab by project_path and ref_protected) could otherwise take another's token.
Lists of platforms in advice follow this order too, unless they say otherwise below.
*/
export const platforms: readonly Platform[] = [
	ona,
	circleci,
	github,
	buildkite,
	bitbucket,
	terraform,
	kubernetes,
	gitlab,
];

/** The no-token snippets shown when the token's platform is unknown, in the order they are shown. */
export const noTokenListing: readonly PlatformId[] = ['github', 'gitlab', 'circleci', 'ona'];

/** The order the no-token problem's cause and walkthrough name the platforms in. */
export const noTokenWalkthrough: readonly PlatformId[] = ['circleci', 'github', 'gitlab', 'ona'];

/**
The platforms the role lint knows, in the order it guesses a role's platform when no token says: the first whose
claim keys, issuer or subject prefix the role names. The order decides roles that name several (an org/ subject
with Ona's org claim is CircleCI's; project_id with project_path is Ona's).
*/
export const roleLintOrder: readonly PlatformId[] = [
	'circleci',
	'ona',
	'github',
	'gitlab',
	'buildkite',
	'terraform',
];

export function platformById(id: string): Platform | undefined {
	return platforms.find(platform => platform.id === id);
}
