import assert from 'node:assert/strict';
import {test} from 'node:test';
import {goGlob} from '../source/core/login/glob.js';
import {loadVectors} from './helpers/vectors.js';

type GlobVector = {
	source: string;
	pattern: string | null;
	patternBuild?: {prefix: string; repeat: string; count: number; suffix: string};
	subject: string;
	match: boolean;
};

const vectors = loadVectors<GlobVector>('glob.json');

test('go-glob vectors (upstream glob_test.go and edge cases)', () => {
	assert.ok(vectors.length > 40);
	for (const vector of vectors) {
		const build = vector.patternBuild;
		const pattern = vector.pattern ?? `${build!.prefix}${build!.repeat.repeat(build!.count)}${build!.suffix}`;
		assert.equal(
			goGlob(pattern, vector.subject),
			vector.match,
			`${vector.source}: ${JSON.stringify(pattern.slice(0, 60))} vs ${JSON.stringify(vector.subject)}`,
		);
	}
});

test('only * is special: ? and [ are literal, matching spans new lines and slashes', () => {
	assert.equal(goGlob('repo:org/*', 'repo:org/app:ref:refs/heads/main'), true);
	assert.equal(goGlob('a?c', 'abc'), false);
	assert.equal(goGlob('a?c', 'a?c'), true);
	assert.equal(goGlob('[ab]', 'a'), false);
	assert.equal(goGlob('a*c', 'a\nb\nc'), true);
	assert.equal(goGlob('Main', 'main'), false);
});
