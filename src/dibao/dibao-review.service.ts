import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { assess } from '../assessment/assess';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { householdReferenceProblems } from '../assessment/assessment.dto';
import { InvalidRequestException } from '../common/problem';
import { PolicyProfiles } from '../policy/policy-profiles';
import type { ReviewDto } from './dibao.dto';
import { DibaoRepository } from './dibao.repository';
import { DibaoService, SUBJECT } from './dibao.service';
import { gradualExitText } from './notices';

const EMPLOYMENT = new Set(['wages', 'business']);
const employmentFen = (incomes: { category: string; monthlyFen: number }[]) => incomes.filter((i) => EMPLOYMENT.has(i.category)).reduce((sum, i) => sum + i.monthlyFen, 0);

/**
 * The periodic review of an enrolled household (PROCEDURES.md §5): its money assessed again under the profile in
 * force. Still eligible: the benefit follows the new assessment. Above the standard because a member found work
 * (seeds 001, 002, 003: 渐退): the benefit continues for the profile's gradual-exit months, then ends, with a written
 * notice saying when. Above it for another reason: the benefit ends only after a hearing (法§48), which this call
 * does not do: it answers 409.
 */
@Injectable()
export class DibaoReviewService {
  constructor(
    private readonly repository: DibaoRepository,
    private readonly dibao: DibaoService,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async review(caseId: string, body: ReviewDto, principal: Principal) {
    const visible = await this.dibao.visibleCase(caseId, principal);
    const members = (await this.repository.members(visible.id)).map((m) => ({ id: m.id }));
    const problems = householdReferenceProblems({ members, incomes: body.incomes, expenditures: body.expenditures });
    if (problems.length) throw new InvalidRequestException(problems);
    return this.repository.transaction(async (manager) => {
      const c = (await this.repository.findCase(caseId, manager, true))!;
      if (c.status !== 'enrolled') throw new DomainError('not-enrolled', `case ${c.caseNumber} is ${c.status}, not enrolled`, 409);
      const [enrolment] = await manager.query(`SELECT benefit_fen, to_char(until_month, 'YYYY-MM-DD') AS until_month FROM dibao_enrolment WHERE case_id = $1`, [c.id]);
      if (enrolment?.until_month) throw new DomainError('benefit-ending', `the benefit of case ${c.caseNumber} already ends before ${enrolment.until_month.slice(0, 7)}`, 409);
      const now = this.clock.now();
      const profile = this.profiles.inForceForRequest(c.regionCode, now);
      const members = (await this.repository.members(c.id, manager)).filter((m) => !m.diedOn).map(({ name: _, idNumber: __, diedOn: ___, ...m }) => m);
      const household = { incomes: body.incomes, expenditures: body.expenditures, assets: body.assets };
      const result = assess({ area: c.area, members, ...household }, profile);
      const fromMonth = await this.repository.nextUnpaidMonth(c.countyCode, now, manager);
      const oldBenefit = Number(enrolment.benefit_fen);
      const actor = { id: principal.id, roles: principal.roles };
      let outcome: { outcome: 'continued' | 'gradual-exit'; benefitFen: number; fromMonth: string; untilMonth?: string };
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
        });
        await this.repository.insertNotice(c.id, 'gradual-exit', text, now, null, `review:${c.id}:${now.toISOString()}`, manager);
        outcome = { outcome: 'gradual-exit', benefitFen: oldBenefit, fromMonth, untilMonth };
      } else {
        throw new DomainError('hearing-required', `the household of case ${c.caseNumber} is no longer eligible for a reason other than work; ending its benefit needs a hearing of the family (社会救助法 §48)`, 409);
      }
      await manager.query(`UPDATE dibao_case SET household = $2, benefit_fen = $3 WHERE id = $1`, [c.id, JSON.stringify(household), outcome.benefitFen]);
      await this.repository.insertAssessment(c.id, profile.versionId, result.outcome, result.benefitFen, result, now, `review:${c.id}:${now.toISOString()}`, manager);
      await this.repository.event(c.id, 'reviewed', now, principal.id, { ...outcome, notes: body.reviewNotes }, manager);
      await this.audit.record({ actor, regionCode: c.regionCode, action: `dibao.reviewed`, subjectType: SUBJECT, subjectId: c.id, details: outcome }, manager);
      return outcome;
    });
  }
}
