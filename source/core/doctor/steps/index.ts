/* The steps of a diagnosis in order; the engine (../engine.ts) runs them by their needs. */
import {access} from './access.js';
import {vaultHealth} from './health.js';
import {issuer} from './issuer.js';
import {loginAgreement, loginAttempt, loginModel} from './login.js';
import {issuerMount, vaultMount} from './mount.js';
import {roleLint, vaultConfig, vaultRole} from './reads.js';
import type {Step} from './shared.js';
import {tokenDecode, tokenSource} from './token.js';

/** Every step of a diagnosis, as data: id, group, needs and run. */
export const doctorSteps: Step[] = [
	tokenSource,
	tokenDecode,
	vaultHealth,
	vaultMount,
	issuerMount,
	vaultConfig,
	vaultRole,
	roleLint,
	issuer,
	loginModel,
	loginAttempt,
	loginAgreement,
	access,
];
