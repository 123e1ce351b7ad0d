import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Role } from '../auth/roles';
import { withAdvisoryLock } from '../database/advisory-lock';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { idNumberCheckChar } from '../common/id-number';
import { AppConfig } from '../config/app-config';
import type { CreateApplicationDto } from '../dibao/dibao.dto';
import { DibaoRepository } from '../dibao/dibao.repository';
import { DibaoService } from '../dibao/dibao.service';
import { PolicyProfiles } from '../policy/policy-profiles';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { ReserveFundService } from '../temporary-aid/reserve-fund.service';
import { TemporaryAidService } from '../temporary-aid/temporary-aid.service';
import { TasksService } from '../tasks/tasks.service';
import { WorkflowService } from '../workflow/workflow.service';

/**
 * Demo data for `npm start`: a county (修武县 410821, Jiaozuo profile) with two townships and three villages, a user
 * of each role, and dibao cases at different steps, driven through the real procedure. Runs once per database.
 */

const COUNTY = '410821';
/**
 * The advisory-lock key held while a process checks for and seeds the demo data ("doudi-dm" in ASCII): replicas
 * starting at once on one database take turns, so the first seeds and the others find the cases there.
 */
export const DEMO_SEED_LOCK_KEY = '7237132200329438317';
const TOWNSHIP = '410821100';
const VILLAGE = '410821100201';

export const DEMO_USERS: { role: Role; region: string; who: string }[] = [
  { role: Role.Integrator, region: COUNTY, who: '政务服务平台 government service portal' },
  { role: Role.VillageCommittee, region: VILLAGE, who: '城关镇东关村委会 village committee' },
  { role: Role.TownshipCaseworker, region: TOWNSHIP, who: '城关镇社会救助经办人 township caseworker' },
  { role: Role.TownshipLeader, region: TOWNSHIP, who: '城关镇分管领导 township leader' },
  { role: Role.TownshipCaseworker, region: '410821101', who: '七贤镇社会救助经办人 caseworker of another township' },
  { role: Role.CountyCivilAffairs, region: COUNTY, who: '修武县民政局 county civil affairs' },
  { role: Role.CountyFinance, region: COUNTY, who: '修武县财政局 county finance' },
  { role: Role.Bank, region: COUNTY, who: '代发银行 paying bank' },
  { role: Role.Supervisor, region: COUNTY, who: '督查 supervisor' },
  { role: Role.CalendarAdmin, region: '410000', who: '河南省民政厅 calendar administrator' },
  { role: Role.Trainer, region: COUNTY, who: '培训讲师 trainer (moves the clock)' },
];

/** `demo-<role>-<region>`: two demo users share a role (the caseworkers of two townships), never a role and region. */
export function demoSubject(user: { role: Role; region: string }): string {
  return `demo-${user.role}-${user.region}`;
}

/** 城关镇's demo caseworker, who did the demo cases' first steps. */
const DEMO_CASEWORKER: Principal = { id: demoSubject({ role: Role.TownshipCaseworker, region: TOWNSHIP }), roles: [Role.TownshipCaseworker], regionCode: TOWNSHIP };

