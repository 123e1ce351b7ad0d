import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { Clock } from '../common/clock';
import { InvalidRequestException } from '../common/problem';
import { firstMonthAfter } from '../policy/shanghai-date';
import { OutboxDispatcher } from '../outbox/outbox.dispatcher';
import { OutboxRepository } from '../outbox/outbox.repository';
import { PolicyError, PolicyProfiles } from '../policy/policy-profiles';
import { RegionRegistry } from '../regions/region-registry';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';
import { PAYMENT_CYCLE_PROCESS_ID, PAYMENT_CYCLE_SUBJECT } from './payment-workers';
import { type PaymentCycle, PayrollService } from './payroll.service';

/** What a manual run did, as audited (`payments.cycle-run-by-hand`, details.outcome). */
export type ManualRunOutcome = 'created' | 'resumed' | 'running' | 'reconciled';

/**
 * A county runs (or re-runs) its cycle of a month by hand, through the same model as the 25th's timer
 * (bpmn/monthly-payment-cycle.bpmn): the cycle row and the start command commit together, the outbox starts the
 * instance after the commit. The cycle is unique per county and month, and the model's Gateway_run_here lets one
 * instance run it, so a manual run, a repeat and the timer make one cycle in whatever order they come.
 */
@Injectable()
export class ManualCycles {
  constructor(
    private readonly payroll: PayrollService,
    private readonly outbox: OutboxRepository,
    private readonly dispatcher: OutboxDispatcher,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly regions: RegionRegistry,
    @Inject(PolicyProfiles) private readonly profiles: PolicyProfiles,
    @Inject(CAMUNDA_CLIENT) private readonly camunda: CamundaClient,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async run(county: string, month: string, principal: Principal): Promise<{ cycle: PaymentCycle; created: boolean; outcome: ManualRunOutcome }> {
    await this.assertCounty(county);
    this.assertMonth(county, month);
    const now = this.clock.now();
    // Asked of the engine before the transaction (never inside one): does the cycle still need an instance?
    const before = await this.payroll.cycleOf(county, month);
    const wanted: ManualRunOutcome = !before ? 'created' : before.status === 'reconciled' ? 'reconciled' : (await this.isRunning(before)) ? 'running' : 'resumed';
    const done = await this.dataSource.transaction(async (manager) => {
      const { id, created } = await this.payroll.createCycle(county, month, now, manager);
      // Serialises concurrent manual runs of the county-month: the second sees the first's start command.
      await manager.query(`SELECT 1 FROM payment_cycle WHERE id = $1 FOR UPDATE`, [id]);
      let outcome: ManualRunOutcome = created ? 'created' : wanted === 'created' ? 'running' : wanted;
      if (outcome === 'resumed' && (await this.outbox.hasPendingStart(PAYMENT_CYCLE_SUBJECT, id, manager))) outcome = 'running';
      const outboxId =
        outcome === 'created' || outcome === 'resumed'
          ? await this.outbox.enqueueStart(
              { processId: PAYMENT_CYCLE_PROCESS_ID, businessKey: `${PAYMENT_CYCLE_SUBJECT}:${id}`, subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: id, variables: { countyCode: county, month, subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: id } },
              manager,
            )
          : undefined;
      await this.audit.record(
        { actor: { id: principal.id, roles: principal.roles }, regionCode: county, action: 'payments.cycle-run-by-hand', subjectType: PAYMENT_CYCLE_SUBJECT, subjectId: id, details: { county, month, outcome } },
        manager,
      );
      return { id, created, outcome, outboxId };
    });
    // After the commit; an engine that is down leaves the row to the dispatcher's loop (the answer still stands).
    if (done.outboxId) await this.dispatcher.dispatchNow(done.outboxId);
    return { cycle: (await this.payroll.cycle(done.id))!, created: done.created, outcome: done.outcome };
  }

  /** A 6-digit code of a county the region registry knows (a city or province code is not a county). */
  private async assertCounty(county: string): Promise<void> {
    const region = await this.regions.find(county);
    if (!region) throw new InvalidRequestException([{ field: 'county', message: `未知的县级区划代码 ${county} / unknown county code ${county}` }]);
    if (region.level !== 'county') throw new InvalidRequestException([{ field: 'county', message: `${region.name}（${county}）不是县级区划 / ${county} is a ${region.level}, not a county` }]);
  }

  /**
   * At most the month after today (firstMonthAfter, Asia/Shanghai; the first month a decision taken now pays): a
   * cycle pays every unpaid month up to its own, so a later one would pay months not yet due. Not the county's next
   * unpaid month (DibaoRepository.nextUnpaidMonth): that moves past every generated payroll, so each manual run would
   * open the next month early. The month needs a policy version in force.
   */
  private assertMonth(county: string, month: string): void {
    const latest = firstMonthAfter(this.clock.now()).slice(0, 7);
    if (month > latest) throw new InvalidRequestException([{ field: 'month', message: `${month} 尚未到来，最晚可运行 ${latest} / ${month} has not come yet: the latest month to run is ${latest}` }]);
    try {
      this.profiles.inForce(this.profiles.profileFor(county).id, `${month}-01`);
    } catch (error) {
      if (error instanceof PolicyError) throw new InvalidRequestException([{ field: 'month', message: `${month} 没有生效的政策版本 / no policy version in force in ${month}: ${error.message}` }]);
      throw error;
    }
  }

  /** Whether an instance runs (or ran to its end) the cycle; a cancelled one does not, and an unknown engine state counts as running. */
  private async isRunning(cycle: PaymentCycle): Promise<boolean> {
    try {
      // Not claimed yet: an instance started for it (a manual run a moment ago) that has not fixed the calendar.
      if (!cycle.processInstanceKey) return (await this.dispatcher.existingInstance({ processId: PAYMENT_CYCLE_PROCESS_ID, subjectId: cycle.id })) !== undefined;
      const instance = await this.camunda.getProcessInstance({ processInstanceKey: cycle.processInstanceKey as never }, { consistency: { waitUpToMs: 0 } });
      return instance.state !== 'TERMINATED';
    } catch {
      // The engine cannot say: a claimed cycle is left as it is, an unclaimed one gets a start (the dispatcher and the
      // model's gateway keep a second instance from running it).
      return cycle.processInstanceKey !== null;
    }
  }
}
