import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { AidType, Severity, Tier, UnemploymentFacts } from './temporary-aid-rules';

export type AidStatus = 'requested' | 'replied' | 'in-approval' | 'paid' | 'refused' | 'closed';

/** A request as the workers and the API read it. */
export interface AidRequest {
  id: string;
  requestNumber: string;
  regionCode: string;
  townshipCode: string;
  countyCode: string;
  channel: string;
  area: 'urban' | 'rural';
  applicantName: string;
  applicantIdNumber: string;
  householdSize: number;
  description: string;
  unemployment: UnemploymentFacts | null;
  status: AidStatus;
  aidType: AidType | null;
  severity: Severity | null;
  urgent: boolean | null;
  amountFen: number | null;
  tier: Tier | 'ineligible' | null;
  referral: string | null;
  paidBy: 'reserve-fund' | 'county-direct' | 'county' | null;
  profileVersionId: string | null;
  requestedAt: Date;
  repliedAt: Date | null;
  paidAt: Date | null;
  refusalNotice: string | null;
  paperwork: Record<string, unknown> | null;
  paperworkFiledAt: Date | null;
  closedAt: Date | null;
  processInstanceKey: string | null;
}

type Row = Record<string, unknown>;
const COLUMNS: Record<keyof AidRequest, string> = {
  id: 'id',
  requestNumber: 'request_number',
  regionCode: 'region_code',
  townshipCode: 'township_code',
  countyCode: 'county_code',
  channel: 'channel',
  area: 'area',
  applicantName: 'applicant_name',
  applicantIdNumber: 'applicant_id_number',
  householdSize: 'household_size',
  description: 'description',
  unemployment: 'unemployment',
  status: 'status',
  aidType: 'aid_type',
  severity: 'severity',
  urgent: 'urgent',
  amountFen: 'amount_fen',
  tier: 'tier',
  referral: 'referral',
  paidBy: 'paid_by',
  profileVersionId: 'profile_version_id',
  requestedAt: 'requested_at',
  repliedAt: 'replied_at',
  paidAt: 'paid_at',
  refusalNotice: 'refusal_notice',
  paperwork: 'paperwork',
  paperworkFiledAt: 'paperwork_filed_at',
  closedAt: 'closed_at',
  processInstanceKey: 'process_instance_key',
};

function toRequest(r: Row): AidRequest {
  return Object.fromEntries(Object.entries(COLUMNS).map(([field, column]) => [field, r[column] ?? null])) as unknown as AidRequest;
}

