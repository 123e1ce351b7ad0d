import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { seedEnrolments } from './support/enrolments';
import { type Actor, Scenario } from './support/scenario';

/**
 * bpmn/monthly-payment*.bpmn on the embedded engine: the 25th starts next month's cycle per county; civil affairs
 * enters the payroll by the (moved) 5th, finance transfers by the 8th, the bank credits by the 10th (Jiaozuo, seed 004).
 */
describe('monthly payment cycle on the engine', () => {
  const COUNTY = '410821';
  const civilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-zhang' };
  const finance: Actor = { roles: [Role.CountyFinance], region: COUNTY, id: 'finance-wu' };
  const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: COUNTY };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-24T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  const task = (actor: Actor, elementId: string) =>
    s.until(`task ${elementId}`, async () => (await s.get(actor, `/api/v1/tasks?elementId=${elementId}`)).body.items, (items) => items.length === 1).then((items) => items[0]);
  const deadlines = async (type: string) => (await s.get(supervisor, `/api/v1/sla/deadlines?type=${type}`)).body as { status: string; dueAt: string; subjectId: string }[];

  it('runs October 2026: data by 30 September (National Day), a late transfer breached on the 8th, reconciled by the bank', async () => {
    await seedEnrolments(s.app.get(DataSource), { countyCode: COUNTY, count: 3, fromMonth: '2026-10-01' });
    await s.moveTo(new Date('2026-09-25T00:00:00Z'));
    const [cycle] = await s.until('the October cycle', async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body, (list) => list.length === 1 && list[0].lineCount === 3);
    expect(cycle).toMatchObject({ countyCode: COUNTY, month: '2026-10', status: 'payroll-generated' });
    expect([cycle.calendar.dataBy.date, cycle.calendar.fundsBy.date, cycle.calendar.creditedBy.date]).toEqual(['2026-09-30', '2026-10-08', '2026-10-10']);
    expect((await deadlines('payment.data'))[0]!.dueAt).toBe('2026-09-30T15:59:59.999Z');

    const entry = await task(civilAffairs, 'Task_data_entered');
    expect((await s.post(civilAffairs, `/api/v1/tasks/${entry.userTaskKey}/complete`, { variables: { stepConfirmed: true } })).status).toBe(204);
    await s.until('the data deadline met', () => deadlines('payment.data'), (list) => list[0]?.status === 'met');

    // Finance is late: not breached a second before the end of the 8th, breached at it.
    const transfer = await task(finance, 'Task_funds_transferred');
    await s.moveTo(new Date('2026-10-08T15:59:58.999Z'));
    expect((await deadlines('payment.funds'))[0]!.status).not.toBe('breached');
    await s.moveTo(new Date('2026-10-08T15:59:59.999Z'));
    await s.until('the transfer breach', () => deadlines('payment.funds'), (list) => list[0]?.status === 'breached');
    expect((await s.post(finance, `/api/v1/tasks/${transfer.userTaskKey}/complete`, { variables: { stepConfirmed: true, stepNotes: '财政资金调度延误' } })).status).toBe(204);

    const file = await s.get(bank, `/api/v1/payment-cycles/${cycle.id}/bank-file`);
    const lines = file.text.trim().split('\n').slice(1);
    expect(lines).toHaveLength(3);
    const results = ['line_id,result,message', ...lines.map((l) => `${l.split(',')[0]},paid,`)].join('\n');
    expect((await s.post(bank, `/api/v1/payment-cycles/${cycle.id}/bank-results`, { csv: results })).body).toEqual({ issued: 0, paid: 3, failed: 0, returned: 0 });
    await s.until('the cycle reconciled', async () => (await s.get(civilAffairs, `/api/v1/payment-cycles/${cycle.id}`)).body, (c) => c.status === 'reconciled');
    await s.until('the crediting deadline met', () => deadlines('payment.credited'), (list) => list[0]?.status === 'met');
  });
});
