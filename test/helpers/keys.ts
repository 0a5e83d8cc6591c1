import {exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT} from 'jose';

export type TestKey = {
	alg: string;
	pem: string;
	jwk: JWK;
	sign: (claims: Record<string, unknown>, header?: Record<string, unknown>) => Promise<string>;
};

/** A real key pair for the given algorithm; tokens are signed with jose exactly as an issuer would. */
export async function createTestKey(alg: string, kid?: string): Promise<TestKey> {
	const {publicKey, privateKey} = await generateKeyPair(alg, {extractable: true});
	const jwk = {...(await exportJWK(publicKey)), alg, use: 'sig', ...(kid ? {kid} : {})};
	return {
		alg,
		pem: await exportSPKI(publicKey),
		jwk,
		async sign(claims, header = {}) {
			return new SignJWT(claims as never)
				.setProtectedHeader({alg, ...(kid ? {kid} : {}), ...header})
				.sign(privateKey);
		},
	};
}
