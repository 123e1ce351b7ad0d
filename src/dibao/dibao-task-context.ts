import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { CaseLine } from '../common/case-line';
import { yuan } from '../common/money';
import type { Expenditure, Income } from '../assessment/household';
import { maskIdNumber } from '../common/id-number';
import { DibaoRepository } from './dibao.repository';
import { chineseOf } from './notices';

/** The facts a step of a dibao case needs, from our tables (ID numbers masked). */
export interface DibaoCaseFacts {
  members: { id: string; name: string; idNumber: string; age: number; relation: string; disability: unknown; seriousIllness: boolean; inSchool: boolean; employed: boolean; diedOn: string | null }[];
  incomes: { declared: Income[]; verified: Income[] | null };
  expenditures: Expenditure[];
  assets: { declared: { financialFen: number }; verified: { financialFen: number } | null };
  assessment: { outcome: string; benefitFen: number; benefitYuan: string; reasons: string[]; steps: { rule: string; description: string; amountFen?: number }[] } | null;
  decisions: { decision: string; reasons: string; benefitFen: number; decidedAt: Date }[];
  objections: { text: string; lodgedBy: string; lodgedAt: Date }[];
  timeline: { kind: string; at: Date; actorId: string; details: Record<string, unknown> }[];
}

/**
 * The dibao side of the task context (src/tasks/task-context.ts): one query for a page of task lines, a handful for
 * one task's facts. Reads only; the tables stay the dibao repository's.
 */
@Injectable()
export class DibaoTaskContext {
  constructor(private readonly repository: DibaoRepository) {}

  /** The lines of these cases, in one query (ids that are no case are left out). */
  async lines(caseIds: string[]): Promise<Map<string, CaseLine>> {
    const ids = [...new Set(caseIds)].filter((id) => isUUID(id));
    if (ids.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await this.repository.dataSource.query(
      `SELECT c.id::text AS id, c.case_number, c.status, c.applicant_name, c.region_code, c.township_code,
         (SELECT m.id_number FROM dibao_member m WHERE m.case_id = c.id AND m.relation = 'applicant' ORDER BY m.member_id LIMIT 1) AS applicant_id_number,
         (SELECT count(*)::int FROM dibao_member m WHERE m.case_id = c.id AND m.died_on IS NULL) AS household_size
       FROM dibao_case c WHERE c.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        {
          caseNumber: r.case_number as string,
          status: r.status as string,
          applicantName: r.applicant_name as string,
          applicantIdNumber: r.applicant_id_number ? maskIdNumber(r.applicant_id_number as string) : null,
          villageCode: r.region_code as string,
          townshipCode: r.township_code as string,
          householdSize: r.household_size as number,
        },
      ]),
    );
  }

  /** The facts of one case, or undefined when it is no case. */
  async facts(caseId: string): Promise<DibaoCaseFacts | undefined> {
    const c = await this.repository.findCase(caseId);
    if (!c) return undefined;
    const [members, assessment, decisions, objections, timeline] = await Promise.all([
      this.repository.members(c.id),
      this.repository.latestAssessment(c.id),
      this.repository.dataSource.query(`SELECT decision, reasons, benefit_fen, decided_at FROM dibao_decision WHERE case_id = $1 ORDER BY decided_at, id`, [c.id]) as Promise<Record<string, unknown>[]>,
      this.repository.dataSource.query(`SELECT text, lodged_by, lodged_at FROM dibao_objection WHERE case_id = $1 ORDER BY lodged_at, id`, [c.id]) as Promise<Record<string, unknown>[]>,
      this.repository.timeline(c.id),
    ]);
    // The caseworker reads the assessment as a family's notice does: Chinese, yuan, members by name.
    const byId = new Map(members.map((m) => [m.id, m.name]));
    const readable = (text: string) => chineseOf(text.replace(/\s*\/ (?=[A-Z])/, ' / ')).replace(/(?<![A-Za-z0-9])m\d+(?![A-Za-z0-9])/g, (id) => byId.get(id) ?? id);
    // The latest investigation's verified figures (the assess step records them as `investigated`).
    const investigated = [...timeline].reverse().find((e) => e.kind === 'investigated')?.details as { incomes?: Income[]; financialFen?: number | null } | undefined;
    return {
      members: members.map((m) => ({
        id: m.id,
        name: m.name,
        idNumber: maskIdNumber(m.idNumber),
        age: m.age,
        relation: m.relation,
        disability: m.disability ?? null,
        seriousIllness: m.seriousIllness,
        inSchool: m.inSchool,
        employed: m.employed,
        diedOn: m.diedOn ?? null,
      })),
      incomes: { declared: c.household.incomes, verified: investigated?.incomes ?? null },
      expenditures: c.household.expenditures,
      assets: { declared: c.household.assets, verified: investigated?.financialFen != null ? { financialFen: investigated.financialFen } : null },
      assessment: assessment
        ? {
            outcome: assessment.outcome,
            benefitFen: assessment.benefitFen,
            benefitYuan: yuan(assessment.benefitFen),
            reasons: (assessment.result.reasons ?? []).map(readable),
            steps: (assessment.result.steps ?? []).map((step) => ({ ...step, description: readable(step.description) })),
          }
        : null,
      decisions: decisions.map((d) => ({ decision: d.decision as string, reasons: d.reasons as string, benefitFen: d.benefit_fen as number, decidedAt: d.decided_at as Date })),
      objections: objections.map((o) => ({ text: o.text as string, lodgedBy: o.lodged_by as string, lodgedAt: o.lodged_at as Date })),
      timeline,
    };
  }
}
