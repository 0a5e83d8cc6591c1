import {Box, Text, useApp, useInput, useStdin, useStdout} from 'ink';
import {useEffect, useRef, useState} from 'react';
import {
	type OnboardOptions,
	type OnboardPlatform,
	onboardPlatforms,
	type Proposal,
} from '../core/admin/onboard.js';
import {tokenAudiences} from '../core/login/audiences.js';
import {invalidRoleName} from '../core/names.js';
import {formatValue} from '../report/text.js';
import {HelpBar} from './widgets/HelpBar.js';

export type OnboardAppProps = {
	claims: Record<string, unknown>;
	initial: Omit<OnboardOptions, 'claims'>;
	/** The claims the platform template binds, pre-selected. */
	defaults: (platform: OnboardPlatform) => string[];
	propose: (options: OnboardOptions) => Promise<Proposal>;
	/** Writes the proposal for the named role on the chosen mount (backup, read-back, rollback) and says what happened; absent without --apply rights. */
	apply?: (proposal: Proposal, roleName: string, mount: string) => Promise<string>;
	/** The JWT mounts to choose from, those that trust the token's issuer first; a mount step is shown for two or more. */
	mounts?: Array<{path: string; trusts: boolean}>;
	/** Called with the commands when they are copied, to print them again after the onboarding closes. */
	onCopy?: (text: string) => void;
};

type Step = 'name' | 'mount' | 'platform' | 'claims' | 'audience' | 'paths' | 'review';

