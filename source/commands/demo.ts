import {demoLoginInput, demoScenarios} from '../core/demo.js';
import {detectPlatform} from '../core/platform.js';
import {formatTime, simulateLogin} from '../core/simulate-login.js';
import {inspectToken} from '../core/token.js';
import {createStyle} from '../report/style.js';
import {renderLoginReport} from '../report/text.js';
import {type Output, UsageError} from './io.js';

export type DemoOptions = {json: boolean; verbose: boolean; color: boolean};

/** `demo [scenario]`: a full diagnosis of a built-in sample, no Vault and no network needed. */
export async function runDemo(
	name: string | undefined,
	options: DemoOptions,
	output: Output,
): Promise<number> {
	const scenario = demoScenarios.find(candidate => candidate.name === (name ?? 'ona'));
	if (!scenario) {
		throw new UsageError(
			`Unknown demo "${name}". Choose one of: ${demoScenarios.map(candidate => candidate.name).join(', ')}.`,
		);
	}

	const input = await demoLoginInput(scenario);
	const result = await simulateLogin(input);
	const decoded = inspectToken(String(input.token));
	const claims = decoded.ok ? decoded.claims : scenario.claims;
	const code = result.allowed ? 0 : 1;
	if (options.json) {
		const document = {
			schemaVersion: 1,
			demo: scenario.name,
			verdict: result.allowed ? 'pass' : 'fail',
			vaultError: result.vaultError,
			httpStatus: result.httpStatus,
			token: {header: decoded.ok ? decoded.header : {}, claims, signature: '(redacted)'},
			vault: {mount: scenario.mount, role: scenario.roleName, behaviour: result.behaviour.label},
			checks: result.checks,
		};
		output.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
		return code;
	}

	const platform = detectPlatform(claims);
	const aud = Array.isArray(claims['aud']) ? claims['aud'].join(', ') : String(claims['aud']);
	const report = renderLoginReport(result, {
		heading: `ona-vault-doctor demo: ${scenario.title}`,
		facts: [
			[
				'token',
				`${platform.label}, iss ${String(claims['iss'])}, aud ${aud}, expires ${formatTime(Number(claims['exp']))}`,
			],
			[
				'vault',
				`auth/${scenario.mount}/role/${scenario.roleName} (${result.behaviour.label}; built-in sample data, no network)`,
			],
		],
		verbose: options.verbose,
		style: createStyle(options.color),
	});
	output.stdout.write(report);
	return code;
}
