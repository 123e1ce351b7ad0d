import { Inject, Injectable } from '@nestjs/common';
import { RegionRegistry } from '../regions/region-registry';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { regionCovers, regionPrefix } from '../auth/region';
import { Clock } from '../common/clock';
import { IdempotencyStore } from '../common/idempotency/idempotency.store';
import { DomainError } from '../common/domain-error';
import { maskIdNumber } from '../common/id-number';
import { InvalidRequestException } from '../common/problem';
import { DeadlinesService, workingDaysRule } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import type { Cited } from '../policy/parameters';
import { shanghaiDate } from '../policy/shanghai-date';
import { SamplingService } from '../sampling/sampling.service';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { currentSteps } from '../workflow/current-steps';
import { startProcess } from '../workflow/engine-calls';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { DIBAO_MESSAGES, DIBAO_PROCESS_ID, type DibaoStartVariables } from './dibao-process';
import { type CaseListQueryDto, CreateApplicationDto, type ExtensionDto, FULL_ID_NUMBER, type MaterialsDto, type ObjectionDto } from './dibao.dto';
import { type Page, page } from '../common/paging';
import { Role } from '../auth/roles';
import { type DibaoCase, DibaoRepository } from './dibao.repository';

export const SUBJECT = 'dibao-case';

/** Who may find a case by a full ID number (issue 21): those who work the family's file in their region. */
export const FULL_ID_SEARCH_ROLES: readonly Role[] = [Role.TownshipCaseworker, Role.TownshipLeader, Role.CountyCivilAffairs];

/** Applications and cases: what integrators and caseworkers do through the API. */
@Injectable()
export class DibaoService {
  constructor(
    private readonly repository: DibaoRepository,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly idempotency: IdempotencyStore,
    private readonly sampling: SamplingService,
    private readonly regions: RegionRegistry,
  ) {}

