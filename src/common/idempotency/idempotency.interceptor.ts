import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { catchError, from, mergeMap, Observable, of } from 'rxjs';
import { DataSource } from 'typeorm';
import type { Principal } from '../../auth/principal';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../clock';
import { DomainError } from '../domain-error';
import { InvalidRequestException } from '../problem';

const IDEMPOTENT = 'doudi:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/**
 * Marks a creating call: with an `Idempotency-Key` header, a repeat of the same request by the same caller
 * answers the first response again (header `Idempotent-Replayed: true`) instead of creating twice.
 */
export const Idempotent = () => SetMetadata(IDEMPOTENT, true);

type Begin = { replay: false } | { replay: true; status: number; body: unknown };

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
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
    const hash = createHash('sha256').update(`${request.method} ${request.path} ${canonicalJson(request.body)}`).digest('hex');
    const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (request.method === 'POST' ? 201 : 200);

    return from(this.begin(actorId, key, request, hash)).pipe(
      mergeMap((begun) => {
        if (begun.replay) {
          response.status(begun.status).setHeader('Idempotent-Replayed', 'true');
          return of(begun.body);
        }
        return next.handle().pipe(
          mergeMap(async (body: unknown) => {
            await this.dataSource.query(
              `UPDATE idempotency_key SET state = 'completed', response_status = $3, response_body = $4 WHERE actor_id = $1 AND key = $2`,
              [actorId, key, status, JSON.stringify(body ?? null)],
            );
            return body;
          }),
          catchError(async (error: unknown) => {
            // The call failed and changed nothing: free the key so the client may retry it.
            await this.dataSource.query(`DELETE FROM idempotency_key WHERE actor_id = $1 AND key = $2`, [actorId, key]);
            throw error;
          }),
        );
      }),
    );
  }

  private async begin(actorId: string, key: string, request: Request, hash: string): Promise<Begin> {
    const now = this.clock.now();
    const expires = new Date(now.getTime() + this.config.IDEMPOTENCY_TTL_HOURS * 3_600_000);
    await this.dataSource.query(`DELETE FROM idempotency_key WHERE actor_id = $1 AND key = $2 AND expires_at <= $3`, [actorId, key, now]);
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_key (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7) ON CONFLICT DO NOTHING RETURNING key`,
      [actorId, key, request.method, request.path, hash, now, expires],
    );
    if (inserted.length === 1) return { replay: false };
    const [existing] = (await this.dataSource.query(
      `SELECT request_hash, state, response_status, response_body FROM idempotency_key WHERE actor_id = $1 AND key = $2`,
      [actorId, key],
    )) as { request_hash: string; state: string; response_status: number; response_body: unknown }[];
    if (!existing) return this.begin(actorId, key, request, hash); // freed meanwhile by a failed first call
    if (existing.request_hash !== hash) {
      throw new DomainError('idempotency-key-reused', 'this Idempotency-Key was used for a different request', 422);
    }
    if (existing.state !== 'completed') {
      throw new DomainError('idempotency-request-in-progress', 'a request with this Idempotency-Key is still in progress', 409);
    }
    return { replay: true, status: existing.response_status, body: existing.response_body };
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
