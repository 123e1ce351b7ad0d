import request from 'supertest';
import { Role } from '../src/auth/roles';
import { OutboxRepository } from '../src/outbox/outbox.repository';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * A township reserve fund that falls below the profile's reserveFundLowBalanceFen (national baseline 100,000 fen,
 * provisional; Tongren inherits it) raises one alert: a row, an audit event, a metric and a task for the county's
 * civil-affairs office, started through the outbox. A second debit raises nothing more; the credit that lifts the
 * balance back to the threshold closes the alert and ends the task. Rescue-first payments are real: requests
 * replied to as urgent and small, paid from the fund by the payment worker.
 */
const VILLAGE = '632301100201';
const TOWNSHIP = '632301100';
const integrator: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-ma' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '632301', id: 'county-li' };
const otherCounty: Actor = { roles: [Role.CountyCivilAffairs], region: '632302', id: 'county-other' };
/** Monday 2026-09-14, 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');

interface Alert {
  id: string;
  townshipCode: string;
  countyCode: string;
  thresholdFen: number;
  balanceFen: number;
  closedAt: string | null;
  closedBalanceFen: number | null;
}

describe('reserve fund low-balance alert', () => {
  let s: Scenario;
  let counter = 0;

  beforeAll(async () => {
    s = await Scenario.start(START);
  });

  afterAll(async () => {
    await s?.close();
  });

  const fund = async () => (await s.get(county, `/api/v1/reserve-funds/${TOWNSHIP}`)).body as { balanceFen: number; alerts: Alert[] };
  const metrics = async () => (await request(s.app.getHttpServer()).get('/metrics').expect(200)).text;
  const lowSeries = `doudi_reserve_fund_low{township="${TOWNSHIP}"}`;
  /** A rescue-first payment of `yuan` out of the fund, through the procedure. */
  const rescueFirst = async (yuan: number) => {
    counter += 1;
    const created = await s.post(
      integrator,
      '/api/v1/temporary-aid/requests',
      { regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: `备${counter}`, applicantIdNumber: idNumber(VILLAGE, '19800101', String(200 + counter)), householdSize: 2, description: '突发火灾' },
      { 'Idempotency-Key': `fund-${counter}-${Date.now()}` },
    );
    expect(created.status).toBe(201);
    const { requestId, processInstanceKey } = created.body as { requestId: string; processInstanceKey: string };
    await s.completeIn(processInstanceKey, 'Task_reply', caseworker, { aidType: 'emergency', severity: 'general', urgent: true, proposedYuan: yuan, referral: 'none', replyNotes: '已核实' });
    await s.until('the rescue-first payment', async () => (await s.get(caseworker, `/api/v1/temporary-aid/requests/${requestId}`)).body, (r) => r.status === 'paid' || r.status === 'closed');
  };
  const instanceOf = (alertId: string) =>
    s.until('the replenishment instance', async () => (await s.app.get(OutboxRepository).forSubject('reserve-fund-alert', alertId)).filter((r) => r.kind === 'start-process'), (rows) => rows[0]?.result?.processInstanceKey !== undefined);
  const openTasks = async (pik: string) => ((await s.get(county, `/api/v1/tasks?processInstanceKey=${pik}`)).body.items as { elementId: string }[]).map((t) => t.elementId);

  it('raises one alert, metric and county task below the threshold, and closes them when the fund is replenished', async () => {
    expect((await s.post(county, `/api/v1/reserve-funds/${TOWNSHIP}/advances`, { amountFen: 150_000, note: '备用金下拨' })).status).toBe(201);
    expect((await fund()).alerts).toEqual([]);
    expect(await metrics()).toContain(`${lowSeries} 0`);

    // 150,000 − 80,000 = 70,000 fen: below 100,000.
    await rescueFirst(800);
    const [alert] = (await fund()).alerts;
    expect(alert).toMatchObject({ townshipCode: TOWNSHIP, countyCode: '632301', thresholdFen: 100_000, balanceFen: 70_000, closedAt: null });
    const audit = (await s.get({ roles: [Role.Supervisor], region: '632301' }, `/api/v1/sla/cases/reserve-fund/${TOWNSHIP}/audit`)).body as { action: string; details: Record<string, unknown> }[];
    expect(audit.filter((e) => e.action === 'reserve-fund.low-balance')).toEqual([expect.objectContaining({ details: expect.objectContaining({ alertId: alert!.id, balanceFen: 70_000, thresholdFen: 100_000 }) })]);
    const scraped = await metrics();
    expect(scraped).toContain(`${lowSeries} 1`);
    expect(scraped).toContain(`doudi_reserve_fund_balance_fen{township="${TOWNSHIP}"} 70000`);

    // The county's civil-affairs office gets the task, with the fund as its context; another county does not see it.
    const [start] = await instanceOf(alert!.id);
    const pik = start!.result!.processInstanceKey!;
    const task = (await s.taskIn(pik, 'Task_replenish', county)) as unknown as { userTaskKey: string; candidateGroups: string[]; dueDate: string };
    expect(task.candidateGroups).toEqual(['county-civil-affairs@632301']);
    // reserveFundReplenishmentWorkingDays (5) after Monday 14 September: the end of Sunday 20 September (a 2026 make-up working day).
    expect(task.dueDate).toBe('2026-09-20T15:59:59.999Z');
    const detail = (await s.get(county, `/api/v1/tasks/${task.userTaskKey}`)).body;
    expect(detail.context).toMatchObject({ subjectType: 'reserve-fund-alert', subjectId: alert!.id, townshipCode: TOWNSHIP, countyCode: '632301', balanceFen: 70_000, thresholdFen: 100_000, alertStatus: 'open', dueAt: task.dueDate });
    expect((await s.get(otherCounty, `/api/v1/tasks?processInstanceKey=${pik}`)).body.items).toEqual([]);

    // A second debit (70,000 − 50,000 = 20,000): still one alert, one start, one task.
    await rescueFirst(500);
    const after = await fund();
    expect(after.balanceFen).toBe(20_000);
    expect(after.alerts).toHaveLength(1);
    const starts = await s.app.get(OutboxRepository).subjectsWithStart('reserve-fund-alert', after.alerts.map((a) => a.id));
    expect(starts.size).toBe(1);
    expect(await openTasks(pik)).toEqual(['Task_replenish']);

    // The county completes the task without the money having come: the alert stays open and the task comes back.
    await s.completeIn(pik, 'Task_replenish', county, { replenishmentNote: '已报县财政，下周拨付' });
    await s.until('the task back', async () => (await s.get(county, `/api/v1/tasks?processInstanceKey=${pik}`)).body.items as { userTaskKey: string; elementId: string }[], (items) => items.some((t) => t.elementId === 'Task_replenish' && t.userTaskKey !== task.userTaskKey));
    // A replenishment that leaves it below the threshold (70,000) closes nothing.
    expect((await s.post(county, `/api/v1/reserve-funds/${TOWNSHIP}/replenishments`, { amountFen: 50_000, note: '补充一部分' })).status).toBe(201);
    expect((await fund()).alerts[0]!.closedAt).toBeNull();

    // Back to 170,000: the alert closes, the task ends, the metric drops.
    expect((await s.post(county, `/api/v1/reserve-funds/${TOWNSHIP}/replenishments`, { amountFen: 100_000, note: '补足备用金' })).status).toBe(201);
    const closed = (await fund()).alerts;
    expect(closed).toEqual([expect.objectContaining({ id: alert!.id, closedBalanceFen: 170_000, closedAt: expect.any(String) })]);
    await s.until('the task ended', () => openTasks(pik), (tasks) => tasks.length === 0);
    expect(await metrics()).toContain(`${lowSeries} 0`);
    const trail = (await s.get({ roles: [Role.Supervisor], region: '632301' }, `/api/v1/sla/cases/reserve-fund/${TOWNSHIP}/audit`)).body as { action: string }[];
    expect(trail.map((e) => e.action).filter((a) => a.startsWith('reserve-fund.low-balance'))).toEqual(expect.arrayContaining(['reserve-fund.low-balance', 'reserve-fund.low-balance-closed']));

    // Below again later: a new alert (the closed one stays closed).
    await rescueFirst(800);
    const again = (await fund()).alerts;
    expect(again).toHaveLength(2);
    expect(again.filter((a) => a.closedAt === null)).toEqual([expect.objectContaining({ balanceFen: 90_000 })]);
  });
});
