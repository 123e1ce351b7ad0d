import { CanActivate, ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { IS_PUBLIC, Principal, REGION_SOURCE, REQUIRED_ROLES } from './principal';
import { regionCovers } from './region';
import type { Role } from './roles';
import { TokenVerifier } from './token-verifier';

/** Global guard: bearer token (401), then role (403), then region scope (403). */
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
      if (typeof requested === 'string' && !regionCovers(principal.regionCode, requested)) {
        throw new ForbiddenException(`region ${requested} is outside your region ${principal.regionCode}`);
      }
    }
    return true;
  }
}
