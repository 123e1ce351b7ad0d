import type { IncidentKey, JobKey } from '@camunda8/orchestration-cluster-api';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { regionCovers } from '../auth/region';
import { Clock } from '../common/clock';
import { type DeadlineQuery, DeadlineQueries } from '../deadlines/deadline-queries';
import { DibaoRepository } from '../dibao/dibao.repository';
import { RegionRegistry } from '../regions/region-registry';
import { TemporaryAidRepository } from '../temporary-aid/temporary-aid.repository';
import { DomainError } from '../common/domain-error';
import { page } from '../common/paging';
import { InvalidRequestException } from '../common/problem';
import { AppConfig } from '../config/app-config';
import { parseJson } from '../tasks/task-scope';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { incidentReason } from '../workflow/job-outcome';
import type { IncidentItem, IncidentRetryResult, IncidentSubject } from './incidents.dto';

type Incident = Awaited<ReturnType<CamundaClient['getIncident']>>;
type IncidentSearch = Parameters<CamundaClient['searchIncidents']>[0];
type VariableSearch = Parameters<CamundaClient['searchVariables']>[0];

/** Engine reads answer from what it knows now; a real cluster's search side may lag a moment behind. */
const NOW = { consistency: { waitUpToMs: 0 } };
const MAX_INCIDENTS = 1000;
const KEYS_PER_SEARCH = 100;
/** Instance variables that say whose an instance is (ScopedProcessVariables, and a payment cycle's county before it opens). */
const SUBJECT_VARIABLES = ['regionCode', 'countyCode', 'subjectType', 'subjectId'];
/** Retries a job gets back, as the models declare them. */
const RETRIES = 3;

/**
 * What supervisors watch: the statutory deadlines of every case and cycle, by status, where and why. "At risk" is
 * an open deadline past `SLA_AT_RISK_PERCENT` of its time.
 */
@Injectable()
export class SlaService {
  constructor(
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly queries: DeadlineQueries,
    private readonly cases: DibaoRepository,
    private readonly aidRequests: TemporaryAidRepository,
    private readonly regions: RegionRegistry,
  ) {}

  /** Subjects known to supervisors by a number, each from its owner. */
  private readonly numbersOf: Record<string, (ids: string[]) => Promise<Map<string, string>>> = {
    'dibao-case': (ids) => this.cases.caseNumbers(ids),
    'temporary-aid': (ids) => this.aidRequests.requestNumbers(ids),
  };

  /** The deadlines, each with its case's number (where its subject has one) and its region's name. */
  async deadlines(query: DeadlineQuery) {
    const { rows, total } = await this.queries.search({ ...query, atRiskShare: this.atRiskShare() });
    const subjects: Pick<IncidentSubject, 'subjectType' | 'subjectId' | 'caseNumber'>[] = rows.map((row) => ({ subjectType: row.subjectType as string | null, subjectId: row.subjectId as string | null }));
    await this.addCaseNumbers(subjects);
    const names = await this.regions.findAll([...new Set(rows.map((row) => row.regionCode as string))]);
    return page(
      rows.map((row, i) => ({ ...row, caseNumber: subjects[i]!.caseNumber ?? null, regionName: names.get(row.regionCode as string)?.name ?? null })),
      total,
      query,
    );
  }

  /**
   * Per region one level below the caller's (townships of a county, counties of a city): open, at risk and breached
   * deadlines, and the median and 95th percentile of days to decision per procedure (its `*.procedure` deadline met).
   */
  async summary(region: string) {
    const lines = await this.queries.summary(region, this.atRiskShare());
    const names = await this.regions.findAll(lines.map((line) => line.region));
    return lines.map((line) => ({ ...line, name: names.get(line.region)?.name ?? null }));
  }

  /**
   * Open engine incidents of every procedure in the region, oldest first, each with its subject and a plain reason.
   * The region is the instance's own `regionCode` (else `countyCode`, which a payment cycle has before it opens);
   * an instance with neither (the monthly fan-out parents, the health check) has no region and is left out.
   */
  async incidents(region: string): Promise<IncidentItem[]> {
    const search = { filter: { state: 'ACTIVE' }, sort: [{ field: 'creationTime', order: 'ASC' }], page: { limit: MAX_INCIDENTS } } as IncidentSearch;
    const items = (await this.engine(() => this.camunda.searchIncidents(search, NOW))).items ?? [];
    const subjects = await this.subjectsOf(items.map((i) => String(i.processInstanceKey)));
    const visible = items.filter((i) => {
      const subject = subjects.get(String(i.processInstanceKey));
      return subject !== undefined && regionCovers(region, subject.regionCode);
    });
    await this.addCaseNumbers(visible.map((i) => subjects.get(String(i.processInstanceKey))!));
    return visible.map((i) => incidentItem(i, subjects.get(String(i.processInstanceKey))!));
  }

