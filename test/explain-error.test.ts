import assert from 'node:assert/strict';
import {test} from 'node:test';
import {explainVaultError} from '../source/core/explain-error.js';
import {problemIds} from '../source/core/problems.js';
import {loadVectors} from './helpers/vectors.js';

type ErrorText = {
	name: string;
	wrapper: string;
	source: string;
	text: string;
	problem: string;
	alsoPossible?: string[];
};

const corpus = loadVectors<ErrorText>('error-texts.json');

test('every text of the corpus (each wrapper, each wording generation) gets its problem', () => {
	assert.ok(corpus.length >= 45);
	const failures: string[] = [];
	for (const entry of corpus) {
		const explanation = explainVaultError(entry.text);
		if (explanation.problem !== entry.problem)
			failures.push(
				`${entry.name} [${entry.wrapper}]: got ${explanation.problem}, expected ${entry.problem}`,
			);
		for (const alternative of entry.alsoPossible ?? []) {
			if (!explanation.alternatives.includes(alternative as never))
				failures.push(
					`${entry.name}: alternatives ${explanation.alternatives.join(',')} lack ${alternative}`,
				);
		}
	}

	assert.deepEqual(failures, []);
});

test('every problem id the corpus uses exists in the catalogue', () => {
	for (const entry of corpus) assert.ok(problemIds.includes(entry.problem as never), entry.problem);
});
