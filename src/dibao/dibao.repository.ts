import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DateTime } from 'luxon';
import { DataSource, EntityManager } from 'typeorm';
import type { AssessmentInput, Member } from '../assessment/household';
import { likeLiteral, orderBy, type SortOrder } from '../common/paging';
import type { CaseSort, DibaoStatus } from './dibao.dto';
import { firstMonthAfter } from '../policy/shanghai-date';

/** A case as the workers and the API read it. */
export interface DibaoCase {
  id: string;
  caseNumber: string;
  regionCode: string;
  townshipCode: string;
  countyCode: string;
  channel: string;
  requestType: 'household' | 'single-person';
  area: 'urban' | 'rural';
  status: DibaoStatus;
  household: Omit<AssessmentInput, 'area' | 'members'>;
  applicantName: string;
  profileVersionId: string | null;
  relativesCase: boolean;
  objectionRaised: boolean;
  benefitFen: number | null;
  appliedAt: Date;
  acceptedAt: Date | null;
  decidedAt: Date | null;
  processInstanceKey: string | null;
}

export interface DibaoMember extends Member {
  name: string;
  idNumber: string;
  /** Set by the monthly death-record comparison. */
  diedOn?: string;
}

export interface TimelineEvent {
  kind: string;
  at: Date;
  actorId: string;
  details: Record<string, unknown>;
}

type Row = Record<string, unknown>;

export interface CaseSearch {
  regionPrefix: string;
  status?: DibaoStatus;
  caseNumber?: string;
  name?: string;
  idNumber?: { kind: 'full' | 'masked'; value: string };
  sort: CaseSort;
  order: SortOrder;
  limit: number;
  offset: number;
}

const CASE_SORT_COLUMNS: Record<CaseSort, string> = {
  appliedAt: 'c.applied_at',
  caseNumber: 'c.case_number',
  applicantName: 'c.applicant_name',
  status: 'c.status',
  decidedAt: 'c.decided_at',
};

/** The events that close a hearing of the family (法§48). */
export const HEARING_CONCLUSIONS = ['terminated', 'benefit-reduced', 'kept-after-hearing', 'hearing-not-held'] as const;

function toCase(r: Row): DibaoCase {
  return {
    id: r.id as string,
    caseNumber: r.case_number as string,
    regionCode: r.region_code as string,
    townshipCode: r.township_code as string,
    countyCode: r.county_code as string,
    channel: r.channel as string,
    requestType: r.request_type as DibaoCase['requestType'],
    area: r.area as DibaoCase['area'],
    status: r.status as DibaoStatus,
    household: r.household as DibaoCase['household'],
    applicantName: r.applicant_name as string,
    profileVersionId: (r.profile_version_id as string | null) ?? null,
    relativesCase: r.relatives_case as boolean,
    objectionRaised: r.objection_raised as boolean,
    benefitFen: (r.benefit_fen as number | null) ?? null,
    appliedAt: r.applied_at as Date,
    acceptedAt: (r.accepted_at as Date | null) ?? null,
    decidedAt: (r.decided_at as Date | null) ?? null,
    processInstanceKey: (r.process_instance_key as string | null) ?? null,
  };
}