  /**
   * Records the application with a command to start its procedure (outbox) and its idempotency key, in one
   * transaction; the engine is called after the commit, never inside it. The answer carries the instance key when the
   * engine started it at once, `processInstanceKey: null` when it is down (the dispatcher starts it later). A repeat
   * of a key whose stored answer is gone (after the TTL) answers the case that key created.
   */
  async apply(body: CreateApplicationDto, principal: Principal, idempotencyKey?: string) {
    // The request pipe checked these already; the demo seeder calls in without it.
    const problems = CreateApplicationDto.crossFieldProblems(body);
    if (problems.length) throw new InvalidRequestException(problems);
    const now = this.clock.now();
    // Before the case number is drawn: a region without a profile in force is refused with nothing written.
    this.profiles.inForceForRequest(body.regionCode, now);
    const id = randomUUID();
    const applicant = body.members.find((m) => m.relation === 'applicant')!;
    const c = {
      id,
      regionCode: body.regionCode,
      townshipCode: body.regionCode.slice(0, 9),
      countyCode: body.regionCode.slice(0, 6),
      channel: body.channel,
      requestType: body.requestType,
      area: body.area,
      household: { incomes: body.incomes, expenditures: body.expenditures, assets: body.assets },
      applicantName: applicant.name,
      // Set at acceptance, when every member is matched against the relatives registry.
      relativesCase: false,
      appliedAt: now,
    };
    const created = await this.repository.transaction(async (manager) => {
      await this.idempotency.claim(manager);
      const earlier = idempotencyKey ? await this.repository.findByIdempotencyKey(principal.id, idempotencyKey, manager) : undefined;
      if (earlier) {
        this.idempotency.replayed();
        const answer = await this.applicationAnswer(earlier);
        await this.idempotency.answer(manager, answer);
        return { answer, outboxId: null };
      }
      await this.refuseDuplicate(body, principal, manager);
      const caseNumber = await this.repository.nextCaseNumber(c.countyCode, Number(shanghaiDate(now).slice(0, 4)), manager);
      await this.repository.insertCase({ ...c, caseNumber, createdBy: principal.id, idempotencyKey }, body.members, manager);
      await this.repository.event(id, 'applied', now, principal.id, { channel: body.channel, requestType: body.requestType }, manager);
      const acceptDueAt = await this.openAcceptance(c, now, manager);
      const outboxId = await this.outbox.enqueueStart(
        { processId: DIBAO_PROCESS_ID, businessKey: `${SUBJECT}:${id}`, subjectType: SUBJECT, subjectId: id, variables: { ...dibaoProcedureVariables(c, acceptDueAt) } },
        manager,
      );
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: c.regionCode, action: 'dibao.applied', subjectType: SUBJECT, subjectId: id, details: { caseNumber, channel: body.channel } },
        manager,
      );
      const answer = { caseId: id, caseNumber, status: 'applied' as const, processInstanceKey: null as string | null, acceptDueAt: acceptDueAt.toISOString() };
      await this.idempotency.answer(manager, answer);
      return { answer, outboxId };
    });
    if (created.outboxId === null) return created.answer;
    // After the commit: start the procedure now if the engine answers; otherwise the dispatcher does it later.
    return { ...created.answer, processInstanceKey: await this.dispatcher.dispatchNow(created.outboxId) };
  }

  /**
   * One open application per person in the country: 409 naming the open or enrolled case an applicant or member is
   * already in (its number masked outside the caller's region), before the case number is drawn. The ID numbers stay
   * locked until the transaction ends, so a concurrent twin waits and then sees this case.
   */
  private async refuseDuplicate(body: CreateApplicationDto, principal: Principal, manager: EntityManager): Promise<void> {
    const idNumbers = body.members.map((m) => m.idNumber);
    await this.repository.lockIdNumbers(idNumbers, manager);
    const other = await this.repository.openCaseWithMember(idNumbers, manager);
    if (!other) return;
    const number = regionCovers(principal.regionCode, other.regionCode) ? other.caseNumber : maskCaseNumber(other.caseNumber);
    throw new DomainError('duplicate-application', `a member of this household is already in open or enrolled dibao case ${number}; one open application per person`, 409, { otherCase: number });
  }

  /** The first answer of an application, rebuilt from its case (a repeat whose stored answer has expired). */
  private async applicationAnswer(c: DibaoCase) {
    const acceptance = (await this.deadlines.forSubject(SUBJECT, c.id)).find((d) => d.type === 'dibao.acceptance');
    return { caseId: c.id, caseNumber: c.caseNumber, status: 'applied' as const, processInstanceKey: c.processInstanceKey, acceptDueAt: acceptance?.dueAt.toISOString() ?? null };
  }

  /** Opens the acceptance deadline of a case entering admission (at application, or re-opened by the county). */
  async openAcceptance(c: Pick<DibaoCase, 'id' | 'regionCode'>, now: Date, manager: EntityManager): Promise<Date> {
    const acceptance = this.profiles.inForceForRequest(c.regionCode, now).parameters.acceptanceWorkingDays;
    return this.deadlines.open(
      {
        type: 'dibao.acceptance',
        subjectType: SUBJECT,
        subjectId: c.id,
        regionCode: c.regionCode,
        responsibleGroup: 'township-caseworker',
        ...workingDaysRule('acceptanceWorkingDays', acceptance),
        startedAt: now,
      },
      manager,
    );
  }

  /** Opens the deadline of hearing the family before an enrolled benefit is reduced or ends (法§48). */
  openHearing(c: Pick<DibaoCase, 'id' | 'regionCode'>, hearingWorkingDays: Cited<number>, now: Date, manager: EntityManager): Promise<Date> {
    return this.deadlines.open(
      {
        type: 'dibao.hearing',
        subjectType: SUBJECT,
        subjectId: c.id,
        regionCode: c.regionCode,
        responsibleGroup: 'township-caseworker',
        ...workingDaysRule('hearingWorkingDays', hearingWorkingDays),
        startedAt: now,
      },
      manager,
    );
  }

  /**
   * Starts the case's procedure on the engine directly; returns the instance key. Only for callers outside any
   * transaction (the re-open worker); an application goes through the outbox.
   */
  async startProcedure(c: Pick<DibaoCase, 'id' | 'regionCode' | 'townshipCode' | 'countyCode' | 'requestType' | 'relativesCase'>, acceptDueAt: Date): Promise<string> {
    return startProcess(this.camunda, DIBAO_PROCESS_ID, { ...dibaoProcedureVariables(c, acceptDueAt) });
  }


  /** A case the caller may see, or 404 (its existence is not revealed outside the caller's region). */
  async visibleCase(caseId: string, principal: Principal): Promise<DibaoCase> {
    const c = await this.repository.findCase(caseId);
    if (!c || !regionCovers(principal.regionCode, c.regionCode)) throw new DomainError('case-not-found', `no dibao case ${caseId}`, 404);
    return c;
  }

  /** Status, who must act now, open deadlines, notices and the timeline. ID numbers are masked. */
  async read(caseId: string, principal: Principal) {
    const c = await this.visibleCase(caseId, principal);
    const [members, deadlines, timeline, notices, steps, names] = await Promise.all([
      this.repository.members(c.id),
      this.deadlines.forSubject(SUBJECT, c.id),
      this.timeline(c.id),
      this.repository.notices(c.id),
      currentSteps(this.camunda, c.processInstanceKey),
      this.regions.placeNames(c.regionCode),
    ]);
    return {
      ...c,
      ...names,
      household: undefined,
      members: members.map((m) => ({ ...m, idNumber: maskIdNumber(m.idNumber) })),
      currentSteps: steps,
      openDeadlines: deadlines.filter((d) => !d.metAt && !d.breachedAt),
      deadlines,
      notices,
      timeline,
    };
  }

  /** The case's events with the county's sampling reviews of it (kept by the sampling module), in time order. */
  private async timeline(caseId: string) {
    const [events, reviews] = await Promise.all([this.repository.timeline(caseId), this.sampling.reviewsOf(caseId)]);
    const sampled = reviews.map((r) => ({ kind: `sampling-${r.outcome}`, at: r.reviewedAt, actorId: r.reviewedBy, details: { batchId: r.batchId, reasons: r.reasons } }));
    return [...events, ...sampled].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /** A page of the region's cases, newest application first unless sorted otherwise. */
  async list(query: CaseListQueryDto, principal: Principal): Promise<Page<Omit<DibaoCase, 'household'>>> {
    const region = query.region ?? principal.regionCode;
    if (!regionCovers(principal.regionCode, region)) throw new DomainError('region-out-of-scope', `region ${region} is outside the caller's region`, 403);
    const idNumber = query.idNumber === undefined ? undefined : { kind: FULL_ID_NUMBER.test(query.idNumber) ? ('full' as const) : ('masked' as const), value: query.idNumber };
    // A full number finds a person by what only their file holds: for those who work the family's file, not for
    // every reader of the list (the masked form is what every answer shows, so anyone may search by it).
    if (idNumber?.kind === 'full' && !principal.roles.some((role) => FULL_ID_SEARCH_ROLES.includes(role))) {
      throw new DomainError(
        'id-number-search-forbidden',
        '按完整身份证号查询仅限乡镇经办人、乡镇分管领导和县民政部门，请使用脱敏形式 / idNumber: searching by a full ID number is for township caseworkers, township leaders and county civil affairs; use the masked form (410821********0113)',
        403,
        { field: 'idNumber' },
      );
    }
    const { cases, total } = await this.repository.searchCases({
      regionPrefix: regionPrefix(region),
      status: query.status,
      caseNumber: query.caseNumber?.trim() || undefined,
      name: query.name?.trim() || undefined,
      idNumber,
      sort: query.sort,
      order: query.order ?? (query.sort === 'appliedAt' || query.sort === 'decidedAt' ? 'desc' : 'asc'),
      limit: query.limit,
      offset: query.offset,
    });
    return page(
      cases.map(({ household: _, ...c }) => c),
      total,
      query,
    );
  }

  async supplyMaterials(caseId: string, body: MaterialsDto, principal: Principal): Promise<void> {
    const c = await this.visibleCase(caseId, principal);
    if (c.status !== 'awaiting-materials') throw new DomainError('not-awaiting-materials', `case ${c.caseNumber} is not waiting for materials (status ${c.status})`, 409);
    await this.recordAndSend(c, DIBAO_MESSAGES.materialsSupplied, { materialsSupplied: body.materials }, async (manager) => {
      await this.record(c, principal, 'materials-supplied', { materials: body.materials }, manager);
    });
  }

  /** An objection during the public notice sends the case back to investigation, village review and a fresh notice. */
  async object(caseId: string, body: ObjectionDto, principal: Principal): Promise<void> {
    const c = await this.visibleCase(caseId, principal);
    if (c.status !== 'in-notice') throw new DomainError('not-in-notice', `objections are taken during the public notice; case ${c.caseNumber} is ${c.status}`, 409);
    await this.recordAndSend(c, DIBAO_MESSAGES.objectionLodged, { objectionRaised: true }, async (manager) => {
      await this.repository.insertObjection(c.id, body.lodgedBy, body.text, this.clock.now(), manager);
      await this.repository.update(c.id, { objection_raised: true, status: 'accepted' }, manager);
      await this.record(c, principal, 'objection-lodged', { lodgedBy: body.lodgedBy }, manager);
    });
  }

  /** The one extension of the whole-procedure deadline to the longer limit, with its reason (county only). */
  async extend(caseId: string, body: ExtensionDto, principal: Principal): Promise<void> {
    const c = await this.visibleCase(caseId, principal);
    const timeline = await this.repository.timeline(c.id);
    if (timeline.some((e) => e.kind === 'deadline-extended')) throw new DomainError('already-extended', `the deadline of case ${c.caseNumber} was extended once already`, 409);
    if (!c.acceptedAt || ['enrolled', 'refused', 'closed'].includes(c.status)) {
      throw new DomainError('not-extendable', `case ${c.caseNumber} has no running procedure deadline (status ${c.status})`, 409);
    }
    // The longer limit on today's calendar (a notice loaded since acceptance may have moved it), from acceptance.
    const extended = workingDaysRule('procedureExtendedWorkingDays', this.profiles.byVersionId(c.profileVersionId!).parameters.procedureExtendedWorkingDays, [{ variable: 'procedureExtendedDueAt' }]);
    const procedureExtendedDueAt = this.deadlines.due(extended.computation, c.acceptedAt).toISOString();
    // The row moves with the message that makes the engine wait on the longer limit (one transaction), so neither
    // the sweeper nor the timer breaches at 30 days.
    await this.recordAndSend(c, DIBAO_MESSAGES.deadlineExtended, { extensionReason: body.reason, procedureExtendedDueAt, watchedDeadline: 'procedureExtendedDueAt' }, async (manager) => {
      const dueAt = await this.deadlines.extend(SUBJECT, c.id, 'dibao.procedure', extended, `extended by ${principal.id}: ${body.reason}`, this.clock.now(), manager);
      await this.record(c, principal, 'deadline-extended', { reason: body.reason, procedureExtendedDueAt: dueAt?.toISOString() ?? procedureExtendedDueAt }, manager);
    });
  }

  /**
   * Writes the rows of a caseworker's act with the message that tells the procedure, in one transaction (outbox);
   * the message leaves after the commit (at once, or by the dispatcher when the engine is down). The caller checked
   * by the case's status that the procedure waits for it.
   */
  private async recordAndSend(c: DibaoCase, name: string, variables: Record<string, unknown>, write: (manager: EntityManager) => Promise<void>): Promise<void> {
    const outboxId = await this.repository.transaction(async (manager) => {
      await write(manager);
      return this.outbox.enqueueMessage({ name, correlationKey: c.id, businessKey: `${SUBJECT}:${c.id}`, subjectType: SUBJECT, subjectId: c.id, variables }, manager);
    });
    await this.dispatcher.dispatchNow(outboxId);
  }

  private async record(c: DibaoCase, principal: Principal, kind: string, details: Record<string, unknown>, manager = this.repository.dataSource.manager): Promise<void> {
    const now = this.clock.now();
    await this.repository.event(c.id, kind, now, principal.id, details, manager);
    await this.audit.record({ actor: { id: principal.id, roles: principal.roles }, regionCode: c.regionCode, action: `dibao.${kind}`, subjectType: SUBJECT, subjectId: c.id, details }, manager);
  }

}

/** A case number as shown outside its region: the city kept, county and serial hidden (DB4108**-2026-******). */
export function maskCaseNumber(caseNumber: string): string {
  return caseNumber.replace(/^DB(\d{4})\d{2}-(\d{4})-\d+$/, 'DB$1**-$2-******');
}

/** The start variables of a case's procedure. */
export function dibaoProcedureVariables(c: Pick<DibaoCase, 'id' | 'regionCode' | 'townshipCode' | 'countyCode' | 'requestType' | 'relativesCase'>, acceptDueAt: Date): DibaoStartVariables {
  return {
    caseId: c.id,
    regionCode: c.regionCode,
    subjectType: SUBJECT,
    subjectId: c.id,
    villageCode: c.regionCode,
    townshipCode: c.townshipCode,
    countyCode: c.countyCode,
    requestType: c.requestType,
    relativesCase: c.relativesCase,
    objectionRaised: false,
    acceptDueAt: acceptDueAt.toISOString(),
  };
}
