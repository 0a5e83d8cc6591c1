/* The platform tables: what each platform answers, and the registry's promises. */
import assert from 'node:assert/strict';
import test from 'node:test';
import {onboardPlatforms} from '../source/core/admin/onboard.js';
import {lintRole} from '../source/core/admin/role-lint.js';
import {parseRole} from '../source/core/login/role.js';
import {
	missingClaimFix,
	noTokenCauses,
	noTokenSnippets,
	noTokenSteps,
	otherIssuerHint,
	platformMissingClaimHint,
	platformSubjectHint,
	roleLintPlatform,
	sourceMints,
	sourcePlatform,
	sourceRequestsAudience,
	tokenWarning,
	tokenWithAudience,
	walkthroughPhrases,
} from '../source/core/platforms/advice.js';
import {
	noTokenListing,
	noTokenWalkthrough,
	platformById,
	platforms,
	roleLintOrder,
} from '../source/core/platforms/all.js';
import {detectPlatform} from '../source/core/platforms/detect.js';
import type {PlatformGuess, PlatformId} from '../source/core/platforms/platform.js';
import {tokenSources} from '../source/core/token-source-names.js';

const guess = (platform: PlatformId | 'unknown'): PlatformGuess => ({platform, label: platform});

test('each platform recognises its own token, and the first in the registry wins a tie', () => {
	const cases: Array<[Record<string, unknown>, string, string | undefined]> = [
		[
			{iss: 'https://app.gitpod.io', organization_id: 'o', environment_id: 'e'},
			'Ona V3 environment token',
			'V3',
		],
		[{iss: 'https://app.gitpod.io', org: 'o', gsub: {}}, 'Ona V2 (legacy) token', 'V2'],
		[{iss: 'https://app.gitpod.io', sub: 'org:o/env:e'}, 'Ona legacy slash-path token', 'V1'],
		[
			{iss: 'https://oidc.circleci.com/org/o', sub: 'org/o/project/p/user/u/vcs-origin/x/vcs-ref/y'},
			'CircleCI v2 token ($CIRCLE_OIDC_TOKEN_V2)',
			'v2',
		],
		[
			{'oidc.circleci.com/project-id': 'p', sub: 'org/o/project/p/user/u'},
			'CircleCI v1 token ($CIRCLE_OIDC_TOKEN)',
			'v1',
		],
		[{iss: 'https://token.actions.githubusercontent.com'}, 'GitHub Actions token', undefined],
		[{iss: 'https://ghe.example.com/_services/token'}, 'GitHub Actions token', undefined],
		[{iss: 'https://agent.buildkite.com'}, 'Buildkite token', undefined],
		[
			{iss: 'https://api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc'},
			'Bitbucket Pipelines token',
			undefined,
		],
		[{terraform_run_phase: 'apply'}, 'HCP Terraform workload identity token', undefined],
		[{'kubernetes.io': {namespace: 'n'}}, 'Kubernetes service account token', undefined],
		[
			{iss: 'https://gitlab.com', project_path: 'g/p', ref_protected: 'true'},
			'GitLab CI id_token',
			undefined,
		],
		[{iss: 'https://issuer.example'}, 'token from an unrecognised issuer', undefined],
		// Ona's flat claims under GitHub's issuer: Ona comes first in the registry.
		[
			{iss: 'https://token.actions.githubusercontent.com', organization_id: 'o', environment_id: 'e'},
			'Ona V3 environment token',
			'V3',
		],
	];
	for (const [claims, label, variant] of cases) {
		const detected = detectPlatform(claims);
		assert.equal(detected.label, label, JSON.stringify(claims));
		assert.equal(detected.variant, variant, JSON.stringify(claims));
	}
});

test('a token with an audience: each platform has its own way, unknown platforms none', () => {
	assert.deepEqual(tokenWithAudience(guess('ona'), 'vault', 'deploy'), [
		'ona idp token --audience vault',
		'ona idp login vault --role deploy --audience vault',
	]);
	assert.deepEqual(tokenWithAudience(guess('circleci'), 'a b', 'r'), [
		`circleci run oidc get --claims '{"aud":"a b"}'`,
	]);
	assert.match(tokenWithAudience(guess('github'), 'vault', 'r')![0]!, /jwtGithubAudience: "vault"$/);
	assert.equal(
		tokenWithAudience(guess('gitlab'), 'vault', 'r')![0],
		'# .gitlab-ci.yml\nid_tokens:\n  VAULT_ID_TOKEN:\n    aud: "vault"',
	);
	assert.deepEqual(tokenWithAudience(guess('buildkite'), "it's", 'r'), [
		`buildkite-agent oidc request-token --audience 'it'\\''s'`,
	]);
	for (const platform of ['bitbucket', 'terraform', 'kubernetes', 'unknown'] as const)
		assert.equal(tokenWithAudience(guess(platform), 'vault', 'r'), undefined, platform);
	assert.equal(tokenWithAudience(undefined, 'vault', 'r'), undefined);
});