/** The dibao tables, in SQL: every write takes the caller's EntityManager so it commits with the rest of its step. */
@Injectable()
export class DibaoRepository {
  constructor(@InjectDataSource() readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /**
   * Serialises applications by ID number until the transaction ends (a transaction-scoped advisory lock per number,
   * in the two-key space of its own, taken in order so two households never wait on each other): of two concurrent
   * applications naming the same person, the second sees the first's case once it commits.
   */
  async lockIdNumbers(idNumbers: string[], manager: EntityManager): Promise<void> {
    for (const idNumber of [...new Set(idNumbers)].sort()) {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('dibao-member'), hashtext($1))`, [idNumber]);
    }
  }

  /** A case still open or enrolled (not refused, closed or terminated), anywhere, with one of these ID numbers among its members. */
  async openCaseWithMember(idNumbers: string[], manager: EntityManager): Promise<{ caseNumber: string; regionCode: string } | undefined> {
    const [r]: Row[] = await manager.query(
      `SELECT c.case_number, c.region_code FROM dibao_member m JOIN dibao_case c ON c.id = m.case_id
       WHERE m.id_number = ANY($1) AND c.status NOT IN ('refused', 'closed', 'terminated') ORDER BY c.applied_at, c.id LIMIT 1`,
      [idNumbers],
    );
    return r ? { caseNumber: r.case_number as string, regionCode: r.region_code as string } : undefined;
  }

  async nextCaseNumber(countyCode: string, year: number, manager: EntityManager): Promise<string> {
    const [{ n }] = await manager.query(`SELECT nextval('dibao_case_number_seq') AS n`);
    return `DB${countyCode}-${year}-${String(n).padStart(6, '0')}`;
  }

  async insertCase(c: Omit<DibaoCase, 'status' | 'profileVersionId' | 'benefitFen' | 'acceptedAt' | 'decidedAt' | 'processInstanceKey' | 'objectionRaised'> & { createdBy: string; idempotencyKey?: string }, members: DibaoMember[], manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_case (id, case_number, region_code, township_code, county_code, channel, request_type, area, status, household,
         applicant_name, relatives_case, applied_at, created_by, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'applied', $9, $10, $11, $12, $13, $14)`,
      [c.id, c.caseNumber, c.regionCode, c.townshipCode, c.countyCode, c.channel, c.requestType, c.area, c.household, c.applicantName, c.relativesCase, c.appliedAt, c.createdBy, c.idempotencyKey ?? null],
    );
    for (const m of members) {
      await manager.query(
        `INSERT INTO dibao_member (case_id, member_id, name, id_number, age, relation, disability, serious_illness, in_school, employed)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [c.id, m.id, m.name, m.idNumber, m.age, m.relation, m.disability ?? null, m.seriousIllness, m.inSchool, m.employed],
      );
    }
  }

  async findCase(id: string, manager: EntityManager = this.dataSource.manager, lock = false): Promise<DibaoCase | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    const rows: Row[] = await manager.query(`SELECT * FROM dibao_case WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /**
   * One page of the cases under a region prefix, with the total that match. The ID number matches any member of the
   * household: in full, or by the masked form's first 6 and last 4 characters.
   */
  async searchCases(filter: CaseSearch): Promise<{ cases: DibaoCase[]; total: number }> {
    const params: unknown[] = [filter.regionPrefix];
    const param = (value: unknown) => `$${params.push(value)}`;
    const conditions = [`c.region_code LIKE $1 || '%'`];
    if (filter.status) conditions.push(`c.status = ${param(filter.status)}`);
    if (filter.caseNumber) conditions.push(`c.case_number ILIKE ${param(`${likeLiteral(filter.caseNumber)}%`)}`);
    if (filter.name) conditions.push(`c.applicant_name LIKE ${param(`%${likeLiteral(filter.name)}%`)}`);
    if (filter.idNumber?.kind === 'full') conditions.push(`EXISTS (SELECT 1 FROM dibao_member m WHERE m.case_id = c.id AND m.id_number = ${param(filter.idNumber.value)})`);
    if (filter.idNumber?.kind === 'masked') {
      const value = filter.idNumber.value;
      conditions.push(`EXISTS (SELECT 1 FROM dibao_member m WHERE m.case_id = c.id AND left(m.id_number, 6) = ${param(value.slice(0, 6))} AND right(m.id_number, 4) = ${param(value.slice(-4))})`);
    }
    const where = conditions.join(' AND ');
    const [{ n }] = (await this.dataSource.query(`SELECT count(*)::int AS n FROM dibao_case c WHERE ${where}`, params)) as { n: number }[];
    const order = orderBy(CASE_SORT_COLUMNS, filter.sort, filter.order, 'c.id');
    const rows: Row[] = await this.dataSource.query(`SELECT c.* FROM dibao_case c WHERE ${where} ${order} LIMIT ${param(filter.limit)} OFFSET ${param(filter.offset)}`, params);
    return { cases: rows.map(toCase), total: n };
  }

  async members(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<DibaoMember[]> {
    const rows: Row[] = await manager.query(`SELECT * FROM dibao_member WHERE case_id = $1 ORDER BY member_id`, [caseId]);
    return rows.map((r) => ({
      id: r.member_id as string,
      name: r.name as string,
      idNumber: r.id_number as string,
      age: r.age as number,
      relation: r.relation as Member['relation'],
      disability: (r.disability as Member['disability']) ?? undefined,
      seriousIllness: r.serious_illness as boolean,
      inSchool: r.in_school as boolean,
      employed: r.employed as boolean,
      ...(r.died_on ? { diedOn: r.died_on as string } : {}),
    }));
  }

  async update(caseId: string, changes: Partial<Record<'status' | 'profile_version_id' | 'accepted_at' | 'decided_at' | 'benefit_fen' | 'objection_raised' | 'process_instance_key' | 'relatives_case', unknown>>, manager: EntityManager): Promise<void> {
    const columns = Object.keys(changes);
    await manager.query(
      `UPDATE dibao_case SET ${columns.map((c, i) => `${c} = $${i + 2}`).join(', ')} WHERE id = $1`,
      [caseId, ...columns.map((c) => changes[c as keyof typeof changes])],
    );
  }

  /** Records an event of the timeline; with a job key, once however often the job runs. Returns whether it was new. */
  async event(caseId: string, kind: string, at: Date, actorId: string, details: Record<string, unknown>, manager: EntityManager, jobKey?: string): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO dibao_event (case_id, kind, at, actor_id, details, job_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING RETURNING id`,
      [caseId, kind, at, actorId, details, jobKey ?? null],
    );
    return inserted.length > 0;
  }

  /** The event a job recorded, if it ran before (a retried job answers what it answered the first time). */
  async eventOfJob(jobKey: string, manager: EntityManager): Promise<TimelineEvent | undefined> {
    const [r]: Row[] = await manager.query(`SELECT kind, at, actor_id, details FROM dibao_event WHERE job_key = $1`, [jobKey]);
    return r ? { kind: r.kind as string, at: r.at as Date, actorId: r.actor_id as string, details: r.details as Record<string, unknown> } : undefined;
  }

  /**
   * The family's hearing the case waits for, if one is open: opened by a review (`review-hearing-opened`) or by a
   * county correction that sent an enrolment to a hearing, and not yet concluded (terminated, reduced, kept or not
   * held). Events, not the deadline: a breached hearing is still open.
   */
  async openHearing(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<{ kind: string; at: Date; dueAt: string | null; details: Record<string, unknown> } | undefined> {
    const [r]: Row[] = await manager.query(
      `SELECT e.kind, e.at, e.details, coalesce(e.details->>'hearingDueAt', e.details->'outcome'->>'hearingDueAt') AS due_at FROM dibao_event e
       WHERE e.case_id = $1 AND (e.kind = 'review-hearing-opened' OR e.kind = 'county-correction' AND e.details->'outcome'->>'correctionPath' = 'hear')
         AND NOT EXISTS (SELECT 1 FROM dibao_event l WHERE l.case_id = e.case_id AND l.id > e.id AND l.kind IN (${HEARING_CONCLUSIONS.map((k) => `'${k}'`).join(', ')}))
       ORDER BY e.id DESC LIMIT 1`,
      [caseId],
    );
    return r ? { kind: r.kind as string, at: r.at as Date, dueAt: (r.due_at as string | null) ?? null, details: r.details as Record<string, unknown> } : undefined;
  }

  async timeline(caseId: string): Promise<TimelineEvent[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT kind, at, actor_id, details FROM dibao_event WHERE case_id = $1 ORDER BY at, id`, [caseId]);
    return rows.map((r) => ({ kind: r.kind as string, at: r.at as Date, actorId: r.actor_id as string, details: r.details as Record<string, unknown> }));
  }

  async insertAssessment(caseId: string, profileVersionId: string, outcome: string, benefitFen: number, result: unknown, at: Date, jobKey: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_assessment (case_id, profile_version_id, outcome, benefit_fen, result, assessed_at, job_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (job_key) DO NOTHING`,
      [caseId, profileVersionId, outcome, benefitFen, JSON.stringify(result), at, jobKey],
    );
  }

  async latestAssessment(caseId: string, manager: EntityManager = this.dataSource.manager): Promise<{ outcome: string; benefitFen: number; result: { reasons: string[]; standardFen: number; perCapitaIncomeFen: number; steps: { rule: string; description: string }[] } } | undefined> {
    const rows: Row[] = await manager.query(`SELECT outcome, benefit_fen, result FROM dibao_assessment WHERE case_id = $1 ORDER BY assessed_at DESC, id DESC LIMIT 1`, [caseId]);
    return rows[0] ? { outcome: rows[0].outcome as string, benefitFen: rows[0].benefit_fen as number, result: rows[0].result as never } : undefined;
  }

  /** The assessment a step recorded under its key (a review: `review:<case>:<instant>`). */
  async assessmentOfKey(jobKey: string, manager: EntityManager = this.dataSource.manager): Promise<{ profileVersionId: string; result: { reasons: string[]; steps: { rule: string; description: string }[] } } | undefined> {
    const rows: Row[] = await manager.query(`SELECT profile_version_id, result FROM dibao_assessment WHERE job_key = $1`, [jobKey]);
    return rows[0] ? { profileVersionId: rows[0].profile_version_id as string, result: rows[0].result as never } : undefined;
  }

  /** The household's money as a review found it (applied when the benefit follows the review). */
  async setHousehold(caseId: string, household: DibaoCase['household'], manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE dibao_case SET household = $2 WHERE id = $1`, [caseId, JSON.stringify(household)]);
  }

  async insertDecision(caseId: string, decision: 'approve' | 'refuse', reasons: string, benefitFen: number, at: Date, jobKey: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_decision (case_id, decision, reasons, benefit_fen, decided_at, job_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING`,
      [caseId, decision, reasons, benefitFen, at, jobKey],
    );
  }

  async insertNotice(caseId: string, kind: string, text: string, issuedAt: Date, endsAt: Date | null, jobKey: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_notice (case_id, kind, text, issued_at, ends_at, job_key) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_key) DO NOTHING`,
      [caseId, kind, text, issuedAt, endsAt, jobKey],
    );
  }

  async notices(caseId: string): Promise<{ kind: string; text: string; issuedAt: Date; endsAt: Date | null }[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT kind, text, issued_at, ends_at FROM dibao_notice WHERE case_id = $1 ORDER BY issued_at, id`, [caseId]);
    return rows.map((r) => ({ kind: r.kind as string, text: r.text as string, issuedAt: r.issued_at as Date, endsAt: (r.ends_at as Date | null) ?? null }));
  }

  async insertObjection(caseId: string, lodgedBy: string, text: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.query(`INSERT INTO dibao_objection (case_id, lodged_at, lodged_by, text) VALUES ($1, $2, $3, $4)`, [caseId, at, lodgedBy, text]);
  }

  async enrol(caseId: string, benefitFen: number, fromMonth: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_enrolment (case_id, benefit_fen, from_month, enrolled_at) VALUES ($1, $2, $3, $4) ON CONFLICT (case_id) DO NOTHING`,
      [caseId, benefitFen, fromMonth, at],
    );
  }

  /**
   * A new benefit amount decided at `at`, paid from `fromMonth` (the next month no payroll has reached): the amount
   * it replaces stays in force for the months before, kept as a period for their cycles and arrears.
   */
  async changeBenefit(caseId: string, benefitFen: number, fromMonth: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO dibao_benefit_period (case_id, from_month, benefit_fen, recorded_at)
       SELECT case_id, coalesce(benefit_from_month, from_month), benefit_fen, $3 FROM dibao_enrolment
       WHERE case_id = $1 AND coalesce(benefit_from_month, from_month) < $2::date
       ON CONFLICT (case_id, from_month) DO NOTHING`,
      [caseId, fromMonth, at],
    );
    await manager.query(`UPDATE dibao_enrolment SET benefit_fen = $2, benefit_from_month = greatest($3::date, from_month) WHERE case_id = $1`, [caseId, benefitFen, fromMonth]);
  }

  /** The payments owner's answer to "the county's last generated payroll month" (payments depend on dibao, not back). */
  private lastGeneratedMonth?: (countyCode: string, manager: EntityManager) => Promise<string | null>;

  /** Registered by the payments module at start-up (src/payments/payment-workers.ts). */
  usePayrollMonths(lastGeneratedMonth: (countyCode: string, manager: EntityManager) => Promise<string | null>): void {
    this.lastGeneratedMonth = lastGeneratedMonth;
  }

  /**
   * The first month a change of benefit can still reach: the month after `now` (Asia/Shanghai), or after the county's
   * last generated payroll if that is later (a generated month is paid as it was generated; a lower amount or a stop
   * cannot take back what was issued).
   */
  async nextUnpaidMonth(countyCode: string, now: Date, manager: EntityManager): Promise<string> {
    if (!this.lastGeneratedMonth) throw new Error('no payroll registered: the payments module is not loaded');
    const nextMonth = firstMonthAfter(now);
    const generated = await this.lastGeneratedMonth(countyCode, manager);
    const afterGenerated = generated ? DateTime.fromISO(generated).plus({ months: 1 }).toISODate()! : nextMonth;
    return afterGenerated > nextMonth ? afterGenerated : nextMonth;
  }

  /** The benefit stops: `untilMonth` is the first month no longer paid (never before the first month's end). */
  async endEnrolment(caseId: string, untilMonth: string, manager: EntityManager): Promise<void> {
    await manager.query(
      `UPDATE dibao_enrolment SET until_month = greatest($2::date, from_month + interval '1 month') WHERE case_id = $1 AND until_month IS NULL`,
      [caseId, untilMonth],
    );
  }

  /** A member found in the relatives registry, with the entry that caused the match (once). */
  async recordRelativesMatch(caseId: string, memberId: string, registryId: string, at: Date, manager: EntityManager): Promise<void> {
    await manager.query(`INSERT INTO dibao_relatives_match (case_id, member_id, registry_id, matched_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [caseId, memberId, registryId, at]);
  }

  /** The counties with a benefit running in `month` (YYYY-MM). */
  async countiesWithBenefitIn(month: string): Promise<string[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT DISTINCT c.county_code FROM dibao_enrolment e JOIN dibao_case c ON c.id = e.case_id
       WHERE e.from_month <= $1::date AND (e.until_month IS NULL OR e.until_month > $1::date) ORDER BY c.county_code`,
      [`${month}-01`],
    );
    return rows.map((r) => r.county_code as string);
  }

  /** The ID numbers of the living members of the county's running enrolments (compared with the death records). */
  async livingEnrolledIdNumbers(countyCode: string, manager: EntityManager): Promise<string[]> {
    const rows: Row[] = await manager.query(
      `SELECT DISTINCT m.id_number FROM dibao_member m JOIN dibao_case c ON c.id = m.case_id JOIN dibao_enrolment e ON e.case_id = m.case_id
       WHERE c.county_code = $1 AND c.status = 'enrolled' AND e.until_month IS NULL AND m.died_on IS NULL ORDER BY m.id_number`,
      [countyCode],
    );
    return rows.map((r) => r.id_number as string);
  }

  /** Marks the living members of the county's running enrolments with these ID numbers as died; answers those marked. */
  /**
   * Marks the members of enrolled households of the county found in death records, each record only where it applies
   * (`scopePrefix`: the recording region's prefix, see src/payments/death-records.service.ts); the earliest date wins.
   */
  async markDied(countyCode: string, deaths: { idNumber: string; diedOn: string; scopePrefix: string }[], manager: EntityManager): Promise<{ caseId: string; memberId: string; name: string; diedOn: string }[]> {
    if (deaths.length === 0) return [];
    // TypeORM answers an UPDATE … RETURNING with [rows, count].
    const [rows] = (await manager.query(
      `UPDATE dibao_member m SET died_on = d.died_on
       FROM (SELECT mm.case_id, mm.member_id, min(r.died_on) AS died_on
             FROM unnest($2::text[], $3::date[], $4::text[]) AS r(id_number, died_on, scope_prefix)
             JOIN dibao_member mm ON mm.id_number = r.id_number AND mm.died_on IS NULL
             JOIN dibao_case c ON c.id = mm.case_id AND c.county_code = $1 AND c.status = 'enrolled' AND starts_with(c.region_code, r.scope_prefix)
             JOIN dibao_enrolment e ON e.case_id = mm.case_id AND e.until_month IS NULL
             GROUP BY mm.case_id, mm.member_id) d
       WHERE m.case_id = d.case_id AND m.member_id = d.member_id
       RETURNING m.case_id::text, m.member_id, m.name, to_char(d.died_on, 'YYYY-MM-DD') AS died_on`,
      [countyCode, deaths.map((d) => d.idNumber), deaths.map((d) => d.diedOn), deaths.map((d) => d.scopePrefix)],
    )) as [Row[], number];
    return rows.map((r) => ({ caseId: r.case_id as string, memberId: r.member_id as string, name: r.name as string, diedOn: r.died_on as string }));
  }

  /** Deaths in enrolled households of the county whose recalculation has not been done yet. */
  async deathsAwaitingRecalculation(countyCode: string): Promise<{ caseId: string; memberId: string; name: string; diedOn: string; regionCode: string; profileVersionId: string }[]> {
    const rows: Row[] = await this.dataSource.query(
      `SELECT m.case_id::text, m.member_id, m.name, to_char(m.died_on, 'YYYY-MM-DD') AS died_on, c.region_code, c.profile_version_id
       FROM dibao_member m JOIN dibao_case c ON c.id = m.case_id
       WHERE c.county_code = $1 AND c.status = 'enrolled' AND m.died_on IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM dibao_event ev WHERE ev.case_id = m.case_id AND ev.kind = 'recalculated' AND ev.details->>'memberId' = m.member_id)`,
      [countyCode],
    );
    return rows.map((r) => ({ caseId: r.case_id as string, memberId: r.member_id as string, name: r.name as string, diedOn: r.died_on as string, regionCode: r.region_code as string, profileVersionId: r.profile_version_id as string }));
  }

  /** The instance key the outbox got from the engine, once (a case keeps the instance it was first given). */
  async setProcessInstanceKey(caseId: string, processInstanceKey: string, manager: EntityManager): Promise<void> {
    await manager.query(`UPDATE dibao_case SET process_instance_key = $2 WHERE id = $1 AND process_instance_key IS NULL`, [caseId, processInstanceKey]);
  }

  /** The case a caller created with this idempotency key, if any. */
  async findByIdempotencyKey(createdBy: string, idempotencyKey: string, manager: EntityManager = this.dataSource.manager): Promise<DibaoCase | undefined> {
    const rows: Row[] = await manager.query(`SELECT * FROM dibao_case WHERE created_by = $1 AND idempotency_key = $2`, [createdBy, idempotencyKey]);
    return rows[0] ? toCase(rows[0]) : undefined;
  }

  /** Cases that have no process instance (yet), oldest first. */
  async withoutProcessInstance(limit = 500): Promise<DibaoCase[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT * FROM dibao_case WHERE process_instance_key IS NULL ORDER BY applied_at, id LIMIT $1`, [limit]);
    return rows.map(toCase);
  }