/** The temporary-aid tables, in SQL; every write takes the caller's EntityManager so it commits with its step. */
@Injectable()
export class TemporaryAidRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async nextNumber(countyCode: string, year: number, manager: EntityManager): Promise<string> {
    const [{ n }] = await manager.query(`SELECT nextval('temporary_aid_number_seq') AS n`);
    return `LS${countyCode}-${year}-${String(n).padStart(6, '0')}`;
  }

  async insert(
    r: Pick<AidRequest, 'id' | 'requestNumber' | 'regionCode' | 'townshipCode' | 'countyCode' | 'channel' | 'area' | 'applicantName' | 'applicantIdNumber' | 'householdSize' | 'description' | 'unemployment' | 'requestedAt'> & { createdBy: string; idempotencyKey?: string },
    manager: EntityManager,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO temporary_aid_request (id, request_number, region_code, township_code, county_code, channel, area, applicant_name, applicant_id_number,
         household_size, description, unemployment, status, requested_at, created_by, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'requested', $13, $14, $15)`,
      [r.id, r.requestNumber, r.regionCode, r.townshipCode, r.countyCode, r.channel, r.area, r.applicantName, r.applicantIdNumber, r.householdSize, r.description,
        r.unemployment ? JSON.stringify(r.unemployment) : null, r.requestedAt, r.createdBy, r.idempotencyKey ?? null],
    );
  }

  async find(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<AidRequest | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const rows: Row[] = await manager.query(`SELECT * FROM temporary_aid_request WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  async list(regionPrefix: string, status: AidStatus | undefined, limit = 200): Promise<AidRequest[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT * FROM temporary_aid_request WHERE region_code LIKE $1 || '%' AND ($2::text IS NULL OR status = $2) ORDER BY requested_at DESC LIMIT $3`,
      [regionPrefix, status ?? null, limit],
    );
    return rows.map(toRequest);
  }

  async update(id: string, changes: Partial<AidRequest>, manager: EntityManager): Promise<void> {
    const fields = Object.keys(changes) as (keyof AidRequest)[];
    const value = (field: keyof AidRequest) => {
      const v = changes[field];
      return v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v;
    };
    await manager.query(`UPDATE temporary_aid_request SET ${fields.map((f, i) => `${COLUMNS[f]} = $${i + 2}`).join(', ')} WHERE id = $1`, [id, ...fields.map(value)]);
  }

  /** A timeline event; with a job key, once however often the job runs. Returns whether it was new. */
  async event(requestId: string, kind: string, at: Date, actorId: string, details: Record<string, unknown>, manager: EntityManager, jobKey?: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO temporary_aid_event (request_id, kind, at, actor_id, details, job_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING RETURNING id`,
      [requestId, kind, at, actorId, details, jobKey ?? null],
    );
    return inserted.length > 0;
  }

  async timeline(requestId: string): Promise<{ kind: string; at: Date; actorId: string; details: Record<string, unknown> }[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT kind, at, actor_id, details FROM temporary_aid_event WHERE request_id = $1 ORDER BY at, id`, [requestId]);
    return rows.map((r) => ({ kind: r.kind as string, at: r.at as Date, actorId: r.actor_id as string, details: r.details as Record<string, unknown> }));
  }

  async insertPayments(requestId: string, lines: { instalment: number; month: string; amountFen: number; paidBy: string; paidAt: Date | null }[], manager: EntityManager): Promise<void> {
    for (const line of lines) {
      await manager.query(
        `INSERT INTO temporary_aid_payment (request_id, instalment, month, amount_fen, paid_by, paid_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [requestId, line.instalment, line.month, line.amountFen, line.paidBy, line.paidAt],
      );
    }
  }

  async payments(requestId: string): Promise<{ instalment: number; month: string; amountFen: number; paidBy: string; paidAt: Date | null }[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM temporary_aid_payment WHERE request_id = $1 ORDER BY instalment`, [requestId]);
    return rows.map((r) => ({ instalment: r.instalment as number, month: r.month as string, amountFen: r.amount_fen as number, paidBy: r.paid_by as string, paidAt: (r.paid_at as Date | null) ?? null }));
  }

  /** Instalments of the county due by `month` (YYYY-MM-01) and not paid yet: the monthly payroll pays them. */
  async unpaidInstalments(countyCode: string, month: string, manager: EntityManager): Promise<{ requestId: string; instalment: number; month: string; amountFen: number; paidBy: string; payeeName: string; payeeIdNumber: string }[]> {
    const rows: Row[] = await manager.query(
      `SELECT p.request_id::text, p.instalment, to_char(p.month, 'YYYY-MM-DD') AS month, p.amount_fen, p.paid_by, r.applicant_name, r.applicant_id_number
       FROM temporary_aid_payment p JOIN temporary_aid_request r ON r.id = p.request_id
       WHERE r.county_code = $1 AND p.month <= $2::date AND p.paid_at IS NULL ORDER BY p.request_id, p.instalment`,
      [countyCode, month],
    );
    return rows.map((r) => ({ requestId: r.request_id as string, instalment: r.instalment as number, month: r.month as string, amountFen: r.amount_fen as number, paidBy: r.paid_by as string, payeeName: r.applicant_name as string, payeeIdNumber: r.applicant_id_number as string }));
  }

  /** Instalments the bank paid; answers the requests of which no instalment is left unpaid. */
  async markInstalmentsPaid(paid: { requestId: string; instalment: number }[], at: Date, manager: EntityManager): Promise<string[]> {
    if (paid.length === 0) return [];
    const [rows] = (await manager.query(
      `UPDATE temporary_aid_payment p SET paid_at = $3 FROM unnest($1::uuid[], $2::int[]) AS x(request_id, instalment)
       WHERE p.request_id = x.request_id AND p.instalment = x.instalment AND p.paid_at IS NULL RETURNING p.request_id::text`,
      [paid.map((p) => p.requestId), paid.map((p) => p.instalment), at],
    )) as [Row[], number];
    const touched = [...new Set(rows.map((r) => r.request_id as string))];
    if (touched.length === 0) return [];
    const done: Row[] = await manager.query(
      `SELECT id::text FROM unnest($1::uuid[]) AS id WHERE NOT EXISTS (SELECT 1 FROM temporary_aid_payment p WHERE p.request_id = id AND p.paid_at IS NULL)`,
      [touched],
    );
    return done.map((r) => r.id as string);
  }

  /** Whether an instalment of the request is still unpaid. */
  async hasUnpaidInstalments(requestId: string, manager: EntityManager): Promise<boolean> {
    const rows: Row[] = await manager.query(`SELECT 1 FROM temporary_aid_payment WHERE request_id = $1 AND paid_at IS NULL LIMIT 1`, [requestId]);
    return rows.length > 0;
  }

  /** The instance key the outbox got from the engine, once (a request keeps the instance it was first given). */
  async setProcessInstanceKey(id: string, processInstanceKey: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE temporary_aid_request SET process_instance_key = $2 WHERE id = $1 AND process_instance_key IS NULL`, [id, processInstanceKey]);
  }

  /** The request a caller created with this idempotency key, if any. */
  async findByIdempotencyKey(createdBy: string, idempotencyKey: string, manager: EntityManager = this.dataSource.manager): Promise<AidRequest | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM temporary_aid_request WHERE created_by = $1 AND idempotency_key = $2`, [createdBy, idempotencyKey]);
    return rows[0] ? toRequest(rows[0]) : undefined;
  }

  /** Requests that have no process instance (yet), oldest first. */
  async withoutProcessInstance(limit = 500): Promise<AidRequest[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM temporary_aid_request WHERE process_instance_key IS NULL ORDER BY requested_at, id LIMIT $1`, [limit]);
    return rows.map(toRequest);
  }

  /** Of these instance keys, those a request points at. */
  async knownInstanceKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: Row[] = await this.dataSource.query(`SELECT process_instance_key AS key FROM temporary_aid_request WHERE process_instance_key = ANY($1)`, [keys]);
    return new Set(rows.map((r) => r.key as string));
  }

  /** The request numbers of these request ids (ids that are no request are left out). */
  async requestNumbers(ids: string[]): Promise<Map<string, string>> {
    const rows: Row[] = await this.dataSource.query(`SELECT id::text AS id, request_number FROM temporary_aid_request WHERE id::text = ANY($1)`, [ids]);
    return new Map(rows.map((r) => [r.id as string, r.request_number as string]));
  }

  /** Of these ids, those that are requests. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (valid.length === 0) return new Set();
    const rows: Row[] = await this.dataSource.query(`SELECT id FROM temporary_aid_request WHERE id = ANY($1::uuid[])`, [valid]);
    return new Set(rows.map((r) => r.id as string));
  }
}
