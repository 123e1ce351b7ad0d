import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

/** A command for the engine, written with the rows it belongs to and dispatched after their commit. */
export interface OutboxRow {
  id: string;
  kind: 'start-process' | 'publish-message';
  processId: string | null;
  messageName: string | null;
  correlationKey: string | null;
  businessKey: string;
  subjectType: string;
  subjectId: string;
  variables: Record<string, unknown>;
  createdAt: Date;
  dispatchedAt: Date | null;
  attempts: number;
  lastError: string | null;
  result: { processInstanceKey?: string; existing?: boolean } | null;
}

/** How long a claimed row is left to its dispatcher before another may take it (longer than any engine call). */
export const CLAIM_LEASE_SECONDS = 60;
/**
 * A new row is left to the request that wrote it for this long (it dispatches its own row right after the commit);
 * only then does the loop take it, e.g. when that request's process died.
 */
export const REQUEST_GRACE_SECONDS = 10;
/** The longest back-off between two attempts of a failing row. */
const MAX_BACKOFF_SECONDS = 60;

type Row = Record<string, unknown>;

/** TypeORM answers an UPDATE … RETURNING on PostgreSQL with `[rows, rowCount]`. */
function updated(result: unknown): Row[] {
  return Array.isArray(result) && Array.isArray(result[0]) ? (result[0] as Row[]) : (result as Row[]);
}

function toRow(r: Row): OutboxRow {
  return {
    id: String(r.id),
    kind: r.kind as OutboxRow['kind'],
    processId: (r.process_id as string | null) ?? null,
    messageName: (r.message_name as string | null) ?? null,
    correlationKey: (r.correlation_key as string | null) ?? null,
    businessKey: r.business_key as string,
    subjectType: r.subject_type as string,
    subjectId: r.subject_id as string,
    variables: (r.variables as Record<string, unknown>) ?? {},
    createdAt: r.created_at as Date,
    dispatchedAt: (r.dispatched_at as Date | null) ?? null,
    attempts: r.attempts as number,
    lastError: (r.last_error as string | null) ?? null,
    result: (r.result as OutboxRow['result']) ?? null,
  };
}

/**
 * The `engine_outbox` table. Timing columns (lease, back-off) use the database's clock, not the business clock:
 * they are about the machinery, and several replicas must agree on them.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  /** In the caller's transaction: start `processId` for this subject once it commits. Returns the row id. */
  async enqueueStart(command: { processId: string; businessKey: string; subjectType: string; subjectId: string; variables: Record<string, unknown> }, manager: EntityManager): Promise<string> {
    const [row]: Row[] = await manager.query(
      `INSERT INTO engine_outbox (kind, process_id, business_key, subject_type, subject_id, variables, next_attempt_at)
       VALUES ('start-process', $1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING id`,
      [command.processId, command.businessKey, command.subjectType, command.subjectId, JSON.stringify(command.variables), REQUEST_GRACE_SECONDS],
    );
    return String(row!.id);
  }

  /** In the caller's transaction: publish a message once it commits (the row id makes the message id). */
  async enqueueMessage(command: { name: string; correlationKey: string; businessKey: string; subjectType: string; subjectId: string; variables: Record<string, unknown> }, manager: EntityManager): Promise<string> {
    const [row]: Row[] = await manager.query(
      `INSERT INTO engine_outbox (kind, message_name, correlation_key, business_key, subject_type, subject_id, variables, next_attempt_at)
       VALUES ('publish-message', $1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7)) RETURNING id`,
      [command.name, command.correlationKey, command.businessKey, command.subjectType, command.subjectId, JSON.stringify(command.variables), REQUEST_GRACE_SECONDS],
    );
    return String(row!.id);
  }

  /**
   * Claims due rows (or the one row `id`, due or not) for this dispatcher: `FOR UPDATE SKIP LOCKED` so replicas never
   * take the same row, and a lease so the claim is committed at once (this statement is its own transaction) and a
   * dispatcher that died leaves the row to another after the lease.
   */
  async claim(limit: number, id?: string): Promise<OutboxRow[]> {
    const rows = updated(await this.dataSource.query(
      `UPDATE engine_outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
       WHERE id IN (
         SELECT id FROM engine_outbox
         WHERE dispatched_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
           AND ($3::bigint IS NOT NULL AND id = $3::bigint OR $3::bigint IS NULL AND next_attempt_at <= now())
         ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING *`,
      [limit, CLAIM_LEASE_SECONDS, id ?? null],
    ));
    return rows.map(toRow);
  }

  /** The engine did it: in the caller's transaction (with the subject's write-back). */
  async dispatched(id: string, result: Record<string, unknown>, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE engine_outbox SET dispatched_at = now(), result = $2, last_error = NULL, claimed_until = NULL WHERE id = $1`, [id, JSON.stringify(result)]);
  }

  /** The engine did not: released with a back-off growing with the attempts (1 s, 2 s, 4 s … at most a minute). */
  async failed(id: string, error: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE engine_outbox SET last_error = $2, claimed_until = NULL,
         next_attempt_at = now() + make_interval(secs => least($3, power(2, greatest(attempts - 1, 0)))) WHERE id = $1`,
      [id, error.slice(0, 2000), MAX_BACKOFF_SECONDS],
    );
  }

  /** Failed rows become due at once (the reconciler, e.g. at start-up after an engine outage). */
  async retryFailedNow(): Promise<number> {
    const rows = updated(
      await this.dataSource.query(`UPDATE engine_outbox SET next_attempt_at = now() WHERE dispatched_at IS NULL AND last_error IS NOT NULL AND next_attempt_at > now() RETURNING id`),
    );
    return rows.length;
  }

  async find(id: string): Promise<OutboxRow | undefined> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM engine_outbox WHERE id = $1`, [id]);
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async forSubject(subjectType: string, subjectId: string): Promise<OutboxRow[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM engine_outbox WHERE subject_type = $1 AND subject_id = $2 ORDER BY id`, [subjectType, subjectId]);
    return rows.map(toRow);
  }

  /** Rows not yet dispatched, by kind (the `doudi_outbox_backlog` gauge): pending, failing or claimed. */
  async backlog(): Promise<{ kind: string; n: number }[]> {
    const rows: { kind: string; n: string }[] = await this.dataSource.query(`SELECT kind, count(*) AS n FROM engine_outbox WHERE dispatched_at IS NULL GROUP BY kind`);
    return rows.map((r) => ({ kind: r.kind, n: Number(r.n) }));
  }

  /** In the caller's transaction: whether the subject has a start command not yet dispatched. */
  async hasPendingStart(subjectType: string, subjectId: string, manager: EntityManager): Promise<boolean> {
    const rows: Row[] = await manager.query(`SELECT 1 FROM engine_outbox WHERE kind = 'start-process' AND subject_type = $1 AND subject_id = $2 AND dispatched_at IS NULL LIMIT 1`, [subjectType, subjectId]);
    return rows.length > 0;
  }

  /** Of these subject ids, those with a start command (pending or dispatched). */
  async subjectsWithStart(subjectType: string, subjectIds: string[]): Promise<Set<string>> {
    if (subjectIds.length === 0) return new Set();
    const rows: Row[] = await this.dataSource.query(`SELECT subject_id FROM engine_outbox WHERE kind = 'start-process' AND subject_type = $1 AND subject_id = ANY($2)`, [subjectType, subjectIds]);
    return new Set(rows.map((r) => r.subject_id as string));
  }
}
