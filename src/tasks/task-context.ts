import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { DibaoTaskContext } from '../dibao/dibao-task-context';
import { SUBJECT as DIBAO_SUBJECT } from '../dibao/dibao.service';
import { TEMPORARY_AID_SUBJECT } from '../temporary-aid/temporary-aid-process';
import { TemporaryAidTaskContext } from '../temporary-aid/temporary-aid-task-context';
import { RegionRegistry } from '../regions/region-registry';
import type { TaskCaseContext, TaskCaseFacts } from './tasks.dto';

/** A case line, whatever its procedure (a temporary-aid request's number is its case number). */
interface CaseLine {
  caseNumber: string;
  status: string;
  applicantName: string;
  applicantIdNumber: string | null;
  villageCode: string;
  townshipCode: string;
  householdSize: number;
}

/** A task as the context reads it: its subject (from the scope variables) and the engine's due date. */
interface ContextTask {
  subjectType: string | null;
  subjectId: string | null;
  dueDate: string | null;
}

/** 2026年12月10日 17:00, in Asia/Shanghai. */
export function dueText(at: Date): string {
  return DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日 HH:mm');
}

/**
 * The case context of a task (issue 18): which family, which village, which case, and when the step is due; in a
 * task's detail also the facts the step needs. Filled from our own tables (one query per page of tasks), never from
 * the engine's variables. Dibao cases and temporary-aid requests so far (facts: dibao only); a task of another
 * subject type (a payment cycle, a sampling batch) has `context: null`.
 */
@Injectable()
export class TaskContexts {
  constructor(
    private readonly dibao: DibaoTaskContext,
    private readonly temporaryAid: TemporaryAidTaskContext,
    private readonly regions: RegionRegistry,
  ) {}

  /** The context of each task, by position (null where the subject is not known). */
  async of(tasks: ContextTask[]): Promise<(TaskCaseContext | null)[]> {
    const idsOf = (type: string) => tasks.filter((t) => t.subjectType === type && t.subjectId).map((t) => t.subjectId!);
    const [dibao, aid] = await Promise.all([this.dibao.lines(idsOf(DIBAO_SUBJECT)), this.temporaryAid.lines(idsOf(TEMPORARY_AID_SUBJECT))]);
    const lines = new Map<string, Map<string, CaseLine>>([
      [DIBAO_SUBJECT, dibao],
      [TEMPORARY_AID_SUBJECT, new Map([...aid].map(([id, r]) => [id, { ...r, caseNumber: r.requestNumber }]))],
    ]);
    const names = await this.regionNames([...lines.values()].flatMap((m) => [...m.values()]).flatMap((l) => [l.villageCode, l.townshipCode]));
    return tasks.map((task) => {
      const line = task.subjectType && task.subjectId ? lines.get(task.subjectType)?.get(task.subjectId) : undefined;
      if (!line) return null;
      const due = task.dueDate ? new Date(task.dueDate) : null;
      const valid = due && !Number.isNaN(due.getTime()) ? due : null;
      return {
        subjectType: task.subjectType!,
        caseNumber: line.caseNumber,
        caseStatus: line.status,
        applicantName: line.applicantName,
        applicantIdNumber: line.applicantIdNumber,
        villageCode: line.villageCode,
        villageName: names.get(line.villageCode) ?? null,
        townshipCode: line.townshipCode,
        townshipName: names.get(line.townshipCode) ?? null,
        householdSize: line.householdSize,
        dueAt: valid ? valid.toISOString() : null,
        dueText: valid ? dueText(valid) : null,
      };
    });
  }

  /** The facts the task's step needs (members, incomes, the assessment, earlier decisions and objections). */
  async factsOf(task: ContextTask): Promise<TaskCaseFacts | null> {
    if (task.subjectType !== DIBAO_SUBJECT || !task.subjectId) return null;
    return (await this.dibao.facts(task.subjectId)) ?? null;
  }

  /** The names of the villages and townships of a page, from the region registry in one query. */
  private async regionNames(codes: string[]): Promise<Map<string, string>> {
    return new Map([...(await this.regions.findAll(codes))].map(([code, region]) => [code, region.name]));
  }
}
