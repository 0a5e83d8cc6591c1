import type {JWK} from 'jose';
import type {JwtConfig} from '../login/config.js';
import type {JwtRole} from '../login/role.js';
import type {SimulateLoginResult} from '../login/simulate-login.js';
import type {PlatformGuess} from '../platforms/platform.js';
import type {HttpSettings} from '../probes/http.js';
import type {AcquiredToken} from '../probes/token-source.js';
import type {AuthMount, LoginAuth, LoginSession, VaultConnection, VaultHealth} from '../probes/vault.js';
import type {TokenSourceName} from '../token-source-names.js';

export type DoctorOptions = {
	source: TokenSourceName;
	audience?: string;
	token?: string;
	tokenFile?: string;
	tokenEnv?: string;
	vaultAddr?: string;
	namespace?: string;
	mount?: string;
	role?: string;
	/** Secret paths whose capabilities the login token is checked for (KV v2 aware). */
	secretPaths: string[];
	roleFile?: string;
	configFile?: string;
	/** No network at all: the issuer and Vault steps become "not checked". */
	offline: boolean;
	/** Do not try the real login (reads and the offline model only). */
	noLogin: boolean;
	timeoutMs: number;
	caFiles: string[];
	pluginVersion?: string;
	env: NodeJS.ProcessEnv;
	readStdin: () => Promise<string>;
	/** How values chosen inside the TUI are named in the report (a picker, a pasted token), instead of their flags. */
	labels?: {mount?: string; role?: string; token?: string};
	/** This machine's clock in unix seconds (tests pin it). */
	now: () => number;
};

/** What the steps learn, shared between them. Each field is written by exactly one step. */
export type DoctorContext = {
	options: DoctorOptions;
	http: HttpSettings;
	connection?: VaultConnection;
	token?: AcquiredToken;
	decoded?: {
		compact: string;
		header: Record<string, unknown>;
		claims: Record<string, unknown>;
		platform: PlatformGuess;
	};
	/** The platform of the token source that failed (no token to judge by): its advice only. */
	sourcePlatform?: PlatformGuess;
	health?: VaultHealth;
	mounts?: AuthMount[];
	mount?: {
		path: string;
		reason: string;
		pluginVersion?: string;
		missing?: boolean;
		/** The JWT mounts whose config trusts the token's issuer (known when several mounts were compared). */
		trusting?: string[];
	};
	config?: JwtConfig | null;
	configSource?: string;
	roleName?: string;
	roleNameReason?: string;
	/** The mount's roles, listed when the named role does not exist, and the nearest name among them. */
	roleList?: {names: string[]; closest?: string};
	/** Whether the reader's Vault token is missing, unknown to Vault, or valid (learnt when a read is refused). */
	readerToken?: {state: 'none' | 'invalid' | 'valid'; sentence: string};
	role?: JwtRole | null;
	roleSource?: string;
	issuer?: {discoveryIssuer?: string; jwks?: {keys: JWK[]}};
	model?: SimulateLoginResult;
	login?: {ok: true; auth: LoginAuth} | {ok: false; status: number | null; error: string; problem: string};
	/** The test login's token, held only until the access checks revoke it. */
	session?: LoginSession;
	/** Vault's clock from sys/health, when it differs from ours. */
	serverTime?: number;
	/** Tokens obtained and revoked by the run (accessors only). */
	revoked: string[];
};