function idNumber(birth: string, sequence: string): string {
  const first17 = `${COUNTY}${birth}${sequence}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

function application(name: string, birth: string, sequence: string, wagesFen: number, village = VILLAGE): CreateApplicationDto {
  return {
    regionCode: village,
    channel: 'self',
    requestType: 'household',
    area: 'rural',
    members: [
      { id: 'm1', name, idNumber: idNumber(birth, sequence), age: 2026 - Number(birth.slice(0, 4)), relation: 'applicant', seriousIllness: false, inSchool: false, employed: wagesFen > 0 },
      { id: 'm2', name: `${name[0]}小妹`, idNumber: idNumber('20100505', sequence), age: 16, relation: 'child', seriousIllness: false, inSchool: true, employed: false },
    ],
    incomes: wagesFen > 0 ? [{ memberId: 'm1', category: 'wages', monthlyFen: wagesFen }] : [],
    expenditures: [],
    assets: { financialFen: 0 },
  } as CreateApplicationDto;
}

@Injectable()
export class DemoSeeder implements OnApplicationBootstrap {
  private readonly logger = new Logger(DemoSeeder.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dibao: DibaoService,
    private readonly cases: DibaoRepository,
    private readonly temporaryAid: TemporaryAidService,
    private readonly reserveFunds: ReserveFundService,
    private readonly workflow: WorkflowService,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tasks: TasksService,
  ) {}

  get enabled(): boolean {
    return this.config.DEMO_DATA ? this.config.DEMO_DATA === 'on' : this.config.NODE_ENV === 'development';
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    // In the background: the service answers while the demo cases walk through their first steps.
    void this.seed().catch((error: unknown) => this.logger.error({ err: error }, 'demo data could not be seeded'));
  }

  /**
   * Seeds the demo data unless the county has cases. The check and the seeding run under a session advisory lock
   * (one connection held for the whole run, no transaction: the seeding calls the engine), so of several replicas
   * starting at once one seeds and the others wait for it, then see its cases and seed nothing.
   */
  async seed(): Promise<string[]> {
    await this.workflow.ready;
    return withAdvisoryLock(this.dataSource, DEMO_SEED_LOCK_KEY, () => this.seedOnce());
  }

  private async seedOnce(): Promise<string[]> {
    const count = await this.cases.countInCounty(COUNTY);
    const created: string[] = [];
    if (count === 0) {
      const portal: Principal = { id: 'demo-portal', roles: [Role.Integrator], regionCode: COUNTY };
      const apply = async (body: CreateApplicationDto) => (await this.dibao.apply(body, portal, undefined)).caseId;
      created.push(await apply(application('王建国', '19700315', '011', 0)));
      const awaitingMaterials = await apply(application('刘秀英', '19650820', '021', 20_000));
      await this.completeTask(awaitingMaterials, 'Task_accept', { materialsComplete: false, missingMaterials: '户口簿复印件；村委会出具的家庭情况证明' });
      created.push(awaitingMaterials);
      // Accepted cases count their limits on the statutory calendar for a year whose notice is not loaded yet.
      const investigating = await apply(application('陈志强', '19781102', '031', 30_000));
      await this.completeTask(investigating, 'Task_accept', { materialsComplete: true });
      const deciding = await apply(application('赵桂兰', '19590607', '041', 10_000));
      await this.completeTask(deciding, 'Task_accept', { materialsComplete: true });
      await this.completeTask(deciding, 'Task_investigation', { householdConfirmed: true, investigators: '李明、张华', investigationSummary: '入户核实：家庭成员二人，无其他收入来源' });
      created.push(investigating, deciding);
      // Temporary aid: the township's reserve fund, and a fire reported tonight waiting for the township's reply.
      await this.reserveFunds.credit({ townshipCode: TOWNSHIP, kind: 'advance', amountFen: 500_000, note: '2026年度乡镇临时救助备用金 demo', actorId: 'demo-county', actorRoles: [Role.CountyCivilAffairs], at: this.clock.now() });
      const fire = await this.temporaryAid.create(
        { regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: '孙长河', applicantIdNumber: idNumber('19720909', '051'), householdSize: 3, description: '今晚房屋失火，衣物口粮尽毁，暂住亲戚家' },
        portal,
      );
      created.push(fire.requestId);
    }
    const total = await this.cases.countInCounty(COUNTY);
    this.logger.log(created.length ? `demo data seeded: ${created.length} case(s) and request(s)` : `demo data present (${total} dibao case(s) in ${COUNTY}): not seeded again`);
    this.announce(total);
    return created;
  }

  /** Completes the case's open task at `elementId` once the procedure has reached it. */
  private async completeTask(caseId: string, elementId: string, variables: Record<string, unknown>): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt++) {
      // The outbox writes the instance key back once the engine started the procedure.
      const processInstanceKey = (await this.cases.findCase(caseId))?.processInstanceKey;
      if (!processInstanceKey) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        continue;
      }
      const { items } = await this.camunda.searchUserTasks(
        { filter: { processInstanceKey, elementId, state: 'CREATED' } as never },
        { consistency: { waitUpToMs: 0 } },
      );
      if (items[0]) {
        // Through the task API, as the demo caseworker would: checked, and in the case's audit trail under their name.
        await this.tasks.complete(String(items[0].userTaskKey), variables, DEMO_CASEWORKER);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`demo case ${caseId} never reached ${elementId}`);
  }

  private announce(cases: number): void {
    const lines = [
      '',
      'Demo data: 修武县 Xiuwu county (410821, Jiaozuo profile), 城关镇 (410821100) with 东关村 (410821100201), 七贤镇 (410821101).',
      `${cases} demo dibao cases, each at a different step (acceptance, awaiting materials, investigation, township audit): GET /api/v1/dibao/cases`,
      'A temporary-aid request waiting for the township reply (GET /api/v1/temporary-aid/requests) and the township reserve fund (GET /api/v1/reserve-funds/410821100).',
      'A token for each demo user (paste after "Authorization: Bearer "); the workbench at / signs them in with these same tokens:',
      ...DEMO_USERS.map((u) => `  ${u.who.padEnd(40)} npm run -s token -- --role ${u.role} --region ${u.region} --sub ${demoSubject(u)}`),
      'API documentation: /api/docs',
      '',
    ];
    process.stdout.write(lines.join('\n'));
  }
}
