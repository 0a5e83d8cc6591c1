import {type DemoScenario, demoReport, demoScenarios} from '../../core/doctor/demo.js';
import {createStyle} from '../../report/style.js';
import {renderTextReport} from '../../report/text.js';
import type {Runner} from '../../tui/hooks/use-diagnosis.js';
import {verdictExitCode} from '../exit-code.js';
import {type Output, UsageError} from '../io.js';

export type DemoOptions = {json: boolean; verbose: boolean; color: boolean};

/** `demo [scenario]`: a full diagnosis of a built-in sample, no Vault and no network needed. */
export async function runDemo(
	name: string | undefined,
	options: DemoOptions,
	output: Output,
): Promise<number> {
	const scenario = findScenario(name);

	const report = await demoReport(scenario);
	const code = verdictExitCode(report);
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

/** The demo in the interactive doctor: the same report, computed before the TUI loads, so it opens on the verdict. */
export async function runDemoTui(
	name: string | undefined,
	screenReader: boolean,
	firstFrame: {lines: number; checking: string} = {lines: 0, checking: ''},
): Promise<number> {
	const scenario = findScenario(name);
	const runner: Runner = async (_overrides, onEvent) => {
		const report = await demoReport(scenario);
		for (const step of report.steps) {
			const title = step.id === 'role.lint' ? 'Check the role is safe' : "Evaluate Vault's login checks";
			onEvent({type: 'start', id: step.id, title, group: step.group});
			// Each step is revealed on its own turn, as a live run's are; the demo adds no waiting of its own.
			await new Promise(resolve => setImmediate(resolve));
			onEvent({
				type: 'finish',
				id: step.id,
				title,
				group: step.group,
				checks: report.checks.filter(check => check.group === step.group),
				ms: step.ms,
			});
		}

		return report;
	};

	const {startEarly} = await import('../../tui/hooks/early-run.js');
	const early = startEarly(runner);
	// The sample needs no network: its report is ready before Ink would be, so the TUI opens on the verdict.
	await early.settled;
	const {runTui} = await import('../../tui/run-tui.js');
	return runTui({
		title: `ona-vault-doctor demo: ${scenario.title}`,
		runner,
		early,
		screenReader,
		...(firstFrame.checking ? {checking: firstFrame.checking} : {}),
		...(firstFrame.lines ? {firstFrameLines: firstFrame.lines} : {}),
	});
}

/** The scenario named on the command line (default: ona); an unknown name is a usage error. */
function findScenario(name: string | undefined): DemoScenario {
	const scenario = demoScenarios.find(candidate => candidate.name === (name ?? 'ona'));
	if (!scenario) {
		throw new UsageError(
			`Unknown demo "${name}". Choose one of: ${demoScenarios.map(candidate => candidate.name).join(', ')}.`,
		);
	}

	return scenario;
}