test("no token: the platform's own snippet, none for a platform without advice, all when unknown", () => {
	assert.deepEqual(noTokenSnippets(guess('ona')), [
		'# Ona: inside an environment\nona idp token --audience vault.hashicorp.com',
	]);
	assert.match(
		noTokenSnippets(guess('github'))[0]!,
		/^# GitHub Actions: .*\npermissions:\n {2}id-token: write/,
	);
	assert.deepEqual(noTokenSnippets(guess('buildkite')), []);
	const all = noTokenSnippets(undefined);
	assert.deepEqual(
		all.map(snippet => /^# (\w+)/.exec(snippet)![1]),
		['GitHub', 'GitLab', 'CircleCI', 'Ona'],
	);
	assert.deepEqual(noTokenSnippets(guess('unknown')), all);
});

test('the orders of the no-token lists name exactly the platforms that have no-token advice', () => {
	const withAdvice = platforms.filter(platform => platform.noToken).map(platform => platform.id);
	assert.deepEqual([...noTokenListing].sort(), [...withAdvice].sort());
	assert.deepEqual([...noTokenWalkthrough].sort(), [...withAdvice].sort());
	assert.deepEqual(noTokenSteps(), [
		'CircleCI: use $CIRCLE_OIDC_TOKEN_V2 inside a job',
		'GitHub: add permissions: id-token: write',
		'GitLab: add id_tokens: VAULT_ID_TOKEN: aud: <aud>',
		'Ona: run ona idp token --audience vault.hashicorp.com',
	]);
	assert.equal(noTokenCauses().length, 4);
});

test('walkthrough phrases come from the platforms that have them, in registry order', () => {
	assert.deepEqual(walkthroughPhrases('projectClaims'), [
		'Ona project_id',
		'CircleCI oidc.circleci.com/project-id and context-ids',
		'GitHub repository and ref or environment',
		'GitLab project_id and ref_protected',
	]);
	assert.equal(walkthroughPhrases('audienceRequest').length, 4);
	assert.match(walkthroughPhrases('audienceRequest')[0]!, /^ona idp token --audience /);
});

test('token sources: each belongs to one platform; which mint, which take an audience', () => {
	const owners = new Map<string, string>();
	for (const platform of platforms)
		for (const source of Object.keys(platform.tokenSources ?? {})) {
			assert.ok((tokenSources as readonly string[]).includes(source), `${platform.id} names ${source}`);
			assert.equal(owners.get(source), undefined, `${source} belongs to two platforms`);
			owners.set(source, platform.id);
		}
	assert.deepEqual(
		tokenSources.filter(source => sourceMints(source)),
		['ona', 'github', 'buildkite'],
	);
	assert.deepEqual(
		tokenSources.filter(source => sourceRequestsAudience(source)),
		['ona', 'circleci', 'github', 'buildkite'],
	);
	// Buildkite has no no-token advice of its own: every platform's is shown rather than none.
	assert.deepEqual(
		Object.fromEntries(tokenSources.map(source => [source, sourcePlatform(source)?.platform])),
		{
			auto: undefined,
			ona: 'ona',
			circleci: 'circleci',
			'circleci-v1': 'circleci',
			github: 'github',
			gitlab: 'gitlab',
			buildkite: undefined,
			file: undefined,
			env: undefined,
			stdin: undefined,
		},
	);
	assert.deepEqual(sourcePlatform('circleci-v1'), {platform: 'circleci', label: 'circleci'});
	assert.equal(sourceMints('constructor'), false, 'only own keys are sources');
});

test("hints that read the platform's sub and claim formats", () => {
	const circle = 'org/o/project/p/user/u';
	assert.match(
		platformSubjectHint(circle, `${circle}/vcs-origin/gh/vcs-ref/main`) ?? '',
		/CircleCI v2 token/,
	);
	assert.match(
		platformSubjectHint(`${circle}/vcs-origin/gh/vcs-ref/main`, circle) ?? '',
		/use \$CIRCLE_OIDC_TOKEN_V2/,
	);
	assert.match(
		platformSubjectHint('repo:o/r:ref:refs/heads/main', 'repo:o/r:environment:prod') ?? '',
		/environment, which replaces ref/,
	);
	assert.equal(platformSubjectHint('a', 'b'), undefined);
	assert.match(platformMissingClaimHint('organization_id', {org: 'o'}) ?? '', /Ona V2 token/);
	assert.match(
		platformMissingClaimHint('project_id', {environment_id: 'e'}) ?? '',
		/not created from a project/,
	);
	assert.match(platformMissingClaimHint('oidc.circleci.com/vcs-ref', {}) ?? '', /custom webhook/);
	assert.equal(platformMissingClaimHint('repository', {}), undefined);
	assert.match(missingClaimFix('oidc.circleci.com/context-ids') ?? '', /^# Add the context to the job/);
	assert.equal(missingClaimFix('repository'), undefined);
	assert.match(otherIssuerHint('https://oidc.circleci.com/org/abc') ?? '', /per organization/);
	assert.equal(otherIssuerHint('https://gitlab.com'), undefined);
});

test('a legacy Ona token is warned about; a V3 token and other platforms are not', () => {
	const warning = tokenWarning({platform: 'ona', variant: 'V2', label: 'Ona V2 (legacy) token'});
	assert.equal(warning?.title, 'Ona token version');
	assert.equal(warning?.problem, 'bound-claim-missing');
	assert.match(warning?.message ?? '', /^This is an Ona V2 \(legacy\) token: it has no flat claims/);
	assert.equal(tokenWarning({platform: 'ona', variant: 'V3', label: 'Ona V3 user token'}), undefined);
	assert.equal(tokenWarning({platform: 'circleci', variant: 'v1', label: 'CircleCI v1 token'}), undefined);
});

test('onboarding: the platforms with a template, and what each binds', () => {
	assert.deepEqual(onboardPlatforms, ['ona', 'circleci', 'github', 'gitlab', 'generic']);
	const bind = (
		id: PlatformId,
		claims: Record<string, unknown>,
		scope?: 'organization' | 'project' | 'user',
	) => platformById(id)!.onboarding!.bindings(claims, scope);
	assert.deepEqual(bind('ona', {organization_id: 'o', project_id: 'p'}), ['organization_id', 'project_id']);
	assert.deepEqual(bind('ona', {organization_id: 'o', email: 'e@x'}, 'user'), ['organization_id', 'email']);
	assert.deepEqual(bind('ona', {org: 'o'}), ['org']);
	assert.deepEqual(bind('github', {repository: 'o/r', environment: 'prod', ref: 'main'}), [
		'repository',
		'environment',
	]);
	assert.deepEqual(bind('gitlab', {project_path: 'g/p', ref: 'main'}), ['project_path', 'ref']);
	assert.deepEqual(
		bind('circleci', {'oidc.circleci.com/project-id': 'p', 'oidc.circleci.com/vcs-ref': null}),
		['oidc.circleci.com/project-id'],
	);
	assert.deepEqual(platformById('ona')!.onboarding!.organizationClaims, ['organization_id', 'org']);
});

const roleFacts = (claimKeys: string[], subject = '', issuer = '') => ({claimKeys, subject, issuer});
const roleLintOf = (id: PlatformId) => platformById(id)!.roleLint!;

test("the role lint's order names exactly the platforms that have role-lint traits", () => {
	const withTraits = platforms.filter(platform => platform.roleLint).map(platform => platform.id);
	assert.deepEqual([...roleLintOrder].sort(), [...withTraits].sort());
	assert.equal(new Set(roleLintOrder).size, roleLintOrder.length);
	assert.deepEqual(roleLintOrder, ['circleci', 'ona', 'github', 'gitlab', 'buildkite', 'terraform']);
	for (const id of roleLintOrder) {
		const {organizationOnly} = roleLintOf(id);
		assert.match(organizationOnly, /^\S.*; bind \S/, id);
		assert.doesNotMatch(organizationOnly, /\.$/, `${id}: the lint ends the sentence`);
	}
});

test("a role's platform, without a token: by its claim keys, issuer or subject, the lint's order breaking ties", () => {
	const guessed = (...facts: Parameters<typeof roleFacts>) => roleLintPlatform(roleFacts(...facts))?.id;
	assert.equal(guessed(['oidc.circleci.com/project-id']), 'circleci');
	assert.equal(guessed([], '', 'https://oidc.circleci.com/org/o'), 'circleci');
	assert.equal(guessed([], 'org/o/project/p/user/u'), 'circleci');
	assert.equal(guessed(['organization_id']), 'ona');
	assert.equal(guessed(['gsub']), 'ona');
	assert.equal(guessed([], '', 'https://app.gitpod.io'), 'ona');
	assert.equal(guessed([], '', 'https://app.ona.com'), 'ona');
	assert.equal(guessed(['job_workflow_ref']), 'github');
	assert.equal(guessed([], 'repo:o/r:ref:refs/heads/main'), 'github');
	assert.equal(guessed([], '', 'https://token.actions.githubusercontent.com'), 'github');
	assert.equal(guessed(['namespace_path']), 'gitlab');
	assert.equal(guessed([], 'project_path:g/p:ref_type:branch:ref:main'), 'gitlab');
	assert.equal(guessed(['pipeline_slug']), 'buildkite');
	assert.equal(guessed([], '', 'https://agent.buildkite.com'), 'buildkite');
	assert.equal(guessed(['terraform_workspace_id']), 'terraform');
	assert.equal(guessed([], '', 'https://app.terraform.io'), 'terraform');
	// Several named: the first in the lint's order, not the registry's.
	assert.equal(guessed(['org'], 'org/o/project/p/user/u'), 'circleci');
	assert.equal(guessed(['project_id', 'project_path']), 'ona');
	assert.equal(guessed(['project_path', 'organization_slug']), 'gitlab');
	// Claim-key patterns are for claim keys: an issuer that looks like a key names no platform.
	assert.equal(guessed([], '', 'terraform_x'), undefined);
	assert.equal(guessed([], '', 'oidc.circleci.com/org/o'), 'circleci');
	// Keys the lint does not tie to one platform, and platforms it has no traits for.
	assert.equal(guessed(['project_id_x', 'ref', 'environment']), undefined);
	assert.equal(guessed([], 'system:serviceaccount:n:s', 'https://kubernetes.default.svc'), undefined);
	assert.equal(
		guessed([], '', 'https://api.bitbucket.org/2.0/workspaces/w/pipelines-config/identity/oidc'),
		undefined,
	);
});

test("a role's platform with a token: the token's platform when the lint knows it, else the guess", () => {
	const circleRole = roleFacts(['oidc.circleci.com/project-id'], 'org/o/project/p/user/u');
	assert.equal(roleLintPlatform(circleRole, 'gitlab')?.id, 'gitlab');
	assert.equal(roleLintPlatform(circleRole, 'terraform')?.id, 'terraform');
	for (const unknownToTheLint of ['bitbucket', 'kubernetes', 'unknown', '', 'constructor'])
		assert.equal(roleLintPlatform(circleRole, unknownToTheLint)?.id, 'circleci', unknownToTheLint);
	assert.equal(roleLintPlatform(roleFacts([]), 'kubernetes'), undefined);
	assert.equal(roleLintPlatform(roleFacts([]), 'buildkite')?.roleLint, roleLintOf('buildkite'));
});

test('what pins a role to one project, per platform', () => {
	const pins = (id: PlatformId, key: string) => roleLintOf(id).projectClaims.test(key);
	assert.ok(pins('ona', 'project_id') && pins('ona', 'email') && pins('ona', '/gsub/id'));
	assert.ok(!pins('ona', 'organization_id') && !pins('ona', 'org'));
	assert.ok(pins('circleci', 'oidc.circleci.com/project-id'));
	assert.ok(
		!pins('circleci', 'oidc.circleci.com/org-id') && !pins('circleci', 'oidc.circleci.com/context-ids'),
	);
	assert.ok(
		pins('github', 'repository') && pins('github', 'environment') && !pins('github', 'repository_owner'),
	);
	assert.ok(
		pins('gitlab', 'project_id') && pins('gitlab', 'project_path') && !pins('gitlab', 'namespace_path'),
	);
	assert.ok(pins('buildkite', 'pipeline_slug') && !pins('buildkite', 'organization_slug'));
	assert.ok(pins('terraform', 'terraform_full_workspace') && !pins('terraform', 'terraform_organization_id'));

	const pinsSubject = (id: PlatformId, subject: string) =>
		roleLintOf(id).projectSubject?.test(subject) ?? false;
	assert.ok(pinsSubject('circleci', 'org/o/project/p/user/u'));
	assert.ok(!pinsSubject('circleci', 'org/o/project/*/user/u'));
	assert.ok(!pinsSubject('circleci', 'org/o'));
	assert.ok(pinsSubject('github', 'repo:o/r:ref:refs/heads/main'));
	assert.ok(!pinsSubject('github', 'repo:o/*:ref:refs/heads/main'));
	assert.ok(!pinsSubject('github', 'repo:o/r'));
	assert.ok(pinsSubject('gitlab', 'project_path:g/p:ref_type:branch'));
	assert.ok(!pinsSubject('gitlab', 'project_path:g/*:ref_type:branch'));
	for (const id of ['ona', 'buildkite', 'terraform'] as const)
		assert.equal(roleLintOf(id).projectSubject, undefined, id);
});

test('only Buildkite notes its shared issuer, and only CircleCI adds findings of its own', () => {
	assert.deepEqual(
		roleLintOrder.filter(id => roleLintOf(id).unboundNote !== undefined),
		['buildkite'],
	);
	assert.deepEqual(
		roleLintOrder.filter(id => roleLintOf(id).findings !== undefined),
		['circleci'],
	);
	const circleFindings = (claimKeys: string[], subject = '') =>
		roleLintOf('circleci').findings!(roleFacts(claimKeys, subject), 'LABEL').map(check => [
			check.id,
			check.severity,
			check.problem,
			check.message.split(':')[0],
		]);
	assert.deepEqual(circleFindings(['oidc.circleci.com/project-id']), [
		['role.forks', 'medium', 'role-fork-exposed', 'LABEL does not bind oidc.circleci.com/vcs-origin'],
		[
			'role.context',
			'low',
			'role-too-broad',
			'LABEL binds the project but not oidc.circleci.com/context-ids',
		],
	]);
	assert.deepEqual(
		circleFindings([
			'oidc.circleci.com/project-id',
			'oidc.circleci.com/context-ids',
			'oidc.circleci.com/vcs-origin',
		]),
		[],
	);
	// vcs-origin in a v2 subject counts; context-ids matter only once the project is bound.
	assert.deepEqual(circleFindings([], 'org/o/project/p/user/u/vcs-origin/gh/vcs-ref/main'), []);
	assert.deepEqual(circleFindings(['oidc.circleci.com/context-ids'], 'org/o'), [
		['role.forks', 'medium', 'role-fork-exposed', 'LABEL does not bind oidc.circleci.com/vcs-origin'],
	]);
});

test('the role lint says what the tables say', () => {
	const lint = (data: Record<string, unknown>, issuer = '', tokenPlatform?: string) =>
		lintRole(parseRole({bound_audiences: ['vault'], token_ttl: 600, token_max_ttl: 3600, ...data}), {
			mount: 'jwt',
			roleName: 'r',
			issuer,
			...(tokenPlatform === undefined ? {} : {tokenPlatform}),
		}).map(check => `${check.id}: ${check.message}`);
	assert.deepEqual(lint({}, 'https://agent.buildkite.com'), [
		"role.scope: auth/jwt/role/r binds no claim and no subject: any token from the issuer with the audience logs in (Buildkite's issuer is shared by every customer).",
	]);
	assert.deepEqual(lint({}, 'https://issuer.example'), [
		'role.scope: auth/jwt/role/r binds no claim and no subject: any token from the issuer with the audience logs in.',
	]);
	assert.deepEqual(lint({bound_claims: {terraform_organization_id: 'o'}}), [
		'role.scope: auth/jwt/role/r is bound only at the organization level: every workspace of the organization can log in; bind the workspace.',
	]);
	assert.deepEqual(lint({bound_claims: {terraform_workspace_id: 'w'}}), []);
	// The token's platform decides: a role a GitLab token logs in to is linted as GitLab's.
	assert.deepEqual(lint({bound_claims: {organization_id: 'o'}}, '', 'gitlab'), [
		'role.scope: auth/jwt/role/r is bound only at the organization level: any project on the GitLab instance (or group) can log in; bind project_id.',
	]);
	assert.deepEqual(lint({bound_claims: {'oidc.circleci.com/project-id': 'p'}}), [
		'role.forks: auth/jwt/role/r does not bind oidc.circleci.com/vcs-origin: if the project passes secrets to forked pull requests, a fork can log in as this role.',
		"role.context: auth/jwt/role/r binds the project but not oidc.circleci.com/context-ids: binding a context adds an admin-controlled gate (HashiCorp's CircleCI guide recommends it for production roles).",
	]);
	assert.deepEqual(
		lint({bound_claims: {'oidc.circleci.com/project-id': 'p'}, token_policies: ['root']}).map(
			line => line.split(':')[0],
		),
		['role.forks', 'role.context', 'role.policies'],
	);
});
