export type {Check, CheckStatus} from './core/check.js';
export {type Explanation, explainVaultError, explainVaultErrors} from './core/explain-error.js';
export {goGlob} from './core/glob.js';
export {behaviourForVaultVersion, type PluginBehaviour, pluginBehaviour} from './core/plugin-version.js';
export {type Problem, type ProblemId, problem, problemIds, problems} from './core/problems.js';
export {
	type LoginIdentity,
	type SimulateLoginInput,
	type SimulateLoginResult,
	simulateLogin,
} from './core/simulate-login.js';
export {inspectToken, type TokenInspection} from './core/token.js';
