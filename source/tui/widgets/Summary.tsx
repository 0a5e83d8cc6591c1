import {Text} from 'ink';
import type {DoctorReport} from '../../core/doctor/diagnose.js';
import {warningCount} from '../../report/text.js';

export function Summary({report}: {report: DoctorReport}) {
	const {summary, login, verdict} = report;
	const outcome =
		login.allowed === true && verdict === 'pass'
			? 'Vault accepts this login'
			: login.allowed === false
				? 'Vault refuses this login'
				: verdict === 'pass'
					? 'no problem found'
					: 'problems found';
	return (
		<Text>
			<Text color={summary.fail > 0 ? 'red' : undefined}>{summary.fail} failed</Text> ·{' '}
			<Text color={summary.warn > 0 ? 'yellow' : undefined}>{warningCount(summary.warn)}</Text> ·{' '}
			{summary.skip} not checked · {summary.pass} passed —{' '}
			<Text bold color={verdict === 'pass' ? 'green' : 'red'}>
				{outcome}
			</Text>
		</Text>
	);
}
