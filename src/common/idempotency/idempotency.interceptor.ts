import { applyDecorators, CallHandler, createParamDecorator, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { catchError, from, mergeMap, Observable, of, throwError } from 'rxjs';
import type { Principal } from '../../auth/principal';
import { DomainError } from '../domain-error';
import { InvalidRequestException } from '../problem';
import { IdempotencyConflict, type IdempotencyContext, idempotencyContext, IdempotencyStore } from './idempotency.store';

const IDEMPOTENT = 'doudi:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Marks a creating call: with an `Idempotency-Key` header, a repeat of the same request by the same caller
 * answers the first response again (header `Idempotent-Replayed: true`) instead of creating twice.
 */
export const Idempotent = () => applyDecorators(SetMetadata(IDEMPOTENT, true), ApiExtension(IDEMPOTENT_EXTENSION, true));

/**
 * Marks the operation in the OpenAPI document; src/openapi/document.ts replaces the mark with the one shared
 * `Idempotency-Key` parameter (components.parameters), so the header is declared once, optional, as it is.
 */
export const IDEMPOTENT_EXTENSION = 'x-doudi-idempotent';

/**
 * The handler's `Idempotency-Key` header. Not `@Headers('idempotency-key')`: Swagger documents that as a second,
 * required, lower-case header beside the shared optional one (issue 21).
 */
export const IdempotencyKey = createParamDecorator((_: unknown, context: ExecutionContext): string | undefined => context.switchToHttp().getRequest<Request>().header('idempotency-key'));

/** A unique violation of PostgreSQL: a concurrent twin committed the same key (or the subject's own key column) first. */
function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown; driverError?: { code?: unknown } })?.code === '23505' || (error as { driverError?: { code?: unknown } })?.driverError?.code === '23505';
}

/**
 * Replays a committed answer and refuses a reused key (422). The key row itself is written by the service INSIDE its
 * business transaction (`IdempotencyStore.claim` / `answer`), so it commits with the case or not at all: a request
 * that crashed leaves no key (its retry runs once), a committed one always replays. A concurrent twin waits on the
 * key row and replays the winner's answer. Handlers without a business transaction of their own (e.g. the health
 * check) get their answer stored after they succeed.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const handler = context.getHandler();
    if (!this.reflector.get<boolean>(IDEMPOTENT, handler)) return next.handle();
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    const response = context.switchToHttp().getResponse<Response>();
    const key = request.header('idempotency-key');
    if (key === undefined) return next.handle();
    if (!KEY_PATTERN.test(key)) {
      throw new InvalidRequestException([{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters' }]);
    }
    const actorId = request.principal?.id ?? 'anonymous';
    const requestHash = createHash('sha256').update(`${request.method} ${request.path} ${canonicalJson(request.body)}`).digest('hex');
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (request.method === 'POST' ? 201 : 200);
    const base = { actorId, key, method: request.method, path: request.path, requestHash, status };

    const attempt = (retry: boolean): Observable<unknown> => {
      const ctx: IdempotencyContext = { ...base, claimed: false, replayed: false };
      return from(this.store.lookup(ctx)).pipe(
        mergeMap((found) => {
          if (found) {
            if (found.requestHash !== requestHash) {
              throw new DomainError('idempotency-key-reused', 'this Idempotency-Key was used for a different request', 422);
            }
            response.status(found.status).setHeader('Idempotent-Replayed', 'true');
            return of(found.body);
          }
          // `handle()` binds the handler to the async context it is called in: the service's transaction sees `ctx`.
          const handled = idempotencyContext.run(ctx, () => next.handle());
          return handled.pipe(
            mergeMap(async (body: unknown) => {
              if (ctx.replayed) response.setHeader('Idempotent-Replayed', 'true');
              await this.store.settle(ctx, body);
              return body;
            }),
            catchError((error: unknown) => {
              // A twin committed first: answer what it answered (once; a second collision is a real error).
              if (!retry && (error instanceof IdempotencyConflict || isUniqueViolation(error))) return attempt(true);
              return throwError(() => error);
            }),
          );
        }),
      );
    };
    return attempt(false);
  }
}

/** JSON with object keys sorted, so the same body hashes the same whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
