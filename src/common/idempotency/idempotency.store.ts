import { Global, Injectable, Module } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AsyncLocalStorage } from 'node:async_hooks';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../../config/app-config';
import { Clock } from '../clock';

/** The `Idempotency-Key` of the request being handled, as the interceptor found it. */
export interface IdempotencyContext {
  actorId: string;
  key: string;
  method: string;
  path: string;
  requestHash: string;
  /** The status a success answers with (201 for a POST unless the handler says otherwise). */
  status: number;
  /** Set once the handler's transaction wrote the key row (`claim`). */
  claimed: boolean;
  /** Set when the handler found what this key created before (e.g. after the key's TTL) and answered that. */
  replayed: boolean;
}

/** The context travels with the request's async calls, from the interceptor into the service's transaction. */
export const idempotencyContext = new AsyncLocalStorage<IdempotencyContext>();

/** Thrown inside a business transaction when another request with the same key committed first: the interceptor replays it. */
export class IdempotencyConflict extends Error {
  constructor() {
    super('another request with this Idempotency-Key committed first');
  }
}

/**
 * The key row of a creating call, written by the service INSIDE its business transaction, with the answer:
 * - `claim(manager)` first thing in the transaction: inserts the key (a concurrent twin waits on the row, then
 *   finds it taken and throws `IdempotencyConflict`, which the interceptor turns into a replay);
 * - `answer(manager, body)` at the end: the answer a repeat replays.
 * Both commit with the business rows or not at all: a crashed request leaves no key, a committed one always replays.
 * Without an `Idempotency-Key` (or outside an HTTP request) both do nothing.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** The context of the current request, if it carries a key. */
  current(): IdempotencyContext | undefined {
    return idempotencyContext.getStore();
  }

  async claim(manager: EntityManager): Promise<void> {
    const ctx = this.current();
    if (!ctx || ctx.claimed) return;
    const now = this.clock.now();
    const expires = new Date(now.getTime() + this.config.IDEMPOTENCY_TTL_HOURS * 3_600_000);
    // An expired key, or one left `in_progress` by the pre-outbox interceptor, does not hold the key any more.
    await manager.query(`DELETE FROM idempotency_key WHERE actor_id = $1 AND key = $2 AND (expires_at <= $3 OR state = 'in_progress')`, [ctx.actorId, ctx.key, now]);
    const inserted: unknown[] = await manager.query(
      `INSERT INTO idempotency_key (actor_id, key, method, path, request_hash, state, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'in_progress', $6, $7) ON CONFLICT DO NOTHING RETURNING key`,
      [ctx.actorId, ctx.key, ctx.method, ctx.path, ctx.requestHash, now, expires],
    );
    if (inserted.length === 0) throw new IdempotencyConflict();
    ctx.claimed = true;
  }

  /** Stores the answer in the caller's transaction (claiming the key first if the caller did not). */
  async answer(manager: EntityManager, body: unknown): Promise<void> {
    const ctx = this.current();
    if (!ctx) return;
    await this.claim(manager);
    await manager.query(
      `UPDATE idempotency_key SET state = 'completed', response_status = $3, response_body = $4 WHERE actor_id = $1 AND key = $2`,
      [ctx.actorId, ctx.key, ctx.status, JSON.stringify(body ?? null)],
    );
  }

  /** The handler answers what this key created earlier: the response carries `Idempotent-Replayed: true`. */
  replayed(): void {
    const ctx = this.current();
    if (ctx) ctx.replayed = true;
  }

  /** The committed answer of a key, if any (an `in_progress` row is a leftover of a crash and holds nothing). */
  async lookup(ctx: IdempotencyContext): Promise<{ requestHash: string; status: number; body: unknown } | undefined> {
    const now = this.clock.now();
    const [row] = (await this.dataSource.query(
      `SELECT request_hash, response_status, response_body FROM idempotency_key WHERE actor_id = $1 AND key = $2 AND state = 'completed' AND expires_at > $3`,
      [ctx.actorId, ctx.key, now],
    )) as { request_hash: string; response_status: number; response_body: unknown }[];
    return row ? { requestHash: row.request_hash, status: row.response_status, body: row.response_body } : undefined;
  }

  /**
   * After the handler succeeded. A handler that claimed the key: its answer is refreshed with the final body (e.g. the
   * instance key the engine gave after the commit); best effort, the answer stored in the transaction stands otherwise.
   * A handler that does not take part (no business transaction of its own): its answer is stored now.
   */
  async settle(ctx: IdempotencyContext, body: unknown): Promise<void> {
    if (ctx.claimed) {
      await this.dataSource
        .query(`UPDATE idempotency_key SET response_body = $3 WHERE actor_id = $1 AND key = $2 AND state = 'completed'`, [ctx.actorId, ctx.key, JSON.stringify(body ?? null)])
        .catch(() => undefined);
      return;
    }
    if (ctx.replayed) return;
    const now = this.clock.now();
    const expires = new Date(now.getTime() + this.config.IDEMPOTENCY_TTL_HOURS * 3_600_000);
    await this.dataSource.query(
      `INSERT INTO idempotency_key (actor_id, key, method, path, request_hash, state, response_status, response_body, created_at, expires_at)
       VALUES ($1, $2, $3, $4, $5, 'completed', $6, $7, $8, $9)
       ON CONFLICT (actor_id, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, method = EXCLUDED.method, path = EXCLUDED.path, state = 'completed',
         response_status = EXCLUDED.response_status, response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
       WHERE idempotency_key.state = 'in_progress' OR idempotency_key.expires_at <= EXCLUDED.created_at`,
      [ctx.actorId, ctx.key, ctx.method, ctx.path, ctx.requestHash, ctx.status, JSON.stringify(body ?? null), now, expires],
    );
  }
}

/** Provides `IdempotencyStore` everywhere (services call it with their transaction's manager). */
@Global()
@Module({ providers: [IdempotencyStore], exports: [IdempotencyStore] })
export class IdempotencyModule {}
