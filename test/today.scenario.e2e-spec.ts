import type { ProcessDefinitionId } from '@camunda8/sdk';
import { DateTime } from 'luxon';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { HolidayCalendar } from '../src/policy/holiday-calendar';
import { strictClient } from './support/engine';
import { seedEnrolments } from './support/enrolments';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Every procedure on today's real date (no date pinned in the test): the day the calendar, a profile or a model no
 * longer carries a case from today, CI turns red. Deadlines reaching a year without its State Council notice stand on
 * the statutory calendar, so they must be computable whatever today is.
 */
describe('the procedures work today', () => {
  let s: Scenario;
  const today = new Date();

  beforeAll(async () => {
    s = await Scenario.start(today);
  });

  afterAll(async () => {
    await s?.close();
  });

  const calendar = () => s.app.get(HolidayCalendar);

  it('takes a dibao application through acceptance and investigation', async () => {
    const VILLAGE = '410821100201';
    const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
    const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
    const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '周今天', '19660606'));
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const accepted = await s.until('acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body, (c) => c.status === 'accepted');
    const procedure = accepted.deadlines.find((d: { type: string }) => d.type === 'dibao.procedure');
    expect(new Date(procedure.dueAt)).toEqual(calendar().deadlineAfterWorkingDays(today, 30));
    expect(procedure.calendar).toMatch(/^(statutory|official:.+)$/);
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '李明、张华', investigationSummary: '入户核实：独居，无收入' });
    const assessed = await s.until('the assessment', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body, (c) => c.timeline.some((e: { kind: string }) => e.kind === 'assessed'));
    expect(assessed.benefitFen).toBeGreaterThan(0);
    // The next step is a person's: nothing stalled on an incident.
    expect((await s.get({ roles: [Role.Supervisor], region: '410821' }, '/api/v1/sla/incidents')).body.items).toEqual([]);
  });

  it('pays rescue-first temporary aid from the reserve fund and opens its paperwork deadline', async () => {
    const VILLAGE = '632301100201';
    const TOWNSHIP = '632301100';
    const integrator: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
    const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-ma' };
    const county: Actor = { roles: [Role.CountyCivilAffairs], region: '632301', id: 'county-li' };
    expect((await s.post(county, `/api/v1/reserve-funds/${TOWNSHIP}/advances`, { amountFen: 150_000, note: '备用金' })).status).toBe(201);
    const requested = await s.post(integrator, '/api/v1/temporary-aid/requests', {
      regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: '马今天', applicantIdNumber: idNumber(VILLAGE, '19800101', '777'), householdSize: 4, description: '昨夜房屋失火',
    });
    expect(requested.status).toBe(201);
    const { requestId, processInstanceKey } = requested.body;
    await s.completeIn(processInstanceKey, 'Task_reply', caseworker, { aidType: 'emergency', severity: 'general', urgent: true, proposedYuan: 1000, referral: 'none', replyNotes: '已核实' });
    const paid = await s.until('the rescue-first payment', async () => (await s.get(caseworker, `/api/v1/temporary-aid/requests/${requestId}`)).body, (r) => r.status === 'paid');
    expect(paid).toMatchObject({ tier: 'rescue-first', paidBy: 'reserve-fund', amountFen: 100_000 });
    const paperwork = paid.deadlines.find((d: { type: string }) => d.type === 'temporary-aid.paperwork');
    expect(new Date(paperwork.dueAt)).toEqual(calendar().deadlineAfterWorkingDays(today, 5));
  });

  it("opens next month's payment cycle with its calendar", async () => {
    const COUNTY = '410822';
    const month = DateTime.fromJSDate(today, { zone: 'Asia/Shanghai' }).plus({ months: 1 }).toFormat('yyyy-MM');
    await seedEnrolments(s.app.get(DataSource), { countyCode: COUNTY, count: 2, fromMonth: `${month}-01`, prefix: 'T' });
    // What bpmn/monthly-payment.bpmn starts on the 25th for each county.
    await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).createProcessInstance({ processDefinitionId: 'monthly-payment-cycle' as ProcessDefinitionId, variables: { countyCode: COUNTY, month } });
    const civilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-wen' };
    const [cycle] = await s.until('the cycle', async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body, (list) => list[0]?.status === 'payroll-generated');
    expect(cycle).toMatchObject({ month, lineCount: 2 });
    const [year, monthNumber] = month.split('-').map(Number) as [number, number];
    expect(cycle.calendar.dataBy.date).toBe(calendar().dayInMonth(year, monthNumber, 5, 'previous'));
    const entry = await s.until('the data-entry task', async () => (await s.get(civilAffairs, '/api/v1/tasks?elementId=Task_data_entered')).body.items, (items) => items.length === 1);
    expect(entry[0]).toBeDefined();
  });
});
