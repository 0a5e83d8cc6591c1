export type Leeways = {expiration: number; notBefore: number; clockSkew: number};

export type TimeVerdict = 'pass' | 'no-time-claims' | 'not-yet-valid' | 'expired' | 'issued-in-future';

export type TimeEvaluation = {
	verdict: TimeVerdict;
	/** The window Vault accepts, after leeways: now must be within [notBefore − skew, expiry + skew]. */
	notBefore?: number;
	expiry?: number;
	notBeforeDerived?: 'iat' | 'exp-minus-leeway';
	expiryDerived?: boolean;
	effective: Leeways;
	now: number;
};

export const defaultLeeways: Leeways = {expiration: 150, notBefore: 150, clockSkew: 60};

/** A role leeway as cap applies it: 0 means the default, a negative value means none. */
export function effectiveLeeway(value: number, fallback: number): number {
	if (value === 0) return fallback;
	return Math.max(value, 0);
}

/**
cap's time validation: a 0 time claim counts as absent; a missing exp is max(iat, nbf) + expiration leeway; a
missing nbf is iat, else exp − not-before leeway; then nbf, exp and iat are compared with the clock skew.
*/
export function evaluateTimes(
	times: {exp?: number; nbf?: number; iat?: number},
	roleLeeways: Leeways,
	now: number,
): TimeEvaluation {
	const present = (value: number | undefined) => (value === undefined || value === 0 ? undefined : value);
	const exp = present(times.exp);
	const nbf = present(times.nbf);
	const iat = present(times.iat);
	const effective: Leeways = {
		expiration: effectiveLeeway(roleLeeways.expiration, defaultLeeways.expiration),
		notBefore: effectiveLeeway(roleLeeways.notBefore, defaultLeeways.notBefore),
		clockSkew: effectiveLeeway(roleLeeways.clockSkew, defaultLeeways.clockSkew),
	};

	if (exp === undefined && nbf === undefined && iat === undefined) {
		return {verdict: 'no-time-claims', effective, now};
	}

	const expiry = exp ?? Math.max(iat ?? 0, nbf ?? 0) + effective.expiration;
	let notBefore: number;
	let notBeforeDerived: TimeEvaluation['notBeforeDerived'];
	if (nbf !== undefined) {
		notBefore = nbf;
	} else if (iat === undefined) {
		notBefore = expiry - effective.notBefore;
		notBeforeDerived = 'exp-minus-leeway';
	} else {
		notBefore = iat;
		notBeforeDerived = 'iat';
	}

	const skew = effective.clockSkew;
	let verdict: TimeVerdict = 'pass';
	if (now + skew < notBefore) verdict = 'not-yet-valid';
	else if (now - skew > expiry) verdict = 'expired';
	else if (iat !== undefined && now + skew < iat) verdict = 'issued-in-future';

	return {
		verdict,
		notBefore,
		expiry,
		...(notBeforeDerived ? {notBeforeDerived} : {}),
		...(exp === undefined ? {expiryDerived: true} : {}),
		effective,
		now,
	};
}
