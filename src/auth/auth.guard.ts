import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC, Principal, REGION_SOURCE, REQUIRED_ROLES } from './principal';
import { InvalidRequestException } from '../common/problem';
import { isRegionCode, regionCovers } from './region';
import type { Role } from './roles';
import { TokenVerifier } from './token-verifier';

/** Global guard: bearer token (401), then role (403), then region scope (400 for a malformed code, else 403). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const [scheme, token] = (request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw new UnauthorizedException('a bearer token is required');
    const principal = await this.verifier.verify(token);
    request.principal = principal;

    const required = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (required && !required.some((role) => principal.roles.includes(role))) {
      throw new ForbiddenException(`this action needs one of the roles: ${required.join(', ')}`);
    }

    const regionSource = this.reflector.getAllAndOverride<string | undefined>(REGION_SOURCE, targets);
    if (regionSource) {
      const requested = request.params?.[regionSource] ?? request.query?.[regionSource] ?? (request.body as Record<string, unknown> | undefined)?.[regionSource];
      // A malformed code is a 400, not a 403: the caller's mistake is its shape, not its reach (and an array or a
      // non-string must not slip past the scope check).
      if (requested !== undefined && !isRegionCode(requested)) {
        throw new InvalidRequestException([{ field: regionSource, message: `${regionSource} must be a 6-, 9- or 12-digit region code` }]);
      }
      if (requested !== undefined && !regionCovers(principal.regionCode, requested)) {
        throw new ForbiddenException(`region ${requested} is outside your region ${principal.regionCode}`);
      }
    }
    return true;
  }
}
