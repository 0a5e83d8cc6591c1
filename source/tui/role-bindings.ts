import type {CheckStatus} from '../core/check.js';
import type {DoctorReport} from '../core/doctor/diagnose.js';

/** One binding of the role (or config) set against the token: the role view's rows. */
export type Binding = {
	field: string;
	bound: unknown;
	claim?: string;
	value?: unknown;
	status: CheckStatus | 'none';
};

/** The role's and config's bindings next to the token's values, each marked with its check's outcome. */
export function roleBindings(report: DoctorReport): Binding[] {
	const role = report.vault?.roleData ?? undefined;
	const config = report.vault?.configData ?? undefined;
	const claims = report.token?.claims ?? {};
	const statusOf = (id: string): CheckStatus | 'none' =>
		report.checks.find(check => check.id === id)?.status ?? 'none';
	const rows: Binding[] = [];
	if (!role) return rows;
	rows.push({field: 'role_type', bound: role['role_type'] ?? '(unset)', status: statusOf('login.role-type')});
	rows.push({
		field: 'bound_audiences',
		bound: role['bound_audiences'] ?? [],
		claim: 'aud',
		value: claims['aud'],
		status: worst(statusOf('login.audience'), statusOf('login.audience-unbound')),
	});
	if (role['bound_subject'])
		rows.push({
			field: 'bound_subject',
			bound: role['bound_subject'],
			claim: 'sub',
			value: claims['sub'],
			status: statusOf('login.subject'),
		});
	const bound = (role['bound_claims'] ?? {}) as Record<string, unknown>;
	for (const [key, value] of Object.entries(bound)) {
		const check = report.checks.find(item => item.claim === key);
		rows.push({
			field: `claim ${key}`,
			bound: value,
			claim: key,
			value: check?.actual ?? claims[key],
			status: check?.status ?? 'none',
		});
	}

	rows.push({
		field: 'user_claim',
		bound: role['user_claim'] ?? '',
		claim: String(role['user_claim'] ?? ''),
		value: claims[String(role['user_claim'] ?? '')],
		status: statusOf('login.user-claim'),
	});
	if (role['groups_claim'])
		rows.push({
			field: 'groups_claim',
			bound: role['groups_claim'],
			claim: String(role['groups_claim']),
			value: claims[String(role['groups_claim'])],
			status: statusOf('login.groups-claim'),
		});
	if (config?.['bound_issuer'])
		rows.push({
			field: 'config bound_issuer',
			bound: config['bound_issuer'],
			claim: 'iss',
			value: claims['iss'],
			status: statusOf('login.issuer'),
		});
	const leeways = ['clock_skew_leeway', 'expiration_leeway', 'not_before_leeway']
		.map(name => `${name}=${String(role[name] ?? 0)}`)
		.join(' ');
	rows.push({
		field: 'leeways',
		bound: leeways,
		claim: 'exp',
		value: claims['exp'],
		status: statusOf('login.times'),
	});
	const cidrs = role['token_bound_cidrs'];
	if (Array.isArray(cidrs) && cidrs.length > 0)
		rows.push({field: 'token_bound_cidrs', bound: cidrs, status: statusOf('login.cidr')});
	return rows;
}

const rank: Array<CheckStatus | 'none'> = ['fail', 'warn', 'skip', 'pass', 'none'];

function worst(a: CheckStatus | 'none', b: CheckStatus | 'none'): CheckStatus | 'none' {
	return rank.indexOf(a) <= rank.indexOf(b) ? a : b;
}

/** Splits two strings into common prefix, differing middles and common suffix, to highlight what differs. */
export function stringDifference(
	expected: string,
	actual: string,
): {prefix: string; expected: string; actual: string; suffix: string} {
	let start = 0;
	while (start < expected.length && start < actual.length && expected[start] === actual[start]) start++;
	let end = 0;
	while (
		end < expected.length - start &&
		end < actual.length - start &&
		expected[expected.length - 1 - end] === actual[actual.length - 1 - end]
	)
		end++;
	return {
		prefix: expected.slice(0, start),
		expected: expected.slice(start, expected.length - end),
		actual: actual.slice(start, actual.length - end),
		suffix: expected.slice(expected.length - end),
	};
}
