import type { ProcessDefinitionId } from '@camunda8/sdk';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { strictClient } from './support/engine';
import { seedEnrolments } from './support/enrolments';
import { type Actor, Scenario } from './support/scenario';

/**
 * Issue 14: a case accepted before next year's State Council notice exists counts its limit on the statutory
 * calendar; when the notice is loaded through the API, the deadline row and the engine's timer both move, and the
 * breach fires at the new instant. Clocks are moved, never slept on.
 */
describe('a holiday notice loaded at run time', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor' };
  const admin: Actor = { roles: [Role.CalendarAdmin], region: '410000', id: 'henan-calendar' };
  /** Every statutory day of 2027 as its own period, plus a made-up 元旦 bridge. */
  const STATUTORY_2027 = [
    { name: '春节 Spring Festival', from: '2027-02-05', to: '2027-02-11' },
    { name: '清明节 Qingming Festival', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节 Labour Day', from: '2027-05-01', to: '2027-05-05' },
    { name: '端午节 Dragon Boat Festival', from: '2027-06-09', to: '2027-06-11' },
    { name: '中秋节 Mid-Autumn Festival', from: '2027-09-15', to: '2027-09-17' },
    { name: '国庆节 National Day', from: '2027-10-01', to: '2027-10-07' },
  ];
  /** A made-up 2027 notice (the real one is not available here): 元旦 01-01..03 and a make-up Saturday 01-09. */
  const FIXTURE = {
    title: '国务院办公厅关于2027年部分节假日安排的通知（测试用虚构数据）',
    number: null,
    date: '2026-12-05',
    holidays: [{ name: "元旦 New Year's Day", from: '2027-01-01', to: '2027-01-03' }, ...STATUTORY_2027],
    workdays: [{ date: '2027-01-09', for: "元旦 New Year's Day" }],
  };
  let s: Scenario;
  let db: DataSource;

  beforeAll(async () => {
    // Tuesday 2026-12-01, 10:00 in Shanghai.
    s = await Scenario.start(new Date('2026-12-01T02:00:00Z'));
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  const put = async (actor: Actor, year: string | number, body: object) =>
    request(s.app.getHttpServer()).put(`/api/v1/calendar/years/${year}`).set('Authorization', `Bearer ${await s.token(actor)}`).send(body);
  const procedureDeadline = async (caseId: string) => {
    const c = (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
    return c.deadlines.find((d: { type: string }) => d.type === 'dibao.procedure');
  };
  const engineVariable = async (processInstanceKey: string, name: string) => {
    const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchVariables({ filter: { processInstanceKey, name } as never }, { consistency: { waitUpToMs: 0 } });
    return items.map((v) => JSON.parse(String(v.value)));
  };

  let caseId: string;
  let processInstanceKey: string;
  let extendedCaseId: string;

  it('counts a case accepted on 2026-12-01 on the statutory calendar for 2027: due at the end of 2027-01-13', async () => {
    caseId = await s.apply(integrator, Scenario.application(VILLAGE, '吴冬至', '19580101'));
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.until('acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body.status, (status) => status === 'accepted');
    const deadline = await procedureDeadline(caseId);
    // Counted by hand: December 2026 has 22 working days after the 1st (2–4, 7–11, 14–18, 21–25, 28–31); 2027-01-01
    // is 元旦 by statute, then 4–8 (27), 11 (28), 12 (29), 13 (30).
    expect(deadline.dueAt).toBe('2027-01-13T15:59:59.999Z');
    expect(deadline.calendar).toBe('statutory');
    expect(deadline.calendarNote).toContain('provisional — statutory calendar, the 2027 notice is not loaded');
    const sla = (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=dibao.procedure')).body.items;
    expect(sla.find((d: { subjectId: string }) => d.subjectId === caseId)).toMatchObject({ calendar: 'statutory', calendarNote: expect.stringContaining('the 2027 notice is not loaded') });
    processInstanceKey = (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body.processInstanceKey;
    // A second case, accepted the same day, will be extended after the notice arrives.
    extendedCaseId = await s.apply(integrator, Scenario.application(VILLAGE, '郑小寒', '19590202', '124'));
    await s.completeTask(extendedCaseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.until('acceptance', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${extendedCaseId}`)).body.status, (status) => status === 'accepted');
    // Next month lies in 2027, which has no notice: /health warns, without failing.
    const health = await request(s.app.getHttpServer()).get('/health');
    expect(health.status).toBe(200);
    expect(health.body.details.calendar).toMatchObject({ status: 'up', warning: expect.stringContaining('no official holiday notice loaded for 2027') });
    expect(await engineVariable(processInstanceKey, 'procedureDueAt')).toEqual(['2027-01-13T15:59:59.999Z']);
  });

  const civilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: '410822', id: 'county-wen' };
  const januaryCycle = async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body.find((c: { month: string }) => c.month === '2027-01');

  it("opens January 2027's payment cycle on the statutory calendar: the 10th (a Sunday) moves to Friday the 8th", async () => {
    await seedEnrolments(db, { countyCode: '410822', count: 1, fromMonth: '2027-01-01', prefix: 'N' });
    await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).createProcessInstance({ processDefinitionId: 'monthly-payment-cycle' as ProcessDefinitionId, variables: { countyCode: '410822', month: '2027-01' } });
    const cycle = await s.until('the January cycle', januaryCycle, (c) => c?.status === 'payroll-generated');
    expect([cycle.calendar.dataBy.date, cycle.calendar.fundsBy.date, cycle.calendar.creditedBy.date]).toEqual(['2027-01-05', '2027-01-08', '2027-01-08']);
  });

  it.each([
    ['an empty title', { ...FIXTURE, title: ' ' }, 'title'],
    ['a make-up day on a weekday', { ...FIXTURE, workdays: [{ date: '2027-01-08', for: '元旦' }] }, 'workdays[0].date'],
    ['overlapping periods', { ...FIXTURE, holidays: [...FIXTURE.holidays, { name: '重叠', from: '2027-01-03', to: '2027-01-04' }] }, `holidays[${FIXTURE.holidays.length}].from`],
    ['a statutory day missing from every period', { ...FIXTURE, holidays: FIXTURE.holidays.filter((h) => !h.name.startsWith('端午')) }, 'holidays'],
    ['a date outside the year', { ...FIXTURE, workdays: [{ date: '2026-12-26', for: '元旦' }] }, 'workdays[0].date'],
    ['a date that does not exist', { ...FIXTURE, date: '2026-02-30' }, 'date'],
    ['a year that contradicts the path', { ...FIXTURE, year: 2028 }, 'year'],
  ])('refuses %s with a 400 naming the field, and stores nothing', async (_, body, field) => {
    const response = await put(admin, 2027, body);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await db.query(`SELECT count(*)::int AS n FROM holiday_notice`)).toEqual([{ n: 0 }]);
    expect((await procedureDeadline(caseId)).dueAt).toBe('2027-01-13T15:59:59.999Z');
  });

  it('lets only a calendar administrator of a province or the nation load a notice', async () => {
    expect((await put(supervisor, 2027, FIXTURE)).status).toBe(403);
    expect((await put({ roles: [Role.CalendarAdmin], region: '410821', id: 'county-admin' }, 2027, FIXTURE)).status).toBe(403);
    expect((await put(admin, 'next', FIXTURE)).body.errors[0].field).toBe('year');
    expect(await db.query(`SELECT count(*)::int AS n FROM holiday_notice`)).toEqual([{ n: 0 }]);
  });

  it('re-times the deadline and the engine timer when the 2027 notice is loaded, audited', async () => {
    const loaded = await put(admin, 2027, FIXTURE);
    expect(loaded.status).toBe(200);
    expect(loaded.body).toMatchObject({ year: 2027, version: 1, basis: 'official:2027-v1', stored: true });
    // 元旦 now runs to Sunday 01-03 and Saturday 01-09 is worked: 4–8 (27), 9 (28), 11 (29), 12 (30).
    expect(loaded.body.retimed).toContainEqual(expect.objectContaining({ type: 'dibao.procedure', subjectId: caseId, from: '2027-01-13T15:59:59.999Z', to: '2027-01-12T15:59:59.999Z' }));
    const deadline = await procedureDeadline(caseId);
    expect(deadline).toMatchObject({ dueAt: '2027-01-12T15:59:59.999Z', calendar: 'official:2026-shipped,2027-v1' });
    expect(deadline.dueHistory).toEqual([expect.objectContaining({ dueAt: '2027-01-13T15:59:59.999Z', calendar: 'statutory' })]);
    await s.until('the engine timer moved', () => engineVariable(processInstanceKey, 'procedureDueAt'), (values) => values[0] === '2027-01-12T15:59:59.999Z');
    // The extended limit (45 working days, 2027-02-03 by statute) is 2027-02-02 on the notice: an extension granted
    // now hands the watch the new instant.
    const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
    expect((await s.post(county, `/api/v1/dibao/cases/${extendedCaseId}/extension`, { reason: '需跨省核对外出务工收入' })).status).toBe(204);
    const extendedInstance = (await s.get(caseworker, `/api/v1/dibao/cases/${extendedCaseId}`)).body.processInstanceKey;
    await s.until('the extended limit', () => engineVariable(extendedInstance, 'procedureExtendedDueAt'), (values) => values[0] === '2027-02-02T15:59:59.999Z');
    const [audit] = await db.query(`SELECT actor_id, region_code, details FROM audit_event WHERE action = 'calendar.notice-loaded'`);
    expect(audit).toMatchObject({ actor_id: 'henan-calendar', region_code: '410000', details: { year: 2027, version: 1, replaces: 'statutory' } });
    const years = (await s.get(caseworker, '/api/v1/calendar/years')).body;
    expect(years.find((y: { year: number }) => y.year === 2027)).toMatchObject({ source: 'loaded', basis: 'official:2027-v1', versions: [expect.objectContaining({ version: 1, loadedBy: 'henan-calendar' })] });
    // The cycle's bank deadline moves to the make-up Saturday 01-09; the 5th and the 8th stay, now on the notice.
    const cycle = await januaryCycle();
    expect([cycle.calendar.dataBy.date, cycle.calendar.fundsBy.date, cycle.calendar.creditedBy.date]).toEqual(['2027-01-05', '2027-01-08', '2027-01-09']);
    const credited = (await s.get({ roles: [Role.Supervisor], region: '410822' }, '/api/v1/sla/deadlines?limit=200&type=payment.credited')).body.items.find((d: { subjectId: string }) => d.subjectId === cycle.id);
    expect(credited).toMatchObject({ dueAt: '2027-01-09T15:59:59.999Z', calendar: 'official:2027-v1' });
    // The crediting timer is armed once the bank step is reached: it waits on the moved instant.
    const finance: Actor = { roles: [Role.CountyFinance], region: '410822', id: 'finance-wu' };
    await s.completeIn(cycle.processInstanceKey, 'Task_data_entered', civilAffairs, { stepConfirmed: true });
    await s.completeIn(cycle.processInstanceKey, 'Task_funds_transferred', finance, { stepConfirmed: true });
    await s.until('the cycle timer moved', () => engineVariable(cycle.processInstanceKey, 'creditedDueAt'), (values) => values[0] === '2027-01-09T15:59:59.999Z');
    expect((await request(s.app.getHttpServer()).get('/health')).body.details.calendar.warning).toBeUndefined();
    // The same notice again stores nothing new.
    expect((await put(admin, 2027, FIXTURE)).body).toMatchObject({ version: 1, stored: false, retimed: [] });
  });

  it('breaches at the new instant, not the old one', async () => {
    // Not breached a second before the end of 2027-01-12 (the sweeper and the timer both watch it)…
    await s.moveTo(new Date('2027-01-12T15:59:58.999Z'));
    expect((await procedureDeadline(caseId)).breachedAt).toBeNull();
    // …and escalated by the engine's timer at it, a day before the statutory 01-13.
    await s.moveTo(new Date('2027-01-12T16:00:00.000Z'));
    const breached = await s.until('the breach escalated', () => procedureDeadline(caseId), (d) => d.escalatedAt !== null);
    expect(breached.breachedAt).not.toBeNull();
    const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county' };
    await s.taskOf(caseId, 'Task_county_follow_up', county);
    // The extended case is not breached at the 30-day limit: its watch waits on 2027-02-02.
    const extended = (await s.get(caseworker, `/api/v1/dibao/cases/${extendedCaseId}`)).body;
    expect(extended.timeline.map((e: { kind: string }) => e.kind)).not.toContain('deadline-breached');
  });
});
