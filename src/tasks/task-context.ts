import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AuditService } from '../audit/audit.service';
import type { CaseLine } from '../common/case-line';
import { yuan } from '../common/money';
import { DibaoTaskContext } from '../dibao/dibao-task-context';
import { SUBJECT as DIBAO_SUBJECT } from '../dibao/dibao.service';
import { FOLLOW_UP_SUBJECT } from '../payments/line-follow-ups';
import { PaymentTaskContext } from '../payments/payment-task-context';
import { PAYMENT_CYCLE_SUBJECT } from '../payments/payment-workers';
import { RegionRegistry } from '../regions/region-registry';
import { BATCH_SUBJECT } from '../sampling/sampling.service';
import { RESERVE_FUND_ALERT_SUBJECT } from '../temporary-aid/reserve-fund-alerts';
import { TEMPORARY_AID_SUBJECT } from '../temporary-aid/temporary-aid-process';
import { TemporaryAidTaskContext } from '../temporary-aid/temporary-aid-task-context';
import { TaskCompletions } from './task-completions';
import type { TaskCaseContext, TaskCaseFacts, TaskCycleContext, TaskFundContext } from './tasks.dto';

/**
 * A task as the context reads it: its instance's subject (from the scope variables), the engine's due date, and for a
 * county review of a sampled case the case it reviews (the task's own `reviewedCaseId`, bpmn/county-sampling-batch.bpmn).
 */
export interface ContextTask {
  subjectType: string | null;
  subjectId: string | null;
  dueDate: string | null;
  reviewedCaseId?: string | null;
}

type Subject = { subjectType: string; subjectId: string };

/** 2026年12月10日 17:00, in Asia/Shanghai. */
export function dueText(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日 HH:mm');
}

