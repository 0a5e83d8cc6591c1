/** Which platform minted a token, and which of its token formats, judged from the claims alone. */
export type PlatformGuess = {
	platform:
		| 'ona'
		| 'circleci'
		| 'github'
		| 'gitlab'
		| 'buildkite'
		| 'bitbucket'
		| 'terraform'
		| 'kubernetes'
		| 'unknown';
	/** Ona: "V3" (flat claims) or "V2" (org/gsub); CircleCI: "v1" or "v2" sub format. */
	variant?: string;
	label: string;
};

export function detectPlatform(claims: Record<string, unknown>): PlatformGuess {
	const iss = typeof claims['iss'] === 'string' ? claims['iss'] : '';
	const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
	let host = '';
	try {
		host = new URL(iss).host;
	} catch {}

	if (
		('gsub' in claims && 'org' in claims) ||
		host === 'app.gitpod.io' ||
		host.endsWith('.gitpod.io') ||
		host.endsWith('ona.com') ||
		('organization_id' in claims && 'environment_id' in claims)
	) {
		if ('gsub' in claims || 'org' in claims)
			return {platform: 'ona', variant: 'V2', label: 'Ona V2 (legacy) token'};
		if (sub.startsWith('org:') && sub.includes('/'))
			return {platform: 'ona', variant: 'V1', label: 'Ona legacy slash-path token'};
		const principal =
			'environment_id' in claims
				? 'environment'
				: 'service_account_id' in claims
					? 'service account'
					: 'user_id' in claims
						? 'user'
						: 'account';
		return {platform: 'ona', variant: 'V3', label: `Ona V3 ${principal} token`};
	}

	if (host === 'oidc.circleci.com' || 'oidc.circleci.com/project-id' in claims) {
		const variant = sub.includes('/vcs-origin/') || sub.includes('/vcs-ref/') ? 'v2' : 'v1';
		return {
			platform: 'circleci',
			variant,
			label: `CircleCI ${variant} token (${variant === 'v2' ? '$CIRCLE_OIDC_TOKEN_V2' : '$CIRCLE_OIDC_TOKEN'})`,
		};
	}

	if (host.startsWith('token.actions.') || iss.endsWith('/_services/token'))
		return {platform: 'github', label: 'GitHub Actions token'};
	if (host === 'agent.buildkite.com') return {platform: 'buildkite', label: 'Buildkite token'};
	if (host === 'api.bitbucket.org') return {platform: 'bitbucket', label: 'Bitbucket Pipelines token'};
	if (host === 'app.terraform.io' || 'terraform_run_phase' in claims)
		return {platform: 'terraform', label: 'HCP Terraform workload identity token'};
	if ('kubernetes.io' in claims) return {platform: 'kubernetes', label: 'Kubernetes service account token'};
	if ('project_path' in claims && 'ref_protected' in claims)
		return {platform: 'gitlab', label: 'GitLab CI id_token'};
	return {platform: 'unknown', label: 'token from an unrecognised issuer'};
}
