export type {Check, CheckId, CheckStatus} from './core/check.js';
export {goGlob} from './core/login/glob.js';
export {
	behaviourForVaultVersion,
	type PluginBehaviour,
	pluginBehaviour,
} from './core/login/plugin-version.js';
export {
	type LoginIdentity,
	type SimulateLoginInput,
	type SimulateLoginResult,
	simulateLogin,
} from './core/login/simulate-login.js';
export {inspectToken, type TokenInspection} from './core/login/token.js';
export {type Problem, type ProblemId, problem, problemIds, problems} from './core/problems/catalogue.js';
export {type Explanation, explainVaultError, explainVaultErrors} from './core/problems/explain-error.js';
