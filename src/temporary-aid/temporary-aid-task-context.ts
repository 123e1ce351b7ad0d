import { Injectable } from '@nestjs/common';
import { isUUID } from 'class-validator';
import type { CaseLine } from '../common/case-line';
import { maskIdNumber } from '../common/id-number';
import { TemporaryAidRepository } from './temporary-aid.repository';

export interface FundAlertLine {
  townshipCode: string;
  countyCode: string;
  balanceFen: number;
  thresholdFen: number;
  alertStatus: 'open' | 'closed';
  raisedAt: Date;
}

/** The temporary-aid side of the task context (src/tasks/task-context.ts): one query for a page of task lines. Reads only. */
@Injectable()
export class TemporaryAidTaskContext {
  constructor(private readonly repository: TemporaryAidRepository) {}

  /** The fund each low-balance alert is about, with its balance now (bpmn/reserve-fund-replenishment.bpmn's task). */
  async fundAlerts(alertIds: string[]): Promise<Map<string, FundAlertLine>> {
    const ids = [...new Set(alertIds)].filter((id) => isUUID(id));
    if (ids.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await this.repository.dataSource.query(
      `SELECT a.id::text AS id, a.township_code, a.county_code, a.threshold_fen, a.raised_at, a.closed_at, f.balance_fen
       FROM reserve_fund_alert a JOIN reserve_fund f USING (township_code) WHERE a.id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        {
          townshipCode: r.township_code as string,
          countyCode: r.county_code as string,
          balanceFen: Number(r.balance_fen),
          thresholdFen: Number(r.threshold_fen),
          alertStatus: r.closed_at ? 'closed' : 'open',
          raisedAt: r.raised_at as Date,
        },
      ]),
    );
  }

  async lines(requestIds: string[]): Promise<Map<string, CaseLine>> {
    const ids = [...new Set(requestIds)].filter((id) => isUUID(id));
    if (ids.length === 0) return new Map();
    const rows: Record<string, unknown>[] = await this.repository.dataSource.query(
      `SELECT id::text AS id, request_number, status, applicant_name, applicant_id_number, region_code, township_code, household_size
       FROM temporary_aid_request WHERE id = ANY($1::uuid[])`,
      [ids],
    );
    return new Map(
      rows.map((r) => [
        r.id as string,
        {
          caseNumber: r.request_number as string,
          status: r.status as string,
          applicantName: r.applicant_name as string,
          applicantIdNumber: maskIdNumber(r.applicant_id_number as string),
          villageCode: r.region_code as string,
          townshipCode: r.township_code as string,
          householdSize: r.household_size as number,
        },
      ]),
    );
  }
}
