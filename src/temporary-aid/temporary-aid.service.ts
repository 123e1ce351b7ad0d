import { Inject, Injectable } from '@nestjs/common';
import { RegionRegistry } from '../regions/region-registry';
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { regionCovers, regionPrefix } from '../auth/region';
import { Clock } from '../common/clock';
import { IdempotencyStore } from '../common/idempotency/idempotency.store';
import { DomainError } from '../common/domain-error';
import { maskIdNumber } from '../common/id-number';
import { InvalidRequestException } from '../common/problem';
import { citedRule, DeadlinesService } from '../deadlines/deadlines.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { shanghaiDate } from '../policy/shanghai-date';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { currentSteps } from '../workflow/current-steps';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { TEMPORARY_AID_DEADLINES, TEMPORARY_AID_MESSAGES, TEMPORARY_AID_PROCESS_ID, TEMPORARY_AID_SUBJECT as SUBJECT, type TemporaryAidStartVariables } from './temporary-aid-process';
import type { AidListQueryDto, CreateAidRequestDto, PaperworkDto } from './temporary-aid.dto';
import type { EntityManager } from 'typeorm';
import { type AidRequest, TemporaryAidRepository } from './temporary-aid.repository';

const HOUR_MS = 3_600_000;

/** Temporary-aid requests as integrators and caseworkers see them (PROCEDURES.md §3). */
@Injectable()
export class TemporaryAidService {
  constructor(
    private readonly repository: TemporaryAidRepository,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly deadlines: DeadlinesService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly idempotency: IdempotencyStore,
    private readonly regions: RegionRegistry,
  ) {}

