/**
 * npm run vault:build — builds the real JWT plugin server (test/real-vault/server/main.go) once per plugin
 * version into the cache (see binaries.ts), skipping versions already built. Fails when Go is missing or a
 * build fails. Dependencies come through Go's module download, verified against each version's go.sum.
 *
 *   node --import tsx test/real-vault/build.ts [--only v0.26.3] [--force] [--if-go]
 *
 * `npm test` runs it with --if-go, so that the one test command builds what is missing (cached) and then runs
 * everything; without Go it says so and goes on, except under CI=true.
 */
import {spawnSync} from 'node:child_process';
import {copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {parseArgs} from 'node:util';
import {cacheRoot, findGo, pluginBuilds, realVaultDir} from './binaries.js';

const {values} = parseArgs({
	options: {only: {type: 'string', multiple: true}, force: {type: 'boolean'}, 'if-go': {type: 'boolean'}},
});
const go = findGo();
if (!go) {
	const message =
		'vault:build: no Go toolchain (go on PATH or /usr/local/go/bin/go); cannot build the real-Vault servers';
	// npm test builds with --if-go: on a machine without Go the real-Vault suite says it is skipped; CI never skips.
	if (values['if-go'] && process.env['CI'] !== 'true') {
		console.log(`${message}; the real-Vault suite will be skipped`);
		process.exit(0);
	}
	console.error(message);
	process.exit(1);
}
const goVersion = spawnSync(go, ['version'], {encoding: 'utf8'}).stdout.trim();
const builds = pluginBuilds().filter(build => !values.only || values.only.includes(build.version));
const started = Date.now();
let built = 0;
console.log(`vault:build: ${goVersion}; cache ${cacheRoot()}`);
for (const build of builds) {
	if (existsSync(build.binary) && !values.force) {
		console.log(`  ${build.version}: cached (${build.key})`);
		continue;
	}
	const target = dirname(build.binary);
	mkdirSync(dirname(target), {recursive: true});
	const work = mkdtempSync(join(dirname(target), `.build-${build.version}-`));
	try {
		copyFileSync(join(realVaultDir, 'server', 'main.go'), join(work, 'main.go'));
		copyFileSync(join(build.moduleDir, 'go.mod'), join(work, 'go.mod'));
		copyFileSync(join(build.moduleDir, 'go.sum'), join(work, 'go.sum'));
		const one = Date.now();
		const result = spawnSync(
			go,
			['build', '-mod=readonly', '-trimpath', '-ldflags=-s -w', '-o', 'vault-jwt-server', '.'],
			{
				cwd: work,
				stdio: ['ignore', 'inherit', 'inherit'],
				env: {...process.env, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false', GOTOOLCHAIN: 'local'},
			},
		);
		if (result.status !== 0) {
			console.error(`vault:build: building plugin ${build.version} failed (exit ${result.status})`);
			process.exit(1);
		}
		rmSync(target, {recursive: true, force: true});
		// Binaries of this version built from older sources are stale: remove them.
		for (const stale of readdirSync(dirname(target))) {
			if (stale.startsWith(`${build.version}-`))
				rmSync(join(dirname(target), stale), {recursive: true, force: true});
		}
		mkdirSync(target, {recursive: true});
		renameSync(join(work, 'vault-jwt-server'), build.binary);
		built++;
		console.log(`  ${build.version}: built in ${((Date.now() - one) / 1000).toFixed(1)} s (${build.key})`);
	} finally {
		rmSync(work, {recursive: true, force: true});
	}
}
console.log(
	`vault:build: ${builds.length} versions, ${built} built, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
