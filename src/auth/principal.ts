import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Role } from './roles';

/** Who is calling: from a verified bearer token. */
export interface Principal {
  id: string;
  roles: Role[];
  regionCode: string;
}

export const IS_PUBLIC = 'doudi:public';
export const REQUIRED_ROLES = 'doudi:roles';
export const REGION_SOURCE = 'doudi:region-source';

/** The route needs no token (health only). */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/** The caller must hold at least one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

/**
 * The route acts on the region named by this query / path parameter or body field; the guard refuses (403) a
 * region outside the caller's. An absent value is left to the handler, which defaults to the caller's region.
 */
export const RegionScoped = (name: string) => SetMetadata(REGION_SOURCE, name);

export const CurrentPrincipal = createParamDecorator((_: unknown, context: ExecutionContext): Principal => {
  return context.switchToHttp().getRequest<{ principal: Principal }>().principal;
});
