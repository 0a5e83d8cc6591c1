import assert from 'node:assert/strict';
import {after, before, test} from 'node:test';
import {type AuditResult, auditPasses, auditVault} from '../source/core/admin/audit.js';
import {findRoles} from '../source/core/admin/find-role.js';
import {parseConfig} from '../source/core/login/config.js';
import {defaultHttpSettings} from '../source/core/probes/http.js';
import {VaultReader, vaultConnectionFromEnv} from '../source/core/probes/vault.js';
import {onaClaims, onaRole, organizationId, readerToken, startWorld, type World} from './helpers/world.js';

let world: World;

before(async () => {
	world = await startWorld();
});

after(async () => {
	await world.close();
});

const newReader = () =>
	new VaultReader(
		vaultConnectionFromEnv(
			{VAULT_TOKEN: readerToken, HOME: '/nonexistent'},
			{vaultAddr: world.vault.url},
			defaultHttpSettings,
		),
	);

const orgOnlyRole = {...onaRole, bound_claims: {organization_id: organizationId}};

const found = (result: AuditResult, role: string | undefined) =>
	result.findings
		.filter(finding => finding.role === role)
		.map(finding => [finding.mount, finding.problem, finding.severity]);

test('audit: each kind of finding on its role, with mount and severity; the good role has none', async () => {
	const mounts = world.vault.mounts();
	mounts['ci'] = {
		config: {oidc_discovery_url: world.issuer.issuer, oidc_client_id: 'vault-ui'},
		roles: {
			'org-only': orgOnlyRole,
			'no-audience': {...onaRole, bound_audiences: undefined},
			wildcard: {
				...onaRole,
				bound_claims_type: 'glob',
				bound_claims: {organization_id: '*', project_id: 'p'},
			},
			'long-ttl': {...onaRole, token_ttl: 48 * 3600, token_max_ttl: 7 * 24 * 3600},
			circleci: {
				...onaRole,
				bound_audiences: ['circleci-org'],
				bound_claims: {'oidc.circleci.com/project-id': 'p1', 'oidc.circleci.com/context-ids': 'c1'},
			},
			browser: {...onaRole, role_type: 'oidc'},
			good: onaRole,
		},
	};
	mounts['static'] = {
		config: {jwks_url: world.issuer.jwksUrl, jwt_supported_algs: ['RS256', 'HS256']},
		roles: {good: onaRole},
	};

	const progress: Array<[number, number]> = [];
	const result = await auditVault(newReader(), {onProgress: (done, total) => progress.push([done, total])});

	assert.equal(result.schemaVersion, 1);
	assert.deepEqual(result.mounts, [
		{path: 'ci', type: 'jwt', roles: 7, configReadable: true},
		{path: 'jwt', type: 'jwt', roles: 1, configReadable: true},
		{path: 'static', type: 'jwt', roles: 1, configReadable: true},
	]);
	assert.equal(result.rolesRead, 9);
	assert.deepEqual(result.rolesUnreadable, []);
	assert.deepEqual(progress.at(-1), [9, 9]);

	assert.deepEqual(found(result, 'org-only'), [['ci', 'role-too-broad', 'high']]);
	assert.deepEqual(found(result, 'no-audience'), [['ci', 'role-no-audience', 'medium']]);
	assert.deepEqual(found(result, 'wildcard'), [['ci', 'role-wildcard', 'high']]);
	assert.deepEqual(found(result, 'long-ttl'), [['ci', 'role-long-ttl', 'low']]);
	assert.deepEqual(found(result, 'circleci'), [['ci', 'role-fork-exposed', 'medium']]);
	assert.deepEqual(found(result, 'browser'), [['ci', 'role-type-oidc', 'medium']]);
	assert.match(
		result.findings.find(finding => finding.role === 'browser')?.message ?? '',
		/has no redirect URIs: probably a JWT role whose update dropped role_type/,
	);
	assert.deepEqual(found(result, 'good'), []);
	assert.deepEqual(found(result, 'ona-project'), []);

	assert.deepEqual(found(result, undefined), [
		['ci', 'config-unsupported', 'high'],
		['static', 'algorithm-not-allowed', 'medium'],
		['static', 'issuer-mismatch', 'low'],
	]);
	assert.match(
		result.findings.find(finding => finding.problem === 'config-unsupported')?.message ?? '',
		/JWT login is impossible on this mount in Vault/,
	);

	assert.equal(auditPasses(result, 'high'), false);
	assert.equal(auditPasses(result, 'none'), true);
	const onlyLow = {...result, findings: result.findings.filter(finding => finding.severity === 'low')};
	assert.deepEqual([auditPasses(onlyLow, 'medium'), auditPasses(onlyLow, 'low')], [true, false]);
});

