import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { from, Observable, switchMap } from 'rxjs';
import { RegionRegistry } from './region-registry';

const KNOWN_REGIONS = 'doudi:known-regions';

/**
 * The route's path parameters, query parameters or body fields of these names must name known regions: a well-formed
 * but unknown code is a 400 naming the field, before the handler (and its idempotency key, rows or sequences) runs.
 */
export const KnownRegions = (...names: string[]) => SetMetadata(KNOWN_REGIONS, names);

/** Global: the one place the creating routes' region codes are checked against the registry. */
@Injectable()
export class KnownRegionsInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly registry: RegionRegistry,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const names = this.reflector.getAllAndOverride<string[] | undefined>(KNOWN_REGIONS, [context.getHandler(), context.getClass()]);
    if (!names?.length || context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<{ params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown }>();
    const body = typeof request.body === 'object' && request.body !== null ? (request.body as Record<string, unknown>) : {};
    const fields = Object.fromEntries(names.map((name) => [name, request.params?.[name] ?? request.query?.[name] ?? body[name]]));
    return from(this.registry.assertKnown(fields)).pipe(switchMap(() => next.handle()));
  }
}