  /**
   * Retries what an incident stopped, once its cause is fixed: a job incident's job gets its retries back, then the
   * incident is resolved and the engine runs the step again. Audited; an incident outside the caller's region is a
   * 404 like one that does not exist.
   */
  async retryIncident(incidentKey: string, principal: Principal): Promise<IncidentRetryResult> {
    if (!isInt64Key(incidentKey)) throw new InvalidRequestException([{ field: 'incidentKey', message: 'incidentKey must be an incident key: a positive int64 in decimal digits' }]);
    const notFound = () => new DomainError('incident-not-found', `incident ${incidentKey} not found`, 404);
    const notActive = (state: string) => new DomainError('incident-not-active', `incident ${incidentKey} is ${state}, no longer active`, 409);
    const incident = await this.engine(() => this.camunda.getIncident({ incidentKey: incidentKey as IncidentKey }, NOW), notFound);
    const processInstanceKey = String(incident.processInstanceKey);
    const subject = (await this.subjectsOf([processInstanceKey])).get(processInstanceKey);
    if (!subject || !regionCovers(principal.regionCode, subject.regionCode)) throw notFound();
    if (incident.state !== 'ACTIVE') throw notActive(String(incident.state));
    const jobKey = incident.jobKey === undefined ? null : String(incident.jobKey);
    // The engine first, never inside a transaction: the audit entry records a retry the engine took.
    // Resolving a job incident without retries would only raise it again.
    if (jobKey) await this.engine(() => this.camunda.updateJob({ jobKey: jobKey as JobKey, changeset: { retries: RETRIES } }), () => notActive('gone (its job no longer exists)'));
    await this.engine(() => this.camunda.resolveIncident({ incidentKey: incidentKey as IncidentKey }), () => notActive('already resolved'));
    await this.audit.record({
      actor: { id: principal.id, roles: principal.roles },
      regionCode: subject.regionCode,
      action: 'incident.retried',
      subjectType: subject.subjectType ?? 'process-instance',
      subjectId: subject.subjectId ?? processInstanceKey,
      details: {
        incidentKey,
        processInstanceKey,
        processDefinitionId: incident.processDefinitionId ?? null,
        elementId: incident.elementId ?? null,
        errorType: incident.errorType ?? null,
        jobKey,
        retries: jobKey ? RETRIES : null,
      },
    });
    return { incidentKey, processInstanceKey, jobKey, retries: jobKey ? RETRIES : null, resolved: true };
  }

  /** The subject of each process instance, from its instance-level variables (one search per 100 instances). */
  private async subjectsOf(processInstanceKeys: string[]): Promise<Map<string, IncidentSubject>> {
    const keys = [...new Set(processInstanceKeys)];
    const values = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < keys.length; i += KEYS_PER_SEARCH) {
      const chunk = keys.slice(i, i + KEYS_PER_SEARCH);
      const search = {
        filter: { processInstanceKey: { $in: chunk }, scopeKey: { $in: chunk }, name: { $in: SUBJECT_VARIABLES } },
        page: { limit: chunk.length * SUBJECT_VARIABLES.length },
        truncateValues: false,
      } as VariableSearch;
      for (const v of (await this.engine(() => this.camunda.searchVariables(search, NOW))).items ?? []) {
        // Instance-level only: a local variable of the same name in a sub-scope is not the instance's.
        if (String(v.scopeKey) !== String(v.processInstanceKey)) continue;
        const key = String(v.processInstanceKey);
        values.set(key, { ...values.get(key), [v.name]: parseJson(v.value) });
      }
    }
    const subjects = new Map<string, IncidentSubject>();
    for (const [key, v] of values) {
      const regionCode = text(v.regionCode) ?? text(v.countyCode);
      if (regionCode) subjects.set(key, { subjectType: text(v.subjectType), subjectId: text(v.subjectId), regionCode });
    }
    return subjects;
  }

  private async addCaseNumbers(subjects: Pick<IncidentSubject, 'subjectType' | 'subjectId' | 'caseNumber'>[]): Promise<void> {
    for (const [subjectType, numbersOf] of Object.entries(this.numbersOf)) {
      const ofType = subjects.filter((s) => s.subjectType === subjectType && s.subjectId);
      if (!ofType.length) continue;
      const numbers = await numbersOf([...new Set(ofType.map((s) => s.subjectId!))]);
      for (const s of ofType) if (numbers.has(s.subjectId!)) s.caseNumber = numbers.get(s.subjectId!);
    }
  }

  /** An engine call: a 404 is `on404()` when given; no answer, 5xx or 429 is engine-unavailable (503); other refusals pass. */
  private async engine<T>(call: () => PromiseLike<T>, on404?: () => DomainError): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      if (status === 404 && on404) throw on404();
      if (typeof status === 'number' && status < 500 && status !== 429) throw error;
      throw new DomainError('engine-unavailable', `the workflow engine did not answer: ${(error as Error).message}`, 503);
    }
  }

  private atRiskShare(): number {
    return this.config.SLA_AT_RISK_PERCENT / 100;
  }
}

function incidentItem(i: Incident, subject: IncidentSubject): IncidentItem {
  const item: IncidentItem = {
    incidentKey: String(i.incidentKey),
    processDefinitionId: i.processDefinitionId ?? null,
    processInstanceKey: String(i.processInstanceKey),
    elementId: i.elementId ?? null,
    jobKey: i.jobKey === undefined ? null : String(i.jobKey),
    errorType: i.errorType ?? null,
    errorMessage: i.errorMessage ?? null,
    reason: incidentReason(i.errorType, i.errorMessage),
    creationTime: i.creationTime ?? null,
    subject,
  };
  if (subject.subjectType === 'dibao-case' && subject.subjectId) {
    item.case = { subjectType: 'dibao-case', id: subject.subjectId, caseNumber: subject.caseNumber, regionCode: subject.regionCode };
  }
  return item;
}

/** Camunda keys are int64, positive. */
function isInt64Key(key: string): boolean {
  return /^\d{1,19}$/.test(key) && BigInt(key) > 0n && BigInt(key) <= 9_223_372_036_854_775_807n;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}
