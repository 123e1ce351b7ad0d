import { DataSource } from 'typeorm';
import { PayrollService } from '../src/payments/payroll.service';
import { bankFile as writeBankFile } from './support/bank-file';
import { seedEnrolments } from './support/enrolments';
import { Role } from '../src/auth/roles';
import { type Actor, Scenario } from './support/scenario';

/** The payroll of a county-month (PROCEDURES.md §4): set-based, exactly once, re-issuing failures, checked totals. */
describe('payroll', () => {
  const COUNTY = '410821';
  const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };
  const finance: Actor = { roles: [Role.CountyFinance], region: COUNTY, id: 'finance' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county' };
  let s: Scenario;
  let payroll: PayrollService;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-28T01:00:00Z'));
    payroll = s.app.get(PayrollService);
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  const bankFile = (cycleId: string) => writeBankFile(payroll, cycleId);

  it('pays each enrolled beneficiary once per month, re-issues a failed line next month, and a re-run changes nothing', async () => {
    const ids = await seedEnrolments(db, { countyCode: COUNTY, count: 5, fromMonth: '2026-10-01' });
    // One ended: its benefit stops before November.
    await db.query(`UPDATE dibao_enrolment SET until_month = '2026-11-01' WHERE case_id = $1`, [ids[4]]);
    const benefits: number[] = (await db.query(`SELECT benefit_fen FROM dibao_enrolment WHERE case_id = ANY($1) ORDER BY array_position($1, case_id)`, [ids])).map((r: { benefit_fen: number }) => r.benefit_fen);

    const september = await payroll.openCycle(COUNTY, '2026-09', new Date());
    expect(await payroll.generate(september.id)).toEqual({ lineCount: 0, totalFen: 0 });

    const october = await payroll.openCycle(COUNTY, '2026-10', new Date());
    expect(october.calendar.dataBy.date).toBe('2026-09-30');
    const first = await payroll.generate(october.id);
    expect(first).toEqual({ lineCount: 5, totalFen: benefits.reduce((a, b) => a + b, 0) });
    expect(await payroll.generate(october.id)).toEqual(first);
    expect((await payroll.openCycle(COUNTY, '2026-10', new Date())).id).toBe(october.id);

    const file = await bankFile(october.id);
    const viaApi = await s.get(finance, `/api/v1/payment-cycles/${october.id}/bank-file`);
    expect(viaApi.status).toBe(200);
    expect(viaApi.headers['x-payroll-total-fen']).toBe(String(first.totalFen));
    expect(viaApi.text.trim().split('\n')).toEqual(file.lines);
    expect((await s.get(county, `/api/v1/payment-cycles/${october.id}/bank-file`)).status).toBe(403);
    expect(file.lines[0]).toBe('line_id,county_code,benefit_month,attempt,payee_name,payee_id_number,amount_fen,kind,fund');
    expect(file.lines).toHaveLength(6);
    const [failedId, returnedId] = file.lines.slice(1, 3).map((l) => l.split(',')[0]!);
    const results = ['line_id,result,message', ...file.lines.slice(1).map((l) => {
      const id = l.split(',')[0];
      return `${id},${id === failedId ? 'failed' : id === returnedId ? 'returned' : 'paid'},${id === failedId ? '账户冻结' : ''}`;
    })].join('\n');
    const wrong = await s.post(bank, `/api/v1/payment-cycles/${october.id}/bank-results`, { csv: `${results}\n999999,paid,\n${failedId},lost,` });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field)).toEqual(['csv[row 6].line_id', 'csv[row 7].line_id', 'csv[row 7].result']);
    expect((await db.query(`SELECT count(*)::int AS n FROM payroll_line WHERE cycle_id = $1 AND status <> 'issued'`, [october.id]))[0].n).toBe(0);
    const imported = await s.post(bank, `/api/v1/payment-cycles/${october.id}/bank-results`, { csv: results });
    expect(imported.body).toEqual({ issued: 0, paid: 3, failed: 1, returned: 1 });
    expect((await s.get(finance, `/api/v1/payment-cycles/${october.id}`)).body).toMatchObject({ status: 'reconciled', month: '2026-10', lineCount: 5 });
    expect((await s.get({ roles: [Role.Bank], region: '410822' }, `/api/v1/payment-cycles/${october.id}`)).status).toBe(404);

    // November: four beneficiaries (one ended), plus October's failed and returned lines as their second attempts
    // (issue 16: a month without a paid or pending line is paid again).
    const november = await payroll.openCycle(COUNTY, '2026-11', new Date());
    const nov = await payroll.generate(november.id);
    expect(nov.lineCount).toBe(6);
    const lines = await db.query(`SELECT case_id::text, to_char(benefit_month, 'YYYY-MM') AS month, attempt FROM payroll_line WHERE cycle_id = $1 ORDER BY id`, [november.id]);
    expect(lines.filter((l: { attempt: number }) => l.attempt === 2)).toEqual([expect.objectContaining({ month: '2026-10' }), expect.objectContaining({ month: '2026-10' })]);
    expect(lines.map((l: { case_id: string }) => l.case_id)).not.toContain(ids[4]);
    expect(await payroll.generate(november.id)).toEqual(nov);

    // The failed beneficiary's history: October failed, re-issued in November's cycle.
    const failedCase = (await db.query(`SELECT case_id::text FROM payroll_line WHERE id = $1`, [failedId]))[0].case_id;
    const history = (await s.get(county, `/api/v1/dibao/cases/${failedCase}/payments`)).body;
    expect(history.filter((h: { benefitMonth: string }) => h.benefitMonth === '2026-10').map((h: { attempt: number; status: string; bankMessage: string | null }) => [h.attempt, h.status, h.bankMessage])).toEqual([
      [2, 'issued', null],
      [1, 'failed', '账户冻结'],
    ]);
    expect(history[0].payeeIdNumber).toMatch(/^410821\*{8}/);
    expect((await s.get({ roles: [Role.TownshipCaseworker], region: '410822100', id: 'other' }, `/api/v1/dibao/cases/${failedCase}/payments`)).status).toBe(404);
  });

  it('refuses a bank file whose lines no longer add up to the generated totals', async () => {
    const cycle = await payroll.openCycle('410822', '2026-10', new Date());
    await seedEnrolments(db, { countyCode: '410822', count: 2, fromMonth: '2026-10-01', prefix: 'Q' });
    await payroll.generate(cycle.id);
    await db.query(`UPDATE payroll_line SET amount_fen = amount_fen + 1 WHERE id = (SELECT min(id) FROM payroll_line WHERE cycle_id = $1)`, [cycle.id]);
    await expect(bankFile(cycle.id)).rejects.toThrow(/does not add up/);
  });
});
