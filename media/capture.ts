/*
Regenerates the README's screenshots from real runs: the built CLI in a pseudo-terminal against the local
issuer and Vault emulator of the test suite (a token minted with the wrong audience and a project the role
does not bind). Run with: npm run media
*/
import {writeFile} from 'node:fs/promises';
import {fileURLToPath} from 'node:url';
import {closeAllPty, spawnPty} from '../test/helpers/pty.js';
import {cliPath} from '../test/helpers/run-cli.js';
import {onaClaims, projectId, readerToken, startWorld} from '../test/helpers/world.js';
import {terminalToSvg} from './terminal-svg.js';

const world = await startWorld();
try {
	const vault = world.vault.mounts().jwt!;
	vault.roles!['ona-project'] = {
		...vault.roles!['ona-project']!,
		bound_claims: {
			organization_id: '0193b6c2-5c8e-7a3c-9f4e-2d1a7b6c9e01',
			project_id: '0193b6c3-ffff-7c4d-8e9f-000000000000',
		},
	};
	const token = await world.issuer.sign(
		onaClaims(world, {aud: ['sts.amazonaws.com'], project_id: projectId}),
	);
	const session = spawnPty(process.execPath, [cliPath, '--token-env', 'JOB_TOKEN'], {
		cols: 100,
		rows: 30,
		env: {
			VAULT_ADDR: world.vault.url,
			VAULT_TOKEN: readerToken,
			IDP_VAULT_ROLE: 'ona-project',
			JOB_TOKEN: token,
			HOME: '/nonexistent',
		},
	});
	const shot = async (name: string, title: string) => {
		await session.settle(300);
		const file = fileURLToPath(new URL(`${name}.svg`, import.meta.url));
		await writeFile(file, terminalToSvg(session.terminal, {title}));
		console.log(`wrote ${file}`);
	};

	await session.waitFor(/› ✖ fail/);
	await shot('run-view', 'ona-vault-doctor');
	session.press('enter');
	await session.waitFor('Evidence');
	await shot('walkthrough', 'ona-vault-doctor: a finding');
	session.press('escape');
	session.press('v');
	await session.waitFor('bound_audiences');
	await shot('role-view', 'ona-vault-doctor: the role against the token');
	session.press('q');
	await session.exited;
} finally {
	await closeAllPty();
	await world.close();
}
