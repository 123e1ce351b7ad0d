import { Inject, Injectable } from '@nestjs/common';
import { assess } from '../assessment/assess';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { PolicyProfiles } from '../policy/policy-profiles';
import { RegionRegistry } from '../regions/region-registry';
import { JobWorker } from '../workflow/job-worker.decorator';
import { DibaoRepository } from './dibao.repository';
import { SUBJECT } from './dibao.service';
import { recalculationText, remediesOf } from './notices';

interface Job {
  jobKey: string;
  variables: Record<string, unknown>;
}

const WORKER = 'system:dibao-recalculation-worker';

/**
 * bpmn/dibao-recalculation.bpmn: after a member's death and the family's hearing, the household is assessed again
 * for its living members with the profile version of its decision; the new benefit applies from the next month
 * (nothing if no longer eligible), with a written notice (法§48).
 */
@Injectable()
export class DibaoRecalculationWorkers {
  constructor(
    private readonly repository: DibaoRepository,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly regions: RegionRegistry,
  ) {}

  @JobWorker('dibao.recalculate')
  async recalculate(job: Job): Promise<{ newBenefitFen: number }> {
    const caseId = String(job.variables.caseId);
    return this.repository.transaction(async (manager) => {
      const c = await this.repository.findCase(caseId, manager, true);
      if (!c) throw new Error(`dibao case ${caseId} of job ${job.jobKey} does not exist`);
      const before = await this.repository.eventOfJob(job.jobKey, manager);
      if (before) return { newBenefitFen: Number(before.details.newBenefitFen) };
      const now = this.clock.now();
      const all = await this.repository.members(c.id, manager);
      const dead = new Set(all.filter((m) => m.diedOn).map((m) => m.id));
      const living = all.filter((m) => !dead.has(m.id)).map(({ name: _, idNumber: __, diedOn: ___, ...m }) => m);
      const household = {
        ...c.household,
        incomes: c.household.incomes.filter((i) => !dead.has(i.memberId)),
        expenditures: c.household.expenditures.filter((e) => !dead.has(e.memberId)),
      };
      const profile = this.profiles.byVersionId(c.profileVersionId!);
      const result = assess({ area: c.area, members: living, ...household }, profile);
      const fromMonth = await this.repository.nextUnpaidMonth(c.countyCode, now, manager);
      const oldBenefit = c.benefitFen ?? 0;
      const newBenefit = result.benefitFen;
      if (newBenefit > 0) {
        await this.repository.changeBenefit(c.id, newBenefit, fromMonth, now, manager);
        await this.repository.update(c.id, { benefit_fen: newBenefit }, manager);
      } else {
        await this.repository.endEnrolment(c.id, fromMonth, manager);
        await this.repository.update(c.id, { status: 'terminated', benefit_fen: 0, decided_at: now }, manager);
      }
      await this.repository.insertAssessment(c.id, profile.versionId, result.outcome, newBenefit, result, now, job.jobKey, manager);
      const deceased = String(job.variables.deceasedName ?? '');
      const text = recalculationText({
        applicantName: c.applicantName,
        deceasedName: deceased,
        diedOn: String(job.variables.diedOn ?? ''),
        livingMembers: living.length,
        oldBenefitFen: oldBenefit,
        newBenefitFen: newBenefit,
        fromMonth,
        familyStatement: String(job.variables.familyStatement ?? ''),
        remedies: remediesOf(profile, await this.regions.countyOf(c.townshipCode)),
      });
      await this.repository.insertNotice(c.id, newBenefit > 0 ? 'recalculation' : 'termination', text, now, null, job.jobKey, manager);
      await this.repository.event(c.id, 'recalculated', now, WORKER, { memberId: String(job.variables.deceasedMemberId), oldBenefitFen: oldBenefit, newBenefitFen: newBenefit, fromMonth }, manager, job.jobKey);
      await this.audit.record({ actor: { id: WORKER }, regionCode: c.regionCode, action: 'dibao.recalculated', subjectType: SUBJECT, subjectId: c.id, details: { oldBenefitFen: oldBenefit, newBenefitFen: newBenefit } }, manager);
      return { newBenefitFen: newBenefit };
    });
  }
}
