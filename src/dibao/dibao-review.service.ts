import { Inject, Injectable } from '@nestjs/common';
import { yuan } from '../common/money';
import { DateTime } from 'luxon';
import { assess } from '../assessment/assess';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { householdReferenceProblems } from '../assessment/assessment.dto';
import { InvalidRequestException } from '../common/problem';
import { PolicyProfiles } from '../policy/policy-profiles';
import { RegionRegistry } from '../regions/region-registry';
import type { ReviewDto } from './dibao.dto';
import { DibaoRepository } from './dibao.repository';
import { DibaoService, SUBJECT } from './dibao.service';
import { CORRECTION_PROCESS_ID, type ReviewHearingVariables } from './dibao-process';
import { assessmentReasons, gradualExitText, remediesOf } from './notices';

const EMPLOYMENT = new Set(['wages', 'business']);
const employmentFen = (incomes: { category: string; monthlyFen: number }[]) => incomes.filter((i) => EMPLOYMENT.has(i.category)).reduce((sum, i) => sum + i.monthlyFen, 0);

/**
 * The periodic review of an enrolled household (PROCEDURES.md §5): its money assessed again under the profile in
 * force. Still eligible: the benefit follows the new assessment. Above the standard because a member found work
 * (seeds 001, 002, 003: 渐退): the benefit continues for the profile's gradual-exit months, then ends, with a written
 * notice saying when. Above it for another reason: the benefit is reduced or ends only after hearing the family
 * (法§48): this call opens the hearing (its deadline, and the hearing of bpmn/dibao-correction.bpmn through the
 * outbox, in the same transaction) and changes nothing for the family until the hearing's conclusion.
 */
@Injectable()
export class DibaoReviewService {
  constructor(
    private readonly repository: DibaoRepository,
    private readonly dibao: DibaoService,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly regions: RegionRegistry,
  ) {}

