import {createPublicKey, X509Certificate} from 'node:crypto';
import {compactVerify, importJWK, importSPKI, importX509, type JWK} from 'jose';

type VerifyKey =
	| Awaited<ReturnType<typeof importJWK>>
	| Awaited<ReturnType<typeof importSPKI>>
	| ReturnType<typeof createPublicKey>;

export type SignatureVerdict =
	| {verdict: 'verified'; by: string}
	| {verdict: 'failed'; reason: string}
	| {verdict: 'unverifiable'; reason: string};

/** The ten asymmetric algorithms Vault accepts when jwt_supported_algs is empty (plugin v0.9.1+). */
export const defaultSupportedAlgorithms = [
	'RS256',
	'RS384',
	'RS512',
	'ES256',
	'ES384',
	'ES512',
	'PS256',
	'PS384',
	'PS512',
	'EdDSA',
] as const;

/**
jwt_validation_pubkeys: each PEM key is tried in order and the token's kid is ignored, as go-jose does in cap's
StaticKeySet. Keys of the wrong type for the token's alg simply do not verify it.
*/
export async function verifyWithPemKeys(
	compact: string,
	alg: string,
	pems: string[],
): Promise<SignatureVerdict> {
	let unverifiable: string | undefined;
	for (const [index, pem] of pems.entries()) {
		const key = await importPem(pem, alg);
		if (!key) continue;
		const outcome = await tryVerify(compact, key, alg);
		if (outcome === 'verified') return {verdict: 'verified', by: `jwt_validation_pubkeys[${index}]`};
		if (outcome !== 'failed') unverifiable = outcome;
	}

	if (unverifiable) return {verdict: 'unverifiable', reason: unverifiable};
	return {
		verdict: 'failed',
		reason: `none of the ${pems.length} configured public key(s) verifies the signature`,
	};
}

/**
A JWKS as go-oidc's RemoteKeySet uses it: with a kid in the token, only keys with the same kid are tried (so
keys without kid never match); without a kid, every key is tried.
*/
export async function verifyWithJwks(
	compact: string,
	alg: string,
	kid: string | undefined,
	keys: JWK[],
): Promise<SignatureVerdict> {
	const candidates = keys.filter(key => kid === undefined || kid === '' || key.kid === kid);
	if (candidates.length === 0) {
		return {
			verdict: 'failed',
			reason: `no key in the JWKS has kid "${kid}" (the JWKS has ${keys.map(key => key.kid ?? '(no kid)').join(', ') || 'no keys'})`,
		};
	}

	let unverifiable: string | undefined;
	for (const jwk of candidates) {
		let key: VerifyKey;
		try {
			key = await importJWK({...jwk, alg}, alg);
		} catch {
			continue;
		}

		const outcome = await tryVerify(compact, key, alg);
		if (outcome === 'verified') return {verdict: 'verified', by: `JWKS key ${jwk.kid ?? '(no kid)'}`};
		if (outcome !== 'failed') unverifiable = outcome;
	}

	if (unverifiable) return {verdict: 'unverifiable', reason: unverifiable};
	return {verdict: 'failed', reason: `no JWKS key${kid ? ` with kid "${kid}"` : ''} verifies the signature`};
}

async function tryVerify(
	compact: string,
	key: VerifyKey,
	alg: string,
): Promise<'verified' | 'failed' | string> {
	try {
		await compactVerify(compact, key, {algorithms: [alg]});
		return 'verified';
	} catch (error) {
		const message = error instanceof Error ? error.message : String(error);
		// jose refuses RSA keys under 2048 bits; go-jose accepts them, so this is "cannot tell", not "invalid".
		if (/modulusLength/i.test(message))
			return `the key is shorter than 2048 bits, which the doctor's JOSE library will not use: ${message}`;
		return 'failed';
	}
}

async function importPem(pem: string, alg: string): Promise<VerifyKey | undefined> {
	const text = pem.trim();
	try {
		if (text.includes('BEGIN CERTIFICATE')) return await importX509(text, alg);
		if (text.includes('BEGIN PUBLIC KEY')) return await importSPKI(text, alg);
		if (text.includes('BEGIN RSA PUBLIC KEY')) return createPublicKey(text);
	} catch {
		try {
			return text.includes('BEGIN CERTIFICATE') ? new X509Certificate(text).publicKey : createPublicKey(text);
		} catch {
			return undefined;
		}
	}

	return undefined;
}
