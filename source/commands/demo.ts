import {demoReport, demoScenarios} from '../core/demo.js';
import {createStyle} from '../report/style.js';
import {renderTextReport} from '../report/text.js';
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

	const report = await demoReport(scenario);
	const code = report.verdict === 'pass' ? 0 : 1;
	if (options.json) {
		output.stdout.write(`${JSON.stringify({...report, demo: scenario.name}, null, 2)}\n`);
		return code;
	}

	output.stdout.write(
		renderTextReport(report, {
			heading: `ona-vault-doctor demo: ${scenario.title}`,
			verbose: options.verbose,
			style: createStyle(options.color),
		}),
	);
	return code;
}