  async review(caseId: string, body: ReviewDto, principal: Principal) {
    const visible = await this.dibao.visibleCase(caseId, principal);
    const members = (await this.repository.members(visible.id)).map((m) => ({ id: m.id }));
    const problems = householdReferenceProblems({ members, incomes: body.incomes, expenditures: body.expenditures });
    if (problems.length) throw new InvalidRequestException(problems);
    const answer = await this.repository.transaction(async (manager) => {
      const c = (await this.repository.findCase(caseId, manager, true))!;
      if (c.status !== 'enrolled') throw new DomainError('not-enrolled', `case ${c.caseNumber} is ${c.status}, not enrolled`, 409);
      const [enrolment] = await manager.query(`SELECT benefit_fen, to_char(until_month, 'YYYY-MM-DD') AS until_month FROM dibao_enrolment WHERE case_id = $1`, [c.id]);
      if (enrolment?.until_month) throw new DomainError('benefit-ending', `the benefit of case ${c.caseNumber} already ends before ${enrolment.until_month.slice(0, 7)}`, 409);
      const hearing = await this.repository.openHearing(c.id, manager);
      if (hearing) {
        const since = DateTime.fromJSDate(hearing.at, { zone: 'Asia/Shanghai' }).toISODate();
        const due = hearing.dueAt ? `, due ${DateTime.fromISO(hearing.dueAt, { zone: 'Asia/Shanghai' }).toISODate()}` : '';
        const by = hearing.kind === 'review-hearing-opened' ? 'a review' : 'a county correction';
        throw new DomainError('hearing-open', `case ${c.caseNumber} waits for the hearing of the family opened by ${by} on ${since}${due} (Task_hearing): review it after the hearing's conclusion`, 409, { openedAt: hearing.at.toISOString(), dueAt: hearing.dueAt });
      }
      const now = this.clock.now();
      const profile = this.profiles.inForceForRequest(c.regionCode, now);
      const members = (await this.repository.members(c.id, manager)).filter((m) => !m.diedOn).map(({ name: _, idNumber: __, diedOn: ___, ...m }) => m);
      const household = { incomes: body.incomes, expenditures: body.expenditures, assets: body.assets };
      const result = assess({ area: c.area, members, ...household }, profile);
      const fromMonth = await this.repository.nextUnpaidMonth(c.countyCode, now, manager);
      const oldBenefit = Number(enrolment.benefit_fen);
      const actor = { id: principal.id, roles: principal.roles };
      let outcome: { outcome: 'continued' | 'gradual-exit'; benefitFen: number; fromMonth: string; untilMonth?: string };
      const assessmentKey = `review:${c.id}:${now.toISOString()}`;
      if (result.benefitFen > 0) {
        await this.repository.changeBenefit(c.id, result.benefitFen, fromMonth, now, manager);
        outcome = { outcome: 'continued', benefitFen: result.benefitFen, fromMonth };
      } else if (employmentFen(body.incomes) > employmentFen(c.household.incomes)) {
        const months = profile.parameters.gradualExitMonths.value.min;
        const untilMonth = DateTime.fromISO(fromMonth).plus({ months }).toISODate()!;
        await this.repository.endEnrolment(c.id, untilMonth, manager);
        const text = gradualExitText({
          applicantName: c.applicantName,
          caseNumber: c.caseNumber,
          profileName: profile.profileName,
          months,
          fromMonth,
          lastMonth: DateTime.fromISO(untilMonth).minus({ months: 1 }).toISODate()!,
          untilMonth,
          benefitFen: oldBenefit,
          source: profile.parameters.gradualExitMonths.source.document,
          remedies: remediesOf(profile, await this.regions.countyOf(c.townshipCode)),
        });
        await this.repository.insertNotice(c.id, 'gradual-exit', text, now, null, `review:${c.id}:${now.toISOString()}`, manager);
        outcome = { outcome: 'gradual-exit', benefitFen: oldBenefit, fromMonth, untilMonth };
      } else {
        // Not work: reduced or ended only after hearing the family (法§48). Nothing changes until its conclusion (the
        // household found here is applied then, with the benefit), so the case row and the enrolment stay as they are.
        const hearingDueAt = await this.dibao.openHearing(c, profile.parameters.hearingWorkingDays, now, manager);
        await this.repository.insertAssessment(c.id, profile.versionId, result.outcome, result.benefitFen, result, now, assessmentKey, manager);
        const variables: ReviewHearingVariables = {
          caseId: c.id,
          regionCode: c.regionCode,
          subjectType: SUBJECT,
          subjectId: c.id,
          hearingReason: 'review',
          hearingDueAt: hearingDueAt.toISOString(),
          currentBenefitFen: oldBenefit,
          currentBenefitYuanText: yuan(oldBenefit),
          reviewReasons: assessmentReasons(result, profile, await this.repository.members(c.id, manager)).map((r) => `${r.reason}（依据：${r.rule}）`),
        };
        // The business key makes this review's start one command however often the dispatcher sends it.
        const outboxId = await this.outbox.enqueueStart({ processId: CORRECTION_PROCESS_ID, businessKey: `review-hearing:${assessmentKey}`, subjectType: SUBJECT, subjectId: c.id, variables: { ...variables } }, manager);
        const hearingOutcome = { outcome: 'hearing' as const, benefitFen: oldBenefit, hearingDueAt: hearingDueAt.toISOString(), reasons: result.reasons };
        await this.repository.event(c.id, 'review-hearing-opened', now, principal.id, { hearingDueAt: variables.hearingDueAt, assessmentKey, household, outcome: result.outcome, notes: body.reviewNotes }, manager);
        await this.audit.record(
          { actor, regionCode: c.regionCode, action: 'dibao.review-hearing-opened', subjectType: SUBJECT, subjectId: c.id, details: { hearingDueAt: variables.hearingDueAt, assessmentOutcome: result.outcome } },
          manager,
        );
        return { ...hearingOutcome, outboxId };
      }
      await manager.query(`UPDATE dibao_case SET household = $2, benefit_fen = $3 WHERE id = $1`, [c.id, JSON.stringify(household), outcome.benefitFen]);
      await this.repository.insertAssessment(c.id, profile.versionId, result.outcome, result.benefitFen, result, now, assessmentKey, manager);
      await this.repository.event(c.id, 'reviewed', now, principal.id, { ...outcome, notes: body.reviewNotes }, manager);
      await this.audit.record({ actor, regionCode: c.regionCode, action: `dibao.reviewed`, subjectType: SUBJECT, subjectId: c.id, details: outcome }, manager);
      return outcome;
    });
    if (!('outboxId' in answer)) return answer;
    const { outboxId, ...hearing } = answer;
    // After the commit: the hearing starts now if the engine answers, otherwise the dispatcher starts it later.
    await this.dispatcher.dispatchNow(outboxId);
    return hearing;
  }
}
