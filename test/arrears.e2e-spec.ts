import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { DibaoRepository } from '../src/dibao/dibao.repository';
import { PayrollService } from '../src/payments/payroll.service';
import { Role } from '../src/auth/roles';
import { bankFile as writeBankFile } from './support/bank-file';
import { seedEnrolments } from './support/enrolments';
import { type Actor, Scenario } from './support/scenario';
import { type History, historyOf, checkPaidOnce, simulate } from './support/arrears-model';

/** Arrears (issue 16, 补发): every enrolled month paid exactly once, in the next cycle if its own one missed it. */
describe('arrears', () => {
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410823', id: 'county' };
  let s: Scenario;
  let payroll: PayrollService;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-07-26T02:00:00Z'));
    payroll = s.app.get(PayrollService);
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  const bankFile = async (cycleId: string) => (await writeBankFile(payroll, cycleId)).lines;

  it('a household approved on the 26th gets its first month in the next cycle, marked as arrears; failed and returned months are paid again', async () => {
    const COUNTY = '410823';
    // August's cycle was generated on 07-25, before the approval on 07-26 enrolled these households from August.
    const august = await payroll.openCycle(COUNTY, '2026-08', new Date());
    await payroll.generate(august.id);
    const ids = await seedEnrolments(db, { countyCode: COUNTY, count: 3, fromMonth: '2026-08-01', prefix: 'A' });
    const benefits: number[] = (await db.query(`SELECT benefit_fen FROM dibao_enrolment WHERE case_id = ANY($1) ORDER BY array_position($1, case_id)`, [ids])).map((r: { benefit_fen: number }) => r.benefit_fen);
    const sum = benefits.reduce((a, b) => a + b, 0);

    const september = await payroll.openCycle(COUNTY, '2026-09', new Date());
    const totals = await payroll.generate(september.id);
    expect(totals).toEqual({ lineCount: 6, totalFen: 2 * sum });
    expect(await payroll.generate(september.id)).toEqual(totals);
    const cycle = (await s.get({ roles: [Role.CountyFinance], region: COUNTY }, `/api/v1/payment-cycles/${september.id}`)).body;
    expect(cycle).toMatchObject({ lineCount: 6, totalFen: 2 * sum, arrearsLineCount: 3, arrearsTotalFen: sum });

    const file = await bankFile(september.id);
    expect(file[0]).toBe('line_id,county_code,benefit_month,attempt,payee_name,payee_id_number,amount_fen,kind,fund');
    const rows = file.slice(1).map((l) => l.split(','));
    expect(rows.filter((r) => r[2] === '2026-08').map((r) => r[7])).toEqual(['arrears', 'arrears', 'arrears']);
    expect(rows.filter((r) => r[2] === '2026-09').map((r) => r[7])).toEqual(['benefit', 'benefit', 'benefit']);

    const history = (await s.get(county, `/api/v1/dibao/cases/${ids[0]}/payments`)).body;
    expect(history.map((h: { benefitMonth: string; kind: string; amountFen: number }) => [h.benefitMonth, h.kind, h.amountFen])).toEqual([
      ['2026-09', 'benefit', benefits[0]],
      ['2026-08', 'arrears', benefits[0]],
    ]);

    // The bank: case 0's August failed, case 1's August returned, the rest paid.
    const lineOf = (caseIndex: number, month: string) => rows.find((r) => r[2] === month && r[4] === `受助人${caseIndex + 1}`)![0];
    const results = ['line_id,result,message', ...rows.map((r) => `${r[0]},${r[0] === lineOf(0, '2026-08') ? 'failed' : r[0] === lineOf(1, '2026-08') ? 'returned' : 'paid'},`)].join('\n');
    expect((await s.post({ roles: [Role.Bank], region: COUNTY }, `/api/v1/payment-cycles/${september.id}/bank-results`, { csv: results })).status).toBe(200);

    const october = await payroll.openCycle(COUNTY, '2026-10', new Date());
    await payroll.generate(october.id);
    const again = await db.query(`SELECT case_id::text, to_char(benefit_month, 'YYYY-MM') AS month, attempt, kind, amount_fen FROM payroll_line WHERE cycle_id = $1 AND kind = 'arrears' ORDER BY month, attempt`, [october.id]);
    expect(again.map((l: { case_id: string; month: string; attempt: number; amount_fen: number }) => [l.case_id, l.month, l.attempt, l.amount_fen]).sort()).toEqual(
      [[ids[0], '2026-08', 2, benefits[0]], [ids[1], '2026-08', 2, benefits[1]]].sort(),
    );
  });

  it('pays each month at the amount in force for it: a change decided mid-month reaches neither that month nor its arrears', async () => {
    const COUNTY = '410824';
    const [caseId] = await seedEnrolments(db, { countyCode: COUNTY, count: 1, fromMonth: '2026-09-01', prefix: 'H' });
    await db.query(`UPDATE dibao_enrolment SET benefit_fen = 30000 WHERE case_id = $1`, [caseId]);
    const september = await payroll.openCycle(COUNTY, '2026-09', new Date());
    await payroll.generate(september.id);
    const [line] = await db.query(`SELECT id::text FROM payroll_line WHERE cycle_id = $1`, [september.id]);
    const results = ['line_id,result,message', `${line.id},failed,账户已冻结`].join('\n');
    expect((await s.post({ roles: [Role.Bank], region: COUNTY }, `/api/v1/payment-cycles/${september.id}/bank-results`, { csv: results })).status).toBe(200);
    // On 10-10 a review raises the benefit from November, the next month no payroll has reached.
    await db.transaction((manager) => s.app.get(DibaoRepository).changeBenefit(caseId!, 40000, '2026-11-01', new Date('2026-10-10T02:00:00Z'), manager));
    const october = await payroll.openCycle(COUNTY, '2026-10', new Date());
    await payroll.generate(october.id);
    const november = await payroll.openCycle(COUNTY, '2026-11', new Date());
    await payroll.generate(november.id);
    const lines = await db.query(
      `SELECT to_char(l.benefit_month, 'YYYY-MM') AS month, l.attempt, l.kind, l.amount_fen FROM payroll_line l WHERE l.case_id = $1 ORDER BY l.benefit_month, l.attempt`,
      [caseId],
    );
    expect(lines.map((l: { month: string; attempt: number; kind: string; amount_fen: number }) => [l.month, l.attempt, l.kind, l.amount_fen])).toEqual([
      ['2026-09', 1, 'benefit', 30000],
      ['2026-09', 2, 'arrears', 30000],
      ['2026-10', 1, 'benefit', 30000],
      ['2026-11', 1, 'benefit', 40000],
    ]);
  });

  it('the SQL generation pays each enrolled month exactly once, at its amount, over generated histories with changes of amount', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(historyOf(true), async (history: History) => {
        n += 1;
        const countyCode = String(420000 + n);
        const outcome = await simulate(history, sqlPayroll(countyCode));
        checkPaidOnce(history, outcome);
      }),
      { numRuns: 40, seed: 16 },
    );
  });

  /** The simulation's payroll, done by the real service on the real database for one county. */
  function sqlPayroll(countyCode: string) {
    const caseIds: string[] = [];
    return {
      async enrol(index: number, fromMonth: string, benefitFen: number) {
        const [id] = await seedEnrolments(db, { countyCode, count: 1, fromMonth, prefix: `H${countyCode}-${index}` });
        await db.query(`UPDATE dibao_enrolment SET benefit_fen = $2 WHERE case_id = $1`, [id, benefitFen]);
        caseIds[index] = id!;
      },
      async change(index: number, fromMonth: string, benefitFen: number) {
        await db.transaction((manager) => s.app.get(DibaoRepository).changeBenefit(caseIds[index]!, benefitFen, fromMonth, new Date(), manager));
      },
      async end(index: number, untilMonth: string) {
        await db.query(`UPDATE dibao_enrolment SET until_month = greatest($2::date, from_month + interval '1 month') WHERE case_id = $1`, [caseIds[index], untilMonth]);
      },
      async generate(month: string) {
        const cycle = await payroll.openCycle(countyCode, month.slice(0, 7), new Date());
        await payroll.generate(cycle.id);
        return cycle.id;
      },
      async settle(cycleId: string, result: (index: number, month: string) => 'paid' | 'failed' | 'returned') {
        const lines: { id: string; case_id: string; month: string }[] = await db.query(`SELECT id::text, case_id::text, to_char(benefit_month, 'YYYY-MM-DD') AS month FROM payroll_line WHERE cycle_id = $1 AND status = 'issued'`, [cycleId]);
        if (!lines.length) return;
        const csv = ['line_id,result,message', ...lines.map((l) => `${l.id},${result(caseIds.indexOf(l.case_id), l.month)},`)].join('\n');
        const res = await s.post({ roles: [Role.Bank], region: countyCode }, `/api/v1/payment-cycles/${cycleId}/bank-results`, { csv });
        if (res.status !== 200) throw new Error(`bank results refused: ${JSON.stringify(res.body)}`);
      },
      async lines() {
        const rows: { case_id: string; month: string; attempt: number; amount_fen: number; status: string; generated: string }[] = await db.query(
          `SELECT l.case_id::text, to_char(l.benefit_month, 'YYYY-MM-DD') AS month, l.attempt, l.amount_fen, l.status, to_char(pc.month, 'YYYY-MM-DD') AS generated
           FROM payroll_line l JOIN payment_cycle pc ON pc.id = l.cycle_id WHERE pc.county_code = $1`,
          [countyCode],
        );
        return rows.map((r) => ({ index: caseIds.indexOf(r.case_id), month: r.month, attempt: r.attempt, amountFen: r.amount_fen, status: r.status as 'paid', cycleMonth: r.generated }));
      },
    };
  }
});