  /** Of these instance keys, those a case points at. */
  async knownInstanceKeys(keys: string[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const rows: Row[] = await this.dataSource.query(`SELECT process_instance_key AS key FROM dibao_case WHERE process_instance_key = ANY($1)`, [keys]);
    return new Set(rows.map((r) => r.key as string));
  }

  /** How many cases a county has. */
  async countInCounty(countyCode: string): Promise<number> {
    const [row]: Row[] = await this.dataSource.query(`SELECT count(*)::int AS count FROM dibao_case WHERE county_code = $1`, [countyCode]);
    return row!.count as number;
  }

  /** The case numbers of these case ids (ids that are no case are left out). */
  async caseNumbers(ids: string[]): Promise<Map<string, string>> {
    const rows: Row[] = await this.dataSource.query(`SELECT id::text AS id, case_number FROM dibao_case WHERE id::text = ANY($1)`, [ids]);
    return new Map(rows.map((r) => [r.id as string, r.case_number as string]));
  }

  /** Of these ids, those that are cases. */
  async existingIds(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
    if (valid.length === 0) return new Set();
    const rows: Row[] = await this.dataSource.query(`SELECT id FROM dibao_case WHERE id = ANY($1::uuid[])`, [valid]);
    return new Set(rows.map((r) => r.id as string));
  }
}