/** 2026年12月 */
function monthText(month: string): string {
  return DateTime.fromISO(month, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月');
}

/**
 * The context of a task (issue 18): which family, which village, which case, and when the step is due; in a task's
 * detail also the facts the step needs. Filled from our own tables (a few queries per page of tasks), never from
 * the engine's variables. A task about a family — a dibao case, a temporary-aid request, a county review of a sampled
 * case, the follow-up of a family's failed payment — carries that family's case; a payment-cycle step carries the
 * county's month and its payroll; a county's replenishment of a township reserve fund carries the fund, its balance
 * now and the alert's threshold. Facts: dibao cases, with the steps done so far and their recorded values.
 */
@Injectable()
export class TaskContexts {
  constructor(
    private readonly dibao: DibaoTaskContext,
    private readonly temporaryAid: TemporaryAidTaskContext,
    private readonly payments: PaymentTaskContext,
    private readonly regions: RegionRegistry,
    private readonly completions: TaskCompletions,
    private readonly audit: AuditService,
  ) {}

  /** The context of each task, by position (null where its subject is not known). */
  async of(tasks: ContextTask[]): Promise<(TaskCaseContext | TaskCycleContext | TaskFundContext | null)[]> {
    const idsOf = (type: string) => tasks.filter((t) => t.subjectType === type && t.subjectId).map((t) => t.subjectId!);
    const [lineSubjects, cycles, fundAlerts] = await Promise.all([
      this.payments.lineSubjects(idsOf(FOLLOW_UP_SUBJECT)),
      this.payments.cycles(idsOf(PAYMENT_CYCLE_SUBJECT)),
      this.temporaryAid.fundAlerts(idsOf(RESERVE_FUND_ALERT_SUBJECT)),
    ]);
    const families = tasks.map((task) => this.familyOf(task, lineSubjects));
    const familyIds = (type: string) => families.filter((s) => s?.subjectType === type).map((s) => s!.subjectId);
    const [dibao, aid] = await Promise.all([this.dibao.lines(familyIds(DIBAO_SUBJECT)), this.temporaryAid.lines(familyIds(TEMPORARY_AID_SUBJECT))]);
    const lines = new Map<string, Map<string, CaseLine>>([
      [DIBAO_SUBJECT, dibao],
      [TEMPORARY_AID_SUBJECT, aid],
    ]);
    const names = await this.regionNames([
      ...[...lines.values()].flatMap((m) => [...m.values()]).flatMap((l) => [l.villageCode, l.townshipCode]),
      ...[...cycles.values()].map((c) => c.countyCode),
      ...[...fundAlerts.values()].flatMap((a) => [a.townshipCode, a.countyCode]),
    ]);
    return tasks.map((task, i) => {
      const due = task.dueDate ? new Date(task.dueDate) : null;
      const valid = due && !Number.isNaN(due.getTime()) ? due : null;
      const dueFields = { dueAt: valid ? valid.toISOString() : null, dueText: valid ? dueText(valid) : null };
      const cycle = task.subjectType === PAYMENT_CYCLE_SUBJECT && task.subjectId ? cycles.get(task.subjectId) : undefined;
      if (cycle) {
        return {
          subjectType: PAYMENT_CYCLE_SUBJECT,
          countyCode: cycle.countyCode,
          countyName: names.get(cycle.countyCode) ?? null,
          month: cycle.month,
          monthText: monthText(cycle.month),
          cycleStatus: cycle.status,
          lineCount: cycle.lineCount,
          totalFen: cycle.totalFen,
          totalYuan: cycle.totalFen === null ? null : yuan(cycle.totalFen),
          ...dueFields,
        };
      }
      const alert = task.subjectType === RESERVE_FUND_ALERT_SUBJECT && task.subjectId ? fundAlerts.get(task.subjectId) : undefined;
      if (alert) {
        return {
          subjectType: RESERVE_FUND_ALERT_SUBJECT,
          subjectId: task.subjectId!,
          townshipCode: alert.townshipCode,
          townshipName: names.get(alert.townshipCode) ?? null,
          countyCode: alert.countyCode,
          countyName: names.get(alert.countyCode) ?? null,
          balanceFen: alert.balanceFen,
          thresholdFen: alert.thresholdFen,
          alertStatus: alert.alertStatus,
          raisedAt: alert.raisedAt.toISOString(),
          ...dueFields,
        };
      }
      const family = families[i];
      const line = family ? lines.get(family.subjectType)?.get(family.subjectId) : undefined;
      if (!family || !line) return null;
      return {
        subjectType: family.subjectType,
        subjectId: family.subjectId,
        caseNumber: line.caseNumber,
        caseStatus: line.status,
        applicantName: line.applicantName,
        applicantIdNumber: line.applicantIdNumber,
        villageCode: line.villageCode,
        villageName: names.get(line.villageCode) ?? null,
        townshipCode: line.townshipCode,
        townshipName: names.get(line.townshipCode) ?? null,
        householdSize: line.householdSize,
        ...dueFields,
      };
    });
  }

  /** The facts the task's step needs (members, incomes, the assessment, earlier decisions and objections). */
  async factsOf(task: ContextTask): Promise<TaskCaseFacts | null> {
    const family = this.familyOf(task, await this.payments.lineSubjects(task.subjectType === FOLLOW_UP_SUBJECT && task.subjectId ? [task.subjectId] : []));
    if (family?.subjectType !== DIBAO_SUBJECT) return null;
    const [facts, steps] = await Promise.all([this.dibao.facts(family.subjectId), this.stepsOf(family.subjectType, family.subjectId)]);
    return facts ? { ...facts, steps } : null;
  }

  /**
   * The case's earlier steps as the audit trail recorded their completion: which step, by whom, when, and the values
   * given (the proposal, the village's and the township's decisions with their reasons).
   */
  private async stepsOf(subjectType: string, subjectId: string): Promise<TaskCaseFacts['steps']> {
    const events = await this.audit.byIds(await this.completions.completedAuditIds(subjectType, subjectId));
    return events.map((event) => {
      const details = event.details as { name?: string | null; elementId?: string; values?: Record<string, unknown> };
      return { step: details.name ?? details.elementId ?? '', elementId: details.elementId ?? '', actorId: event.actorId, completedAt: event.occurredAt, values: details.values ?? {} };
    });
  }

  /** The family case a task is about, if any. */
  private familyOf(task: ContextTask, lineSubjects: Map<string, Subject>): Subject | undefined {
    if (!task.subjectType || !task.subjectId) return undefined;
    if (task.subjectType === DIBAO_SUBJECT || task.subjectType === TEMPORARY_AID_SUBJECT) return { subjectType: task.subjectType, subjectId: task.subjectId };
    if (task.subjectType === BATCH_SUBJECT && task.reviewedCaseId) return { subjectType: DIBAO_SUBJECT, subjectId: task.reviewedCaseId };
    if (task.subjectType === FOLLOW_UP_SUBJECT) return lineSubjects.get(task.subjectId);
    return undefined;
  }

  /** The names of the villages, townships and counties of a page, from the region registry in one query. */
  private async regionNames(codes: string[]): Promise<Map<string, string>> {
    return new Map([...(await this.regions.findAll(codes))].map(([code, region]) => [code, region.name]));
  }
}
