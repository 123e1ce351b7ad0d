import { Injectable, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { createRemoteJWKSet, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import { AppConfig } from '../config/app-config';
import { isRegionCode } from './region';
import { isRole } from './roles';
import type { Principal } from './principal';

/** Issuer of development tokens signed with the shared secret (`npm run token`). */
export const DEV_ISSUER = 'doudi-dev';

/** Verifies bearer JWTs: HS256 with the shared secret (AUTH_MODE=secret) or an OIDC issuer's JWKS (AUTH_MODE=oidc). */
@Injectable()
export class TokenVerifier implements OnModuleInit {
  private key?: Uint8Array | JWTVerifyGetKey;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (this.config.AUTH_MODE === 'secret') {
      this.key = new TextEncoder().encode(this.config.AUTH_JWT_SECRET);
      return;
    }
    const jwksUri = this.config.AUTH_OIDC_JWKS_URI ?? (await this.discoverJwksUri(this.config.AUTH_OIDC_ISSUER!));
    this.key = createRemoteJWKSet(new URL(jwksUri));
  }

  async verify(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const options = this.config.AUTH_MODE === 'secret'
        ? { issuer: DEV_ISSUER, algorithms: ['HS256'] }
        : { issuer: this.config.AUTH_OIDC_ISSUER, audience: this.config.AUTH_OIDC_AUDIENCE };
      ({ payload } = await jwtVerify(token, this.key as Uint8Array, options));
    } catch (error) {
      throw new UnauthorizedException(`invalid bearer token: ${(error as Error).message}`);
    }
    const roles = Array.isArray(payload.roles) ? payload.roles.filter(isRole) : [];
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new UnauthorizedException('token has no subject (sub)');
    if (!isRegionCode(payload.region)) throw new UnauthorizedException('token has no valid region claim');
    if (roles.length === 0) throw new UnauthorizedException('token carries no known role');
    return { id: payload.sub, roles, regionCode: payload.region };
  }

  private async discoverJwksUri(issuer: string): Promise<string> {
    const response = await fetch(new URL('.well-known/openid-configuration', issuer.endsWith('/') ? issuer : `${issuer}/`));
    if (!response.ok) throw new Error(`OIDC discovery at ${issuer} answered ${response.status}`);
    const { jwks_uri: jwksUri } = (await response.json()) as { jwks_uri?: string };
    if (!jwksUri) throw new Error(`OIDC discovery at ${issuer} names no jwks_uri`);
    return jwksUri;
  }
}
