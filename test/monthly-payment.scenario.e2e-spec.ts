import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DateTime } from 'luxon';
import { PayrollService } from '../src/payments/payroll.service';
import { PolicyProfiles } from '../src/policy/policy-profiles';
import { strictClient } from './support/engine';
import { enrolHousehold, seedEnrolments } from './support/enrolments';
import { type Actor, idNumber, Scenario } from './support/scenario';

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
  /** An enrolled household of the Jiaozuo profile (no income), its benefit from `fromMonth`. */
  const household = (caseNumber: string, names: string[], county = COUNTY, fromMonth = '2026-11-01') => {
    const village = `${county}100201`;
    const standardFen = s.app.get(PolicyProfiles).byVersionId('jiaozuo-2022-154').parameters.dibaoStandardRuralFen.value;
    const idNumbers = names.map((_, i) => idNumber(village, '19500101', `${caseNumber.slice(-1)}${i}1`));
    return enrolHousehold(s.app.get(DataSource), { caseNumber, names, countyCode: county, profileVersionId: 'jiaozuo-2022-154', standardFen, idNumbers, fromMonth });
  };
  const deadlines = async (type: string) => (await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&type=${type}`)).body.items as { status: string; dueAt: string; subjectId: string }[];

  it('runs October 2026: data by 30 September (National Day), a late transfer breached on the 8th, reconciled by the bank', async () => {
    await seedEnrolments(s.app.get(DataSource), { countyCode: COUNTY, count: 3, fromMonth: '2026-10-01' });
    await s.moveTo(new Date('2026-09-25T00:00:00Z'));
    const [cycle] = await s.until('the October cycle', async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body, (list) => list.length === 1 && list[0].lineCount === 3);
    expect(cycle).toMatchObject({ countyCode: COUNTY, month: '2026-10', status: 'payroll-generated' });
    expect([cycle.calendar.dataBy.date, cycle.calendar.fundsBy.date, cycle.calendar.creditedBy.date]).toEqual(['2026-09-30', '2026-10-08', '2026-10-10']);
    expect((await deadlines('payment.data'))[0]!.dueAt).toBe('2026-09-30T15:59:59.999Z');

    const entry = await task(civilAffairs, 'Task_data_entered');
    // The step says which county's month it is, with the payroll's size and total in yuan, due in Beijing time.
    expect(entry.context).toEqual({
      subjectType: 'payment-cycle', countyCode: COUNTY, countyName: '修武县', month: '2026-10', monthText: '2026年10月', cycleStatus: 'payroll-generated',
      lineCount: 3, totalFen: cycle.totalFen, totalYuan: (cycle.totalFen / 100).toFixed(2), dueAt: '2026-09-30T15:59:59.999Z', dueText: '2026年9月30日 23:59',
    });
    const entryDetail = (await s.get(civilAffairs, `/api/v1/tasks/${entry.userTaskKey}`)).body;
    expect(entryDetail.context).toEqual(entry.context);
    expect(entryDetail.variables).toMatchObject({ countyLabel: '修武县（410821）', monthText: '2026年10月', lineCount: 3, totalYuan: (cycle.totalFen / 100).toFixed(2) });
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

  it('stops a deceased single person from the next month, and recalculates a larger household after hearing the family', async () => {
    const db = s.app.get(DataSource);
    const jiaozuo = s.app.get(PolicyProfiles).byVersionId('jiaozuo-2022-154');
    const standard = jiaozuo.parameters.dibaoStandardRuralFen.value;
    const single = await household('DEATH-1', ['独居老人']);
    const larger = await household('DEATH-2', ['户主老王', '王妻', '王母']);
    const idOf = async (caseId: string, memberId: string) => (await db.query(`SELECT id_number FROM dibao_member WHERE case_id = $1 AND member_id = $2`, [caseId, memberId]))[0].id_number as string;

    // Reported mid-October by public security: both deaths on the 15th.
    await s.moveTo(new Date('2026-10-16T02:00:00Z'));
    const csv = ['id_number,name,died_on,source', `${await idOf(single, 'm1')},独居老人,2026-10-15,public-security`, `${await idOf(larger, 'm1')},户主老王,2026-10-15,health`].join('\n');
    const bad = await s.post(civilAffairs, '/api/v1/death-records/import', { csv: `${csv}\n110101190001011234,某,2099-01-01,hospital` });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['csv[row 3].id_number', 'csv[row 3].died_on', 'csv[row 3].source']);
    expect((await s.post(civilAffairs, '/api/v1/death-records/import', { csv })).body).toEqual({ imported: 2, known: 0 });
    // Another county reports this county's beneficiaries: its records cannot stop their benefit, and its answers do
    // not tell it that this county already has a record of the same death.
    const otherCounty: Actor = { roles: [Role.CountyCivilAffairs], region: '410822', id: 'county-other' };
    const province: Actor = { roles: [Role.CountyCivilAffairs], region: '410000', id: 'province-civil-affairs' };
    const notTheirs = await household('DEATH-3', ['外县误报']);
    const byProvince = await household('DEATH-4', ['省厅比对']);
    const wrongReport = { idNumber: await idOf(notTheirs, 'm1'), name: '外县误报', diedOn: '2026-10-14', source: 'public-security' };
    expect((await s.post(otherCounty, '/api/v1/death-records', wrongReport)).body).toEqual({ imported: 1, known: 0 });
    expect((await s.post(otherCounty, '/api/v1/death-records/import', { csv })).body).toEqual({ imported: 2, known: 0 });
    expect((await s.post(province, '/api/v1/death-records', { idNumber: await idOf(byProvince, 'm1'), name: '省厅比对', diedOn: '2026-10-14', source: 'civil-affairs' })).body).toEqual({ imported: 1, known: 0 });

    // The 25th: November's cycle compares the death records before the payroll.
    await s.moveTo(new Date('2026-10-25T00:00:00Z'));
    const november = await s.until('the November cycle', async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body.find((c: { month: string }) => c.month === '2026-11'), (c) => c?.lineCount !== null && c?.lineCount !== undefined);
    const lines = await db.query(`SELECT case_id::text, payee_name, amount_fen FROM payroll_line WHERE cycle_id = $1`, [november.id]);
    expect(lines.map((l: { case_id: string }) => l.case_id)).not.toContain(single);
    expect(lines.find((l: { case_id: string }) => l.case_id === larger)).toMatchObject({ payee_name: '王妻', amount_fen: standard * 3 });
    const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: `${COUNTY}100`, id: 'caseworker' };
    const ended = (await s.get(caseworker, `/api/v1/dibao/cases/${single}`)).body;
    expect(ended.status).toBe('terminated');
    expect(ended.notices.find((n: { kind: string }) => n.kind === 'termination').text).toContain('自2026年11月起停发');
    expect((await s.get(caseworker, `/api/v1/dibao/cases/${notTheirs}`)).body.status).toBe('enrolled');
    expect(lines.map((l: { case_id: string }) => l.case_id)).toContain(notTheirs);
    expect((await s.get(caseworker, `/api/v1/dibao/cases/${byProvince}`)).body.status).toBe('terminated');
    const audit = await db.query(`SELECT region_code FROM audit_event WHERE action = 'dibao.member-died' AND subject_id = $1`, [byProvince]);
    expect(audit).toEqual([{ region_code: `${COUNTY}100201` }]);

    // The larger household: heard first, then recalculated for two, from December, in writing.
    const hearing = await s.until('the hearing', async () => (await s.get(caseworker, '/api/v1/tasks?elementId=Task_hearing')).body.items, (items) => items.some((t: { subjectId: string }) => t.subjectId === larger));
    const task = hearing.find((t: { subjectId: string }) => t.subjectId === larger);
    // The recalculation-hearing form shows the date of death as a person writes it, not an ISO date.
    const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchVariables({ filter: { processInstanceKey: task.processInstanceKey, name: 'diedOnText' } as never }, { consistency: { waitUpToMs: 0 } });
    expect(JSON.parse(String(items[0]?.value))).toMatch(/^\d{4}年\d{1,2}月\d{1,2}日$/);
    expect((await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: {} })).status).toBe(400);
    expect((await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { familyStatement: '老伴和老母亲同住，无其他收入' } })).status).toBe(204);
    const recalculated = await s.until('the recalculation', async () => (await s.get(caseworker, `/api/v1/dibao/cases/${larger}`)).body, (c) => c.benefitFen === standard * 2);
    expect(recalculated.status).toBe('enrolled');
    expect(recalculated.notices.find((n: { kind: string }) => n.kind === 'recalculation').text).toContain('自2026年12月起执行');
    expect(recalculated.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['member-died', 'recalculated']));
  });

  it('keeps paying a household whose income rose through work for its gradual-exit months, then stops, with a written notice', async () => {
    const county = '410822';
    const caseId = await household('EXIT-1', ['李就业', '李妻'], county);
    const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: `${county}100`, id: 'caseworker-li' };
    const review = (incomes: object[], financialFen = 0) =>
      s.post(caseworker, `/api/v1/dibao/cases/${caseId}/reviews`, { incomes, expenditures: [], assets: { financialFen }, reviewNotes: '入户复核' });
    const unknownMember = await review([{ memberId: 'm9', category: 'wages', monthlyFen: 1 }]);
    expect(unknownMember.status).toBe(400);
    expect(unknownMember.body.errors.map((e: { field: string }) => e.field)).toEqual(['incomes[0].memberId']);
    // (Rich in savings, not in work, a review starts a hearing instead: test/dibao-review-hearing.e2e-spec.ts.)
    const exit = await review([{ memberId: 'm1', category: 'wages', monthlyFen: 600_000 }]);
    expect(exit.status).toBe(200);
    const months = s.app.get(PolicyProfiles).inForce('jiaozuo', '2026-10-25').parameters.gradualExitMonths.value.min;
    expect(exit.body).toMatchObject({ outcome: 'gradual-exit', fromMonth: '2026-11-01' });
    const lastPaid = DateTime.fromISO('2026-11-01').plus({ months: months - 1 }).toFormat('yyyy-MM');
    const stopped = DateTime.fromISO('2026-11-01').plus({ months }).toFormat('yyyy-MM');
    const stoppedText = DateTime.fromISO('2026-11-01').plus({ months }).toFormat('yyyy年M月');
    expect(exit.body.untilMonth).toBe(`${stopped}-01`);
    const c = (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
    expect(c.notices.find((n: { kind: string }) => n.kind === 'gradual-exit').text).toContain(`自${stoppedText}起停发`);
    expect((await review([{ memberId: 'm1', category: 'wages', monthlyFen: 600_000 }])).status).toBe(409);

    // The payroll pays every month of the exit period and none after (later months' cycles inserted as the timer would open them).
    const payroll = s.app.get(PayrollService);
    const db = s.app.get(DataSource);
    const paidIn = async (month: string) => {
      const [{ id }] = await db.query(
        `INSERT INTO payment_cycle (id, county_code, month, profile_version_id, calendar, status, created_at) VALUES (gen_random_uuid(), $1, $2, 'jiaozuo-2022-154', '{}', 'open', now())
         ON CONFLICT (county_code, month) DO UPDATE SET status = payment_cycle.status RETURNING id::text`,
        [county, `${month}-01`],
      );
      await payroll.generate(id);
      // Its own month (the months between, skipped here, come with it as arrears).
      return (await db.query(`SELECT 1 FROM payroll_line WHERE cycle_id = $1 AND case_id = $2 AND benefit_month = $3`, [id, caseId, `${month}-01`])).length === 1;
    };
    expect(await paidIn('2026-11')).toBe(true);
    expect(await paidIn(lastPaid)).toBe(true);
    expect(await paidIn(stopped)).toBe(false);
  });
});