  /**
   * Registers the request, opens the township's reply deadline (hours of the profile) and writes the command to start
   * the procedure (outbox) and the idempotency key, in one transaction; the engine is called after the commit. The
   * answer's `processInstanceKey` is null when the engine is down (the dispatcher starts the procedure later).
   */
  async create(body: CreateAidRequestDto, principal: Principal, idempotencyKey?: string) {
    const now = this.clock.now();
    const replyHours = this.profiles.inForceForRequest(body.regionCode, now).parameters.temporaryAidReplyHours;
    const replyDueAt = new Date(now.getTime() + replyHours.value * HOUR_MS);
    const id = randomUUID();
    const townshipCode = body.regionCode.slice(0, 9);
    const countyCode = body.regionCode.slice(0, 6);
    const created = await this.repository.transaction(async (manager) => {
      await this.idempotency.claim(manager);
      const earlier = idempotencyKey ? await this.repository.findByIdempotencyKey(principal.id, idempotencyKey, manager) : undefined;
      if (earlier) {
        this.idempotency.replayed();
        const reply = (await this.deadlines.forSubject(SUBJECT, earlier.id)).find((d) => d.type === TEMPORARY_AID_DEADLINES.reply);
        const answer = { requestId: earlier.id, requestNumber: earlier.requestNumber, status: 'requested' as const, processInstanceKey: earlier.processInstanceKey, replyDueAt: reply?.dueAt.toISOString() ?? null };
        await this.idempotency.answer(manager, answer);
        return { answer, outboxId: null };
      }
      const requestNumber = await this.repository.nextNumber(countyCode, Number(shanghaiDate(now).slice(0, 4)), manager);
      await this.repository.insert(
        { ...body, id, requestNumber, townshipCode, countyCode, unemployment: body.unemployment ?? null, requestedAt: now, createdBy: principal.id, idempotencyKey },
        manager,
      );
      await this.repository.event(id, 'requested', now, principal.id, { channel: body.channel }, manager);
      await this.deadlines.open(
        {
          type: TEMPORARY_AID_DEADLINES.reply,
          subjectType: SUBJECT,
          subjectId: id,
          regionCode: body.regionCode,
          responsibleGroup: 'township-caseworker',
          ...citedRule('temporaryAidReplyHours', replyHours),
          startedAt: now,
          computation: { kind: 'hours', hours: replyHours.value },
        },
        manager,
      );
      const variables = temporaryAidStartVariables({ id, regionCode: body.regionCode, townshipCode, countyCode, requestedAt: now }, replyDueAt);
      const outboxId = await this.outbox.enqueueStart({ processId: TEMPORARY_AID_PROCESS_ID, businessKey: `${SUBJECT}:${id}`, subjectType: SUBJECT, subjectId: id, variables: { ...variables } }, manager);
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: body.regionCode, action: 'temporary-aid.requested', subjectType: SUBJECT, subjectId: id, details: { requestNumber, channel: body.channel } },
        manager,
      );
      const answer = { requestId: id, requestNumber, status: 'requested' as const, processInstanceKey: null as string | null, replyDueAt: replyDueAt.toISOString() };
      await this.idempotency.answer(manager, answer);
      return { answer, outboxId };
    });
    if (created.outboxId === null) return created.answer;
    return { ...created.answer, processInstanceKey: await this.dispatcher.dispatchNow(created.outboxId) };
  }

  async visible(id: string, principal: Principal): Promise<AidRequest> {
    const r = await this.repository.find(id);
    if (!r || !regionCovers(principal.regionCode, r.regionCode)) throw new DomainError('request-not-found', `no temporary-aid request ${id}`, 404);
    return r;
  }

  /** Status, amount, tier, payments, deadlines, who must act now and the timeline; the ID number masked. */
  async read(id: string, principal: Principal) {
    const r = await this.visible(id, principal);
    const [deadlines, timeline, payments, steps, names] = await Promise.all([
      this.deadlines.forSubject(SUBJECT, r.id),
      this.repository.timeline(r.id),
      this.repository.payments(r.id),
      currentSteps(this.camunda, r.processInstanceKey),
      this.regions.placeNames(r.regionCode),
    ]);
    return { ...r, ...names, applicantIdNumber: maskIdNumber(r.applicantIdNumber), currentSteps: steps, openDeadlines: deadlines.filter((d) => !d.metAt && !d.breachedAt), deadlines, payments, timeline };
  }

  async list(query: AidListQueryDto, principal: Principal) {
    const region = query.region ?? principal.regionCode;
    if (!regionCovers(principal.regionCode, region)) throw new DomainError('region-out-of-scope', `region ${region} is outside the caller's region`, 403);
    return (await this.repository.list(regionPrefix(region), query.status)).map((r) => ({ ...r, applicantIdNumber: maskIdNumber(r.applicantIdNumber) }));
  }

  /** The paperwork after a rescue-first payment: stored, its deadline met, and the procedure told (in one transaction). */
  async filePaperwork(id: string, body: PaperworkDto, principal: Principal): Promise<void> {
    await this.visible(id, principal);
    const outboxId = await this.repository.transaction(async (manager) => {
      const r = (await this.repository.find(id, manager, true))!;
      if (r.tier !== 'rescue-first' || !r.paidAt) throw new DomainError('no-paperwork-due', `request ${r.requestNumber} was not paid by rescue first; its approval is its paperwork`, 409);
      if (r.paperworkFiledAt) throw new DomainError('paperwork-filed', `the paperwork of request ${r.requestNumber} was filed already`, 409);
      if (body.amountFen !== r.amountFen) throw new InvalidRequestException([{ field: 'amountFen', message: `amountFen must be the amount paid (${r.amountFen} fen)` }]);
      const now = this.clock.now();
      await this.repository.update(r.id, { paperwork: { ...body }, paperworkFiledAt: now }, manager);
      await this.deadlines.meet(SUBJECT, r.id, [TEMPORARY_AID_DEADLINES.paperwork], now, manager);
      await this.repository.event(r.id, 'paperwork-filed', now, principal.id, { registrationNumber: body.registrationNumber, signatures: body.signatures.length }, manager);
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: r.regionCode, action: 'temporary-aid.paperwork-filed', subjectType: SUBJECT, subjectId: r.id, details: { registrationNumber: body.registrationNumber } },
        manager,
      );
      // The procedure waits for this message from the payment on (rescue first, paid): it leaves with the commit.
      return this.outbox.enqueueMessage({ name: TEMPORARY_AID_MESSAGES.paperworkFiled, correlationKey: r.id, businessKey: `${SUBJECT}:${r.id}`, subjectType: SUBJECT, subjectId: r.id, variables: {} }, manager);
    });
    await this.dispatcher.dispatchNow(outboxId);
  }


  /** Instalments 2..n of the county due by the month (YYYY-MM-01), unpaid: what the monthly payroll pays (issue 16). */
  instalmentsDue(countyCode: string, month: string, manager: EntityManager) {
    return this.repository.unpaidInstalments(countyCode, month, manager);
  }

  /**
   * The bank paid these instalments (in the caller's transaction, with the bank results): each is marked paid, and a
   * request whose procedure waits for its last instalment is closed now.
   */
  async instalmentsPaid(paid: { requestId: string; instalment: number }[], at: Date, manager: EntityManager): Promise<void> {
    for (const id of await this.repository.markInstalmentsPaid(paid, at, manager)) {
      const r = (await this.repository.find(id, manager, true))!;
      if (r.status !== 'paid' || !(await this.repository.timeline(id)).some((e) => e.kind === 'awaiting-instalments')) continue;
      await this.repository.update(r.id, { status: 'closed', closedAt: at }, manager);
      await this.repository.event(r.id, 'closed', at, 'system:payment-worker', { lastInstalmentPaid: true }, manager);
      await this.audit.record({ actor: { id: 'system:payment-worker' }, regionCode: r.regionCode, action: 'temporary-aid.closed', subjectType: SUBJECT, subjectId: r.id, details: { lastInstalmentPaid: true } }, manager);
    }
  }
}

/**
 * The start variables of a request's procedure. The reply form shows the limit and the due instant as a person reads
 * them (Asia/Shanghai); the limit is the profile's hours the due instant was computed from (`create`: requested + hours).
 */
export function temporaryAidStartVariables(r: Pick<AidRequest, 'id' | 'regionCode' | 'townshipCode' | 'countyCode' | 'requestedAt'>, replyDueAt: Date): TemporaryAidStartVariables {
  return {
    requestId: r.id, regionCode: r.regionCode, subjectType: SUBJECT, subjectId: r.id, townshipCode: r.townshipCode, countyCode: r.countyCode, replyDueAt: replyDueAt.toISOString(),
    replyHours: Math.round((replyDueAt.getTime() - r.requestedAt.getTime()) / HOUR_MS),
    replyDueText: DateTime.fromJSDate(replyDueAt, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日 HH:mm'),
  };
}