test('audit: an OIDC client id on a mount with only browser roles is no finding; unreadable roles are listed', async () => {
	world.vault.mounts()['browser'] = {
		type: 'oidc',
		config: {oidc_discovery_url: world.issuer.issuer, oidc_client_id: 'vault-ui'},
		roles: {
			ui: {...onaRole, role_type: 'oidc', allowed_redirect_uris: ['https://vault.example/ui/callback']},
		},
	};
	world.vault.state.failNext.push({path: /auth\/browser\/role\/ui$/, status: 403, body: '{"errors":[]}'});
	const denied = await auditVault(newReader(), {mounts: ['browser']});
	assert.deepEqual([denied.rolesRead, denied.rolesUnreadable], [0, ['auth/browser/role/ui']]);

	const result = await auditVault(newReader(), {mounts: ['auth/browser/']});
	assert.deepEqual(result.mounts, [{path: 'browser', type: 'oidc', roles: 1, configReadable: true}]);
	assert.deepEqual([result.rolesRead, result.findings], [1, []]);
});

test('audit: 1,000 roles, never more than `concurrency` requests in flight', async () => {
	const roles: Record<string, Record<string, unknown>> = {};
	for (let index = 0; index < 1000; index++) {
		roles[`role-${String(index).padStart(4, '0')}`] = index % 2 === 0 ? onaRole : orgOnlyRole;
	}

	world.vault.mounts()['bulk'] = {config: {oidc_discovery_url: world.issuer.issuer}, roles};

	const reader = newReader();
	let inFlight = 0;
	let peak = 0;
	const counted = async <T>(run: () => Promise<T>): Promise<T> => {
		peak = Math.max(peak, ++inFlight);
		try {
			return await run();
		} finally {
			inFlight--;
		}
	};

	const read = reader.read.bind(reader);
	const list = reader.list.bind(reader);
	reader.read = path => counted(() => read(path));
	reader.list = path => counted(() => list(path));

	const result = await auditVault(reader, {mounts: ['bulk'], concurrency: 8});
	assert.equal(result.rolesRead, 1000);
	assert.equal(result.findings.filter(finding => finding.problem === 'role-too-broad').length, 500);
	assert.equal(result.findings.length, 500);
	assert.ok(peak <= 8, `at most 8 requests in flight, saw ${peak}`);
	assert.ok(peak > 1, `the reads overlap, saw ${peak}`);
});

test('findRoles: the roles that accept the token first, then by fewest failures, each with its first failure', async () => {
	const config = {oidc_discovery_url: world.issuer.issuer};
	world.vault.mounts()['find'] = {
		config,
		roles: {
			'a-all-wrong': {
				...onaRole,
				bound_audiences: ['sts.amazonaws.com'],
				bound_claims: {organization_id: 'another-org'},
			},
			'b-project': onaRole,
			'c-organization': orgOnlyRole,
			'd-audience': {...onaRole, bound_audiences: ['sts.amazonaws.com']},
			'e-other-org': {...onaRole, bound_claims: {organization_id: 'another-org'}},
		},
	};

	const token = await world.issuer.sign(onaClaims(world));
	const {candidates, unreadable} = await findRoles(newReader(), {
		mount: 'find',
		token,
		config: parseConfig(config),
		issuer: {discoveryIssuer: world.issuer.issuer, jwks: world.issuer.publicJwks()},
		concurrency: 2,
	});

	assert.deepEqual(unreadable, []);
	assert.deepEqual(
		candidates.map(candidate => [
			candidate.role,
			candidate.allowed,
			candidate.failures,
			candidate.firstFailure?.problem,
		]),
		[
			['b-project', true, 0, undefined],
			['c-organization', true, 0, undefined],
			['d-audience', false, 1, 'audience-mismatch'],
			['e-other-org', false, 1, 'bound-claim-mismatch'],
			['a-all-wrong', false, 2, 'audience-mismatch'],
		],
	);
	const audience = candidates.find(candidate => candidate.role === 'd-audience');
	assert.equal(audience?.firstFailure?.id, 'login.audience');
	assert.match(audience?.vaultError ?? '', /invalid audience \(aud\) claim/);
	assert.equal(
		candidates.find(candidate => candidate.role === 'e-other-org')?.firstFailure?.id,
		'login.bound-claims/organization_id',
	);
});
