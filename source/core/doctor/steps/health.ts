/* Vault: can it be reached, is it sealed, is its clock near this machine's. */
import type {Check} from '../../check.js';
import {duration, formatTime} from '../../time-text.js';
import {offlineSkip, reader, type Step} from './shared.js';

export const vaultHealth: Step = {
	id: 'vault.health',
	title: 'Reach Vault',
	group: 'Vault',
	needs: [],
	async run(context) {
		if (context.options.offline) return offlineSkip('vault.health', this.title);
		const connection = context.connection!;
		const checks: Check[] = connection.warnings.map(
			warning =>
				({
					id: 'vault.tls-verify',
					title: 'Vault TLS verification',
					status: 'warn',
					problem: 'vault-tls',
					message: warning,
				}) satisfies Check,
		);
		if (connection.credentialsRemoved)
			checks.push({
				id: 'vault.address',
				title: 'Vault address',
				status: 'warn',
				problem: 'vault-address',
				message: `The Vault address carries user:password@ credentials: the doctor neither sends nor prints them (Vault does not use them). Use ${connection.addr}.`,
			});
		const answer = await reader(context).health();
		const defaulted = connection.addrDefaulted
			? ` VAULT_ADDR is unset, so the doctor used the default ${connection.addr}; set VAULT_ADDR (or --vault-addr) to your Vault.`
			: '';
		if (!answer.ok) {
			checks.unshift({
				id: 'vault.health',
				title: this.title,
				status: 'fail',
				problem: answer.problem,
				message: `${answer.message}${defaulted}`,
			});
			return {
				checks,
				halt: answer.problem === 'vault-sealed' ? 'Vault is sealed' : 'Vault cannot be reached',
			};
		}

		context.health = answer.data;
		const serverTime = answer.data.server_time_utc;
		const now = context.options.now();
		let skewNote = '';
		if (typeof serverTime === 'number') {
			context.serverTime = serverTime;
			const skew = serverTime - now;
			if (Math.abs(skew) > 30) {
				checks.push({
					id: 'vault.clock',
					title: "Vault's clock",
					status: 'warn',
					problem: skew < 0 ? 'token-not-yet-valid' : 'token-expired',
					message: `Vault's clock is ${duration(skew)} ${skew < 0 ? 'behind' : 'ahead of'} this machine's. Fresh tokens look ${skew < 0 ? 'not yet valid' : 'older'} to Vault; clock_skew_leeway (60 s by default) absorbs only so much.`,
					expected: formatTime(now),
					actual: formatTime(serverTime),
				});
			} else {
				skewNote = `, clock within ${Math.round(Math.abs(skew))} s of this machine`;
			}
		}

		checks.unshift({
			id: 'vault.health',
			title: this.title,
			status: 'pass',
			message: `${connection.addr}${connection.addrDefaulted ? ' (the default: VAULT_ADDR is unset)' : ''} is Vault ${answer.data.version ?? '(version unknown)'}${connection.namespace ? `, namespace ${connection.namespace}` : ''}${skewNote}.`,
		});
		return {checks};
	},
};
