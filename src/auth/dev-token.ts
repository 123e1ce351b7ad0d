import { SignJWT } from 'jose';
import { DEV_ISSUER } from './token-verifier';
import type { Role } from './roles';

/** Signs a development token with the shared secret; used by `npm run token` and by tests. */
export function signDevToken(secret: string, claims: { sub: string; roles: Role[]; region: string }, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ roles: claims.roles, region: claims.region })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuer(DEV_ISSUER)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
