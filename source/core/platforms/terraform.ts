/* HCP Terraform workload identity: recognised by its issuer or its run-phase claim. */
import type {Platform} from './platform.js';

export const terraform: Platform = {
	id: 'terraform',
	recognise: ({claims, host}) =>
		host === 'app.terraform.io' || 'terraform_run_phase' in claims
			? {label: 'HCP Terraform workload identity token'}
			: undefined,
	roleLint: {
		writtenFor: {claimKeys: /^terraform_/, issuer: /app\.terraform\.io/},
		projectClaims: /^terraform_(?:workspace_id|full_workspace|project_id)$/,
		organizationOnly: 'every workspace of the organization can log in; bind the workspace',
	},
};
