import { Inject, Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { type CsvRecord, inBatches } from '../common/csv-intake';
import { to as copyTo } from 'pg-copy-streams';
import { DataSource, EntityManager } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { maskIdNumber } from '../common/id-number';
import { type FieldProblem, InvalidRequestException } from '../common/problem';
import { DateTime } from 'luxon';
import { CALENDAR_ZONE, HolidayCalendar } from '../policy/holiday-calendar';
import { PolicyProfiles } from '../policy/policy-profiles';
import { TemporaryAidService } from '../temporary-aid/temporary-aid.service';
import type { LineFollowUps } from './line-follow-ups';
import { type CycleCalendar, cycleCalendar } from './payment-calendar';

export interface PaymentCycle {
  id: string;
  countyCode: string;
  month: string;
  profileVersionId: string;
  calendar: CycleCalendar;
  status: string;
  lineCount: number | null;
  totalFen: number | null;
  /** Of the totals, the lines paying an earlier month (补发). */
  arrearsLineCount: number | null;
  arrearsTotalFen: number | null;
  /**
   * Lines the bank reported failed / returned, and of their county follow-ups those not decided yet: a reconciled
   * cycle with open follow-ups is not done (README "Failed-line follow-up").
   */
  failedLines: number;
  returnedLines: number;
  openFollowUps: number;
  processInstanceKey: string | null;
}

/** The columns of the bank file, in order (README "Bank file"). */
export const BANK_FILE_COLUMNS = ['line_id', 'county_code', 'benefit_month', 'attempt', 'payee_name', 'payee_id_number', 'amount_fen', 'kind', 'fund'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The payroll of a county and month, generated set-based in SQL: one line per enrolled beneficiary (the
 * enrolment's benefit, months from `from_month` to before `until_month`), plus the next attempt of every line that
 * failed in an earlier cycle. The unique (case, month, attempt) makes a re-run create nothing; the totals stored
 * with the cycle are checked against the lines before the bank file is written.
 */
@Injectable()
export class PayrollService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    @Inject(HolidayCalendar) private readonly calendar: HolidayCalendar,
    // Always there in the service; bench/payroll.ts builds the payroll alone, without temporary aid.
    @Optional() private readonly temporaryAid?: TemporaryAidService,
  ) {}

  private followUps?: LineFollowUps;

  /** Failed and returned lines get a county follow-up, started in the results' transaction (LineFollowUps registers itself). */
  useFollowUps(followUps: LineFollowUps): void {
    this.followUps = followUps;
  }

  /** The county's cycle of a month (YYYY-MM), created once with its calendar; the same cycle on every call. */
  async openCycle(countyCode: string, month: string, at: Date): Promise<PaymentCycle> {
    await this.createCycle(countyCode, month, at, this.dataSource.manager);
    return (await this.cycleOf(countyCode, month))!;
  }

  /**
   * In the caller's transaction: the county-month's cycle row with its calendar, unless it exists. Answers its id and
   * whether this call created it (the unique county + month decides between the timer's start and a manual run).
   */
  async createCycle(countyCode: string, month: string, at: Date, manager: EntityManager): Promise<{ id: string; created: boolean }> {
    const profile = this.profiles.inForce(this.profiles.profileFor(countyCode).id, `${month}-01`);
    const calendar = cycleCalendar(this.calendar, profile.parameters.paymentCalendar.value, month);
    const inserted: { id: string }[] = await manager.query(
      `INSERT INTO payment_cycle (id, county_code, month, profile_version_id, calendar, status, created_at) VALUES ($1, $2, $3, $4, $5, 'open', $6)
       ON CONFLICT (county_code, month) DO NOTHING RETURNING id`,
      [randomUUID(), countyCode, `${month}-01`, profile.versionId, JSON.stringify(calendar), at],
    );
    if (inserted[0]) return { id: inserted[0].id, created: true };
    const [row] = await manager.query(`SELECT id FROM payment_cycle WHERE county_code = $1 AND month = $2`, [countyCode, `${month}-01`]);
    return { id: row.id as string, created: false };
  }

  async cycleOf(countyCode: string, month: string, manager: EntityManager = this.dataSource.manager): Promise<PaymentCycle | undefined> {
    const [row] = await manager.query(`SELECT pc.*, ${FOLLOW_UP_COUNTS} FROM payment_cycle pc WHERE pc.county_code = $1 AND pc.month = $2`, [countyCode, `${month}-01`]);
    return row ? toCycle(row) : undefined;
  }

  /**
   * The cycle's process instance is `processInstanceKey` from now on, if it had none or had `unless` (an instance that
   * ended without finishing the cycle); answers the instance the cycle runs in after the call.
   */
  async claimCycleInstance(cycleId: string, processInstanceKey: string, unless?: string): Promise<string> {
    const result: unknown = await this.dataSource.query(
      `UPDATE payment_cycle SET process_instance_key = $2 WHERE id = $1 AND (process_instance_key IS NULL OR process_instance_key = $3) RETURNING process_instance_key`,
      [cycleId, processInstanceKey, unless ?? null],
    );
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL with [rows, rowCount].
    const rows = (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : result) as { process_instance_key: string }[];
    if (rows[0]) return String(rows[0].process_instance_key);
    const [current] = await this.dataSource.query(`SELECT process_instance_key FROM payment_cycle WHERE id = $1`, [cycleId]);
    return String(current.process_instance_key);
  }

  /** The county's last month whose payroll is generated (YYYY-MM-01), or null: what a change of benefit can no longer reach. */
  async lastGeneratedMonth(countyCode: string, manager: EntityManager = this.dataSource.manager): Promise<string | null> {
    const [{ month }] = await manager.query(`SELECT to_char(max(month), 'YYYY-MM-DD') AS month FROM payment_cycle WHERE county_code = $1 AND line_count IS NOT NULL`, [countyCode]);
    return (month as string | null) ?? null;
  }

  /** A re-timed cycle deadline (a holiday notice arrived): the cycle's calendar shows the new day and instant. */
  async moveCycleDeadline(cycleId: string, step: keyof Omit<CycleCalendar, 'month'>, dueAt: Date, manager: EntityManager): Promise<void> {
    const entry = { date: DateTime.fromJSDate(dueAt, { zone: CALENDAR_ZONE }).toISODate(), dueAt: dueAt.toISOString() };
    await manager.query(`UPDATE payment_cycle SET calendar = jsonb_set(calendar, $2::text[], $3::jsonb) WHERE id = $1`, [cycleId, [step], JSON.stringify(entry)]);
  }

  async cycle(id: string, manager: EntityManager = this.dataSource.manager): Promise<PaymentCycle | undefined> {
    if (!UUID.test(id)) return undefined;
    const [row] = await manager.query(`SELECT pc.*, ${FOLLOW_UP_COUNTS} FROM payment_cycle pc WHERE pc.id = $1`, [id]);
    return row ? toCycle(row) : undefined;
  }

  async cycles(regionPrefix: string, limit = 120): Promise<PaymentCycle[]> {
    const rows: Record<string, unknown>[] = await this.dataSource.query(`SELECT pc.*, ${FOLLOW_UP_COUNTS} FROM payment_cycle pc WHERE pc.county_code LIKE $1 || '%' ORDER BY pc.month DESC, pc.county_code LIMIT $2`, [regionPrefix, limit]);
    return rows.map(toCycle);
  }

  /** Generates (or, re-run, completes) the cycle's payroll in one transaction; returns the checked totals. */
  async generate(cycleId: string): Promise<{ lineCount: number; totalFen: number }> {
    return this.dataSource.transaction(async (manager) => {
      const [cycle] = await manager.query(`SELECT county_code, to_char(month, 'YYYY-MM-DD') AS month FROM payment_cycle WHERE id = $1 FOR UPDATE`, [cycleId]);
      if (!cycle) throw new DomainError('cycle-not-found', `no payment cycle ${cycleId}`, 404);
      // A county's enrolments joined in memory, not in batches spilled to disk (the default is 4 MB).
      await manager.query(`SET LOCAL work_mem = '256MB'`);
      // Serialises the county's cycles: two months generated at once would both pay the same unpaid month.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('payroll:' || $1))`, [cycle.county_code]);
      // Every month from the enrolment's first up to the cycle's own (and before its end) whose paid and pending
      // lines fall short of the benefit: paid whole, or the difference, as the month's next attempt; earlier months
      // are arrears (src/payments/arrears.ts states the rule, the property test checks both). Failed and returned
      // lines cover nothing, so their months are paid again here. The payee is the applicant while alive in the
      // cycle's month, else the first living member (until the household is recalculated after the death).
      // What the county's lines already cover is aggregated once per statement, before the insert: a look-up per
      // month would be planned as a scan of the table the statement is filling (quadratic, bench:payroll).
      const insert = (months: string, running: string) =>
        `WITH covered AS MATERIALIZED (
           SELECT x.case_id, x.benefit_month, sum(x.amount_fen) FILTER (WHERE x.status IN ('issued', 'paid')) AS covered, max(x.attempt) AS attempts
           FROM payroll_line x JOIN payment_cycle pc ON pc.id = x.cycle_id WHERE pc.county_code = $3 GROUP BY x.case_id, x.benefit_month),
         -- The county's follow-up outcomes (README "Failed-line follow-up"): the latest corrected payee of a case, and the
         -- months stopped (never paid again). Few rows, hashed once.
         corrected AS MATERIALIZED (
           SELECT DISTINCT ON (f.case_id) f.case_id, f.payee_name, f.payee_id_number FROM payroll_line_follow_up f
           WHERE f.county_code = $3 AND f.case_id IS NOT NULL AND f.outcome = 'payee-corrected' ORDER BY f.case_id, f.decided_at DESC),
         stopped AS MATERIALIZED (
           SELECT DISTINCT f.case_id, f.benefit_month FROM payroll_line_follow_up f WHERE f.county_code = $3 AND f.case_id IS NOT NULL AND f.outcome = 'stop')
         INSERT INTO payroll_line (cycle_id, case_id, benefit_month, attempt, payee_name, payee_id_number, amount_fen, kind)
         SELECT $1, e.case_id, m.month, coalesce(l.attempts, 0) + 1, coalesce(p.name, q.payee_name, a.name), coalesce(p.id_number, q.payee_id_number, a.id_number), coalesce(h.benefit_fen, e.benefit_fen) - coalesce(l.covered, 0),
                CASE WHEN m.month < $2::date THEN 'arrears' ELSE 'benefit' END
         FROM dibao_enrolment e
         JOIN dibao_case c ON c.id = e.case_id
         JOIN dibao_member a ON a.case_id = e.case_id AND a.relation = 'applicant'
         ${months}
         LEFT JOIN covered l ON l.case_id = e.case_id AND l.benefit_month = m.month
         -- A member paid after the applicant's death comes before a correction of the applicant's payee.
         LEFT JOIN corrected q ON q.case_id = e.case_id
         LEFT JOIN stopped st ON st.case_id = e.case_id AND st.benefit_month = m.month
         -- The amount in force for the month: the enrolment's, unless the month is before its last change.
         LEFT JOIN LATERAL (SELECT b.benefit_fen FROM dibao_benefit_period b WHERE m.month < e.benefit_from_month AND b.case_id = e.case_id AND b.from_month <= m.month
                            ORDER BY b.from_month DESC LIMIT 1) h ON true
         -- Looked up only when the applicant died before the month (its test gates the scan), not a million times.
         LEFT JOIN LATERAL (SELECT d.name, d.id_number FROM dibao_member d WHERE a.died_on < $2::date AND d.case_id = e.case_id AND (d.died_on IS NULL OR d.died_on >= $2::date)
                            ORDER BY d.member_id LIMIT 1) p ON true
         WHERE c.county_code = $3 AND ${running} AND coalesce(h.benefit_fen, e.benefit_fen) > coalesce(l.covered, 0)
           AND (a.died_on IS NULL OR a.died_on >= $2::date OR p.name IS NOT NULL) AND st.case_id IS NULL
         ON CONFLICT (case_id, benefit_month, attempt) DO NOTHING`;
      // The cycle's own month (the million of bench:payroll, joined by hash as before arrears)…
      await manager.query(insert(`CROSS JOIN (SELECT $2::date AS month) m`, `e.from_month <= $2::date AND (e.until_month IS NULL OR e.until_month > $2::date)`), [cycleId, cycle.month, cycle.county_code]);
      // …and the earlier months of the enrolments that have them.
      await manager.query(
        insert(
          `CROSS JOIN LATERAL (SELECT g::date AS month FROM generate_series(e.from_month, least($2::date - interval '1 month', coalesce(e.until_month - 1, $2::date)), interval '1 month') g) m`,
          `e.from_month < $2::date`,
        ),
        [cycleId, cycle.month, cycle.county_code],
      );
      // Temporary-aid instalments of the county due by this month and not paid (or their line failed): one line each,
      // its own kind, with the fund it comes from (issue 16).
      const instalments = (await this.temporaryAid?.instalmentsDue(cycle.county_code, cycle.month, manager)) ?? [];
      if (instalments.length) {
        await manager.query(
          `INSERT INTO payroll_line (cycle_id, request_id, instalment, benefit_month, attempt, payee_name, payee_id_number, amount_fen, kind, fund)
           SELECT $1, d.request_id, d.instalment, d.month, coalesce(l.attempts, 0) + 1, coalesce(q.payee_name, d.name), coalesce(q.payee_id_number, d.id_number), d.amount_fen, 'temporary-aid-instalment', d.fund
           FROM unnest($2::uuid[], $3::int[], $4::date[], $5::int[], $6::text[], $7::text[], $8::text[]) AS d(request_id, instalment, month, amount_fen, fund, name, id_number)
           LEFT JOIN LATERAL (SELECT max(x.attempt) AS attempts, bool_or(x.status IN ('issued', 'paid')) AS covered
                              FROM payroll_line x WHERE x.request_id = d.request_id AND x.instalment = d.instalment) l ON true
           -- Follow-up outcomes, as for benefits: the request's corrected payee; a stopped instalment is not paid again.
           LEFT JOIN LATERAL (SELECT f.payee_name, f.payee_id_number FROM payroll_line_follow_up f WHERE f.request_id = d.request_id AND f.outcome = 'payee-corrected'
                              ORDER BY f.decided_at DESC LIMIT 1) q ON true
           WHERE NOT coalesce(l.covered, false)
             AND NOT EXISTS (SELECT 1 FROM payroll_line_follow_up f WHERE f.request_id = d.request_id AND f.instalment = d.instalment AND f.outcome = 'stop')
           ON CONFLICT DO NOTHING`,
          [cycleId, ...(['requestId', 'instalment', 'month', 'amountFen', 'paidBy', 'payeeName', 'payeeIdNumber'] as const).map((k) => instalments.map((i) => i[k]))],
        );
      }
      await storeTotals(cycleId, manager);
      return this.checkedTotals(cycleId, manager);
    });
  }

  /** The stored totals, refused (500, an integrity fault) when the lines no longer add up to them. */
  async checkedTotals(cycleId: string, manager: EntityManager = this.dataSource.manager): Promise<{ lineCount: number; totalFen: number }> {
    const [row] = await manager.query(
      `SELECT pc.line_count, pc.total_fen, l.n, l.s FROM payment_cycle pc,
         LATERAL (SELECT count(*) AS n, coalesce(sum(amount_fen), 0) AS s FROM payroll_line WHERE cycle_id = pc.id) l
       WHERE pc.id = $1`,
      [cycleId],
    );
    if (!row || row.line_count === null) throw new DomainError('payroll-not-generated', `the payroll of cycle ${cycleId} has not been generated`, 409);
    if (Number(row.line_count) !== Number(row.n) || Number(row.total_fen) !== Number(row.s)) {
      throw new Error(`payroll of cycle ${cycleId} does not add up: stored ${row.line_count} lines / ${row.total_fen} fen, lines ${row.n} / ${row.s} fen`);
    }
    return { lineCount: Number(row.n), totalFen: Number(row.s) };
  }

  /** A beneficiary's payment history: every payroll line of the case, newest month first; the payee's ID masked. */
  async history(caseId: string): Promise<{ benefitMonth: string; attempt: number; amountFen: number; kind: string; status: string; payeeName: string; payeeIdNumber: string; countyCode: string; cycleId: string; settledAt: Date | null; bankMessage: string | null }[]> {
    if (!UUID.test(caseId)) return [];
    const rows: Record<string, unknown>[] = await this.dataSource.query(
      `SELECT to_char(l.benefit_month, 'YYYY-MM') AS benefit_month, l.attempt, l.amount_fen, l.kind, l.status, l.payee_name, l.payee_id_number, pc.county_code, l.cycle_id::text, l.settled_at, l.bank_message
       FROM payroll_line l JOIN payment_cycle pc ON pc.id = l.cycle_id WHERE l.case_id = $1 ORDER BY l.benefit_month DESC, l.attempt DESC`,
      [caseId],
    );
    return rows.map((r) => ({
      benefitMonth: r.benefit_month as string,
      attempt: Number(r.attempt),
      amountFen: Number(r.amount_fen),
      kind: r.kind as string,
      status: r.status as string,
      payeeName: r.payee_name as string,
      payeeIdNumber: maskIdNumber(r.payee_id_number as string),
      countyCode: r.county_code as string,
      cycleId: r.cycle_id as string,
      settledAt: (r.settled_at as Date | null) ?? null,
      bankMessage: (r.bank_message as string | null) ?? null,
    }));
  }

  /**
   * Applies the bank's results, line by line: paid, failed or returned (each failed or returned line gets a county
   * follow-up, and is re-issued in the next cycle unless the county stops it); `then` writes, in the same
   * transaction, what the caller records of them.
   */
  async importResults(cycleId: string, records: AsyncIterable<CsvRecord>, at: Date, then: (reconciliation: Reconciliation, manager: EntityManager) => Promise<void>): Promise<Reconciliation> {
    let followUps: string[] = [];
    const reconciliation = await importBankResults(this.dataSource, cycleId, records, at, async (reconciliation, manager) => {
      // Instalments the bank paid are paid on their request too (and a request waiting for its last one closes).
      const paid: { request_id: string; instalment: number }[] = await manager.query(
        `SELECT request_id::text, instalment FROM payroll_line WHERE cycle_id = $1 AND kind = 'temporary-aid-instalment' AND status = 'paid' AND settled_at = $2`,
        [cycleId, at],
      );
      if (paid.length) await this.temporaryAid!.instalmentsPaid(paid.map((p) => ({ requestId: p.request_id, instalment: p.instalment })), at, manager);
      // A county follow-up per failed or returned line, its start in the outbox: the engine is called after the commit.
      followUps = (await this.followUps?.startFor(cycleId, manager, at)) ?? [];
      await then(reconciliation, manager);
    });
    this.followUps?.dispatch(followUps);
    return reconciliation;
  }

  /**
   * Writes the bank file (CSV, `BANK_FILE_COLUMNS`, header row, lines in id order) of the lines still to pay, streamed
   * straight out of PostgreSQL with COPY: constant memory whatever the size.
   */
  async writeBankFile(cycleId: string, out: Writable): Promise<{ lineCount: number; totalFen: number }> {
    if (!UUID.test(cycleId)) throw new DomainError('cycle-not-found', `no payment cycle ${cycleId}`, 404);
    const totals = await this.checkedTotals(cycleId);
    const runner = this.dataSource.createQueryRunner();
    try {
      const client = (await runner.connect()) as PoolClient;
      // COPY takes no parameters: the id is a checked UUID literal.
      const copy = client.query(
        copyTo(`COPY (SELECT l.id AS line_id, pc.county_code, to_char(l.benefit_month, 'YYYY-MM') AS benefit_month, l.attempt, l.payee_name, l.payee_id_number, l.amount_fen, l.kind, l.fund
                      FROM payroll_line l JOIN payment_cycle pc ON pc.id = l.cycle_id
                      WHERE l.cycle_id = '${cycleId}' AND l.status = 'issued' ORDER BY l.id)
                TO STDOUT WITH (FORMAT csv, HEADER true)`),
      );
      await pipeline(copy, out);
    } finally {
      await runner.release();
    }
    return totals;
  }
}

/** The columns of a bank results file (README "Bank results"); `message` may be left out. */
export const BANK_RESULT_COLUMNS = ['line_id', 'result', 'message'] as const;
export const BANK_RESULT_REQUIRED = ['line_id', 'result'] as const;
const RESULTS = ['paid', 'failed', 'returned'];

export interface Reconciliation {
  issued: number;
  paid: number;
  failed: number;
  returned: number;
}

/**
 * Reads and applies the bank's results in batches as they arrive, in one transaction: every row checked, and none
 * applied when any row is wrong.
 */
async function importBankResults(
  dataSource: DataSource,
  cycleId: string,
  records: AsyncIterable<CsvRecord>,
  at: Date,
  then: (reconciliation: Reconciliation, manager: EntityManager) => Promise<void>,
): Promise<Reconciliation> {
  return dataSource.transaction(async (manager) => {
    const seen = new Set<string>();
    const problems: FieldProblem[] = [];
    for await (const batch of inBatches(records)) {
      const ids = batch.map(({ values }) => (/^\d{1,18}$/.test(values.line_id ?? '') ? values.line_id! : '0'));
      const open: { id: string }[] = await manager.query(`SELECT id::text FROM payroll_line WHERE cycle_id = $1 AND status = 'issued' AND id = ANY($2::bigint[]) FOR UPDATE`, [cycleId, ids]);
      const issued = new Set(open.map((r) => r.id));
      for (const { row, values } of batch) {
        const field = (name: string) => `csv[row ${row}].${name}`;
        const id = values.line_id ?? '';
        if (seen.has(id)) problems.push({ field: field('line_id'), message: `line ${id} appears twice` });
        else if (!issued.has(id)) problems.push({ field: field('line_id'), message: `line ${id} is not an unsettled line of this cycle` });
        seen.add(id);
        if (!RESULTS.includes(values.result ?? '')) problems.push({ field: field('result'), message: `result must be one of ${RESULTS.join(', ')}` });
      }
      if (problems.length) continue;
      await manager.query(
        `UPDATE payroll_line l SET status = r.result, bank_message = nullif(r.message, ''), settled_at = $2
         FROM unnest($3::bigint[], $4::text[], $5::text[]) AS r(id, result, message) WHERE l.id = r.id AND l.cycle_id = $1`,
        [cycleId, at, ids, batch.map((r) => r.values.result), batch.map((r) => r.values.message ?? '')],
      );
    }
    if (problems.length) throw new InvalidRequestException(problems);
    const [counts] = await manager.query(
      `SELECT count(*) FILTER (WHERE status = 'issued') AS issued, count(*) FILTER (WHERE status = 'paid') AS paid,
              count(*) FILTER (WHERE status = 'failed') AS failed, count(*) FILTER (WHERE status = 'returned') AS returned
       FROM payroll_line WHERE cycle_id = $1`,
      [cycleId],
    );
    const reconciliation = { issued: Number(counts.issued), paid: Number(counts.paid), failed: Number(counts.failed), returned: Number(counts.returned) };
    if (reconciliation.issued === 0) await manager.query(`UPDATE payment_cycle SET status = 'reconciled' WHERE id = $1`, [cycleId]);
    await then(reconciliation, manager);
    return reconciliation;
  });
}

/** The cycle's stored totals (and its status past `open`), from its lines: after generating, or withdrawing a line. */
export async function storeTotals(cycleId: string, manager: EntityManager): Promise<void> {
  await manager.query(
    `UPDATE payment_cycle SET (line_count, total_fen, arrears_line_count, arrears_total_fen) =
         (SELECT count(*), coalesce(sum(amount_fen), 0), count(*) FILTER (WHERE kind = 'arrears'), coalesce(sum(amount_fen) FILTER (WHERE kind = 'arrears'), 0)
          FROM payroll_line WHERE cycle_id = $1),
       status = CASE WHEN status = 'open' THEN 'payroll-generated' ELSE status END
     WHERE id = $1`,
    [cycleId],
  );
}

/** A cycle's failed / returned lines and open follow-ups, counted from the follow-ups (one per such line). */
const FOLLOW_UP_COUNTS = `(SELECT count(*) FILTER (WHERE f.bank_result = 'failed') FROM payroll_line_follow_up f WHERE f.cycle_id = pc.id) AS failed_lines,
  (SELECT count(*) FILTER (WHERE f.bank_result = 'returned') FROM payroll_line_follow_up f WHERE f.cycle_id = pc.id) AS returned_lines,
  (SELECT count(*) FILTER (WHERE f.outcome IS NULL) FROM payroll_line_follow_up f WHERE f.cycle_id = pc.id) AS open_follow_ups`;

function toCycle(r: Record<string, unknown>): PaymentCycle {
  return {
    id: r.id as string,
    countyCode: r.county_code as string,
    month: (r.month as string).slice(0, 7),
    profileVersionId: r.profile_version_id as string,
    calendar: r.calendar as CycleCalendar,
    status: r.status as string,
    lineCount: r.line_count === null ? null : Number(r.line_count),
    totalFen: r.total_fen === null ? null : Number(r.total_fen),
    arrearsLineCount: r.arrears_line_count === null ? null : Number(r.arrears_line_count),
    arrearsTotalFen: r.arrears_total_fen === null ? null : Number(r.arrears_total_fen),
    failedLines: Number(r.failed_lines ?? 0),
    returnedLines: Number(r.returned_lines ?? 0),
    openFollowUps: Number(r.open_follow_ups ?? 0),
    processInstanceKey: (r.process_instance_key as string | null) ?? null,
  };
}