/** The guided onboarding: platform, claims to bind, audience, secret paths, then the proposal checked against the token. */
export default function OnboardApp({
	claims,
	initial,
	defaults,
	propose,
	apply,
	mounts = [],
	onCopy,
}: OnboardAppProps) {
	// Without --role-name the first step asks for it.
	const steps: Step[] = [
		...(initial.roleName ? [] : ['name' as const]),
		...(mounts.length > 1 ? ['mount' as const] : []),
		'platform',
		'claims',
		'audience',
		'paths',
		'review',
	];
	const [roleName, setRoleName] = useState(initial.roleName);
	const [mount, setMount] = useState(initial.mount);
	const [nameInput, setNameInput] = useState('');
	const {exit} = useApp();
	const {isRawModeSupported} = useStdin();
	const {write} = useStdout();
	const bindable = Object.keys(claims).filter(
		key =>
			!['iat', 'nbf', 'exp', 'jti'].includes(key) &&
			claims[key] !== null &&
			(typeof claims[key] !== 'object' || Array.isArray(claims[key])),
	);
	const [step, setStep] = useState<Step>(steps[0]!);
	const [platform, setPlatform] = useState<OnboardPlatform>(initial.platform ?? 'generic');
	const [cursor, setCursor] = useState(Math.max(0, onboardPlatforms.indexOf(initial.platform ?? 'generic')));
	const [selected, setSelected] = useState<Set<string>>(
		new Set(initial.bind ?? defaults(initial.platform ?? 'generic')),
	);
	const [audience, setAudience] = useState(initial.audience ?? '');
	const [paths, setPaths] = useState(initial.secretPaths.join(', '));
	const [proposal, setProposal] = useState<Proposal | undefined>();
	const [message, setMessage] = useState<string | undefined>();
	const busy = useRef(false);

	useEffect(() => {
		if (step !== 'review') return;
		const secretPaths = paths
			.split(',')
			.map(path => path.trim())
			.filter(Boolean);
		propose({
			...initial,
			mount,
			roleName,
			claims,
			platform,
			bind: [...selected],
			...(audience ? {audience} : {}),
			secretPaths,
		}).then(setProposal, (error: Error) => setMessage(error.message));
	}, [step, initial, mount, roleName, claims, platform, selected, audience, paths, propose]);

	const go = (next: Step) => {
		setStep(next);
		setCursor(
			next === 'platform'
				? Math.max(0, onboardPlatforms.indexOf(platform))
				: next === 'mount'
					? Math.max(
							0,
							mounts.findIndex(option => option.path === mount),
						)
					: 0,
		);
		setMessage(undefined);
		if (next !== 'review') setProposal(undefined);
	};

	useInput(
		(input, key) => {
			if (key.escape) {
				const index = steps.indexOf(step);
				if (index === 0) exit();
				else go(steps[index - 1]!);
				return;
			}

			if (step === 'name') {
				if (key.return) {
					const name = nameInput.trim().toLowerCase();
					const problem = name ? invalidRoleName(name) : 'Type the name of the role to create';
					if (problem) setMessage(problem);
					else {
						setRoleName(name);
						go(steps[steps.indexOf('name') + 1]!);
					}
				} else if (key.backspace || key.delete) setNameInput(value => value.slice(0, -1));
				else if (input && !key.ctrl) setNameInput(value => value + input.replace(/\s+/g, ''));
			} else if (step === 'mount') {
				if (key.upArrow) setCursor(value => Math.max(0, value - 1));
				if (key.downArrow) setCursor(value => Math.min(mounts.length - 1, value + 1));
				if (key.return) {
					setMount(mounts[cursor]!.path);
					go('platform');
				}
			} else if (step === 'platform') {
				if (key.upArrow) setCursor(value => Math.max(0, value - 1));
				if (key.downArrow) setCursor(value => Math.min(onboardPlatforms.length - 1, value + 1));
				if (key.return) {
					const chosen = onboardPlatforms[cursor]!;
					setPlatform(chosen);
					if (chosen !== platform) setSelected(new Set(defaults(chosen)));
					go('claims');
				}
			} else if (step === 'claims') {
				if (key.upArrow) setCursor(value => Math.max(0, value - 1));
				if (key.downArrow) setCursor(value => Math.min(bindable.length - 1, value + 1));
				if (input === ' ') {
					const claim = bindable[cursor];
					if (claim)
						setSelected(current => {
							const next = new Set(current);
							if (next.has(claim)) next.delete(claim);
							else next.add(claim);
							return next;
						});
				}

				if (key.return) go('audience');
			} else if (step === 'audience' || step === 'paths') {
				const set = step === 'audience' ? setAudience : setPaths;
				if (key.return) go(step === 'audience' ? 'paths' : 'review');
				else if (key.backspace || key.delete) set(value => value.slice(0, -1));
				else if (input && !key.ctrl) set(value => value + input);
			} else if (step === 'review') {
				if (input === 'q') exit();
				if (input === 'c' && proposal) {
					const text = proposal.commands.join('\n\n');
					write(`\u001B]52;c;${Buffer.from(text).toString('base64')}\u0007`);
					onCopy?.(text);
					setMessage('Commands copied to the clipboard (OSC 52); they are printed again when you quit.');
				}

				if (input === 'y' && proposal && apply && !busy.current) {
					if (!proposal.verdict.allowed) {
						setMessage('Not applying: this role would not accept the token.');
						return;
					}

					busy.current = true;
					setMessage('Applying: backup, write, read-back...');
					apply(proposal, roleName, mount)
						.then(
							summary => setMessage(summary),
							(error: Error) => setMessage(`Nothing applied: ${error.message}`),
						)
						.finally(() => {
							busy.current = false;
						});
				}
			}
		},
		{isActive: isRawModeSupported},
	);

	const aud = tokenAudiences(claims);
	return (
		<Box flexDirection="column">
			<Text bold>
				ona-vault-doctor onboard: auth/{mount}/role/{roleName || '…'}{' '}
				<Text dimColor>
					(step {steps.indexOf(step) + 1} of {steps.length})
				</Text>
			</Text>
			<Box marginTop={1} flexDirection="column">
				{step === 'name' ? (
					<>
						<Text>The name of the role to create (lowercase; letters, digits, _ . -):</Text>
						<Text>
							{nameInput}
							<Text inverse> </Text>
						</Text>
					</>
				) : null}
				{step === 'mount' ? (
					<>
						<Text>Which JWT auth mount gets the role? It must trust the issuer of the token:</Text>
						{mounts.map((option, index) => (
							<Text key={option.path} inverse={index === cursor}>
								{index === cursor ? '› ' : '  '}
								auth/{option.path}{' '}
								<Text dimColor={!option.trusts} color={option.trusts ? 'green' : undefined}>
									{option.trusts
										? "(trusts this token's issuer)"
										: '(trusts another issuer: the login would fail)'}
								</Text>
							</Text>
						))}
					</>
				) : null}
				{step === 'platform' ? (
					<>
						<Text>Which platform mints the tokens?</Text>
						{onboardPlatforms.map((name, index) => (
							<Text key={name} inverse={index === cursor}>
								{index === cursor ? '› ' : '  '}
								{name}
							</Text>
						))}
					</>
				) : null}
				{step === 'claims' ? (
					<>
						<Text>Which claims must match? (space toggles; bind the project, not just the organization)</Text>
						{bindable.map((claim, index) => (
							<Text key={claim} inverse={index === cursor} wrap="truncate-end">
								{selected.has(claim) ? '[x] ' : '[ ] '}
								{claim.padEnd(30)} {formatValue(claims[claim])}
							</Text>
						))}
					</>
				) : null}
				{step === 'audience' ? (
					<>
						<Text>The audience to bind (the token has {aud.join(', ') || 'none'}):</Text>
						<Text>
							{audience || <Text dimColor>{aud[0] ?? ''} (⏎ keeps it)</Text>}
							<Text inverse> </Text>
						</Text>
					</>
				) : null}
				{step === 'paths' ? (
					<>
						<Text>Secret paths to grant read on, comma-separated (KV v2 data/ is added):</Text>
						<Text>
							{paths}
							<Text inverse> </Text>
						</Text>
					</>
				) : null}
				{step === 'review' && proposal ? (
					<>
						<Text bold>Role</Text>
						<Text>{JSON.stringify(proposal.role, null, 2)}</Text>
						<Text bold>Policy {proposal.policyName}</Text>
						<Text>{proposal.policy || '(no secret path: none)'}</Text>
						<Text color={proposal.verdict.allowed ? 'green' : 'red'}>
							{proposal.verdict.allowed
								? '✔ This token would be accepted by the proposed role.'
								: `✖ This token would NOT be accepted: ${proposal.verdict.vaultError}`}
						</Text>
						{proposal.warnings.map(warning => (
							<Text key={warning.id} color="yellow">
								⚠ {warning.message}
							</Text>
						))}
					</>
				) : null}
				{step === 'review' && !proposal && !message ? (
					<Text dimColor>Checking the proposal against the token...</Text>
				) : null}
			</Box>
			{message ? <Text color="cyan">{message}</Text> : null}
			<Box marginTop={1}>
				{step === 'review' ? (
					<Text dimColor>{apply ? 'y apply  ' : ''}c copy commands esc back q quit</Text>
				) : step === 'name' || step === 'audience' || step === 'paths' ? (
					<Text dimColor>type ⏎ next esc back</Text>
				) : (
					<HelpBar screen="picker" />
				)}
			</Box>
		</Box>
	);
}
