import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { LineFollowUps } from '../src/payments/line-follow-ups';
import { PayrollService } from '../src/payments/payroll.service';
import { seedEnrolments } from './support/enrolments';
import { type Actor, idNumber, Scenario, type Task } from './support/scenario';

/**
 * Issue 16: a bank line reported failed or returned gets a county follow-up task with a deadline (the next cycle's
 * data day), and its outcome decides what the next cycle pays: the same payee, a corrected one, or nothing.
 */
describe('failed-line follow-up', () => {
  const COUNTY = '410823';
  const OTHER = '410825';
  const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-officer' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410800', id: 'supervisor' };
  const TASK = 'Task_follow_up';
  // November 2026's data day (paymentCalendar.dataByDay 5, a Thursday), end of day in Asia/Shanghai.
  const NOVEMBER_DATA_DUE = new Date('2026-11-05T23:59:59.999+08:00');
  let s: Scenario;
  let payroll: PayrollService;
  let db: DataSource;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-10-09T02:00:00Z'));
    payroll = s.app.get(PayrollService);
    db = s.app.get(DataSource);
  });

  afterAll(async () => {
    await s?.close();
  });

  /** A generated October cycle of the county; the bank's results: `results[i]` for the i-th line, the rest paid. */
  async function octoberWithResults(countyCode: string, count: number, results: string[]) {
    await seedEnrolments(db, { countyCode, count, fromMonth: '2026-10-01', prefix: `F${countyCode}` });
    const cycle = await payroll.openCycle(countyCode, '2026-10', s.clock.now());
    await payroll.generate(cycle.id);
    const lines: { id: string; case_id: string }[] = await db.query(`SELECT id::text, case_id::text FROM payroll_line WHERE cycle_id = $1 ORDER BY id`, [cycle.id]);
    const csv = ['line_id,result,message', ...lines.map((l, i) => `${l.id},${results[i] ?? 'paid'},${results[i] === 'failed' ? '账户已销户' : results[i] === 'returned' ? '户名不符' : ''}`)].join('\n');
    const imported = await s.post({ ...bank, region: countyCode }, `/api/v1/payment-cycles/${cycle.id}/bank-results`, { csv });
    expect(imported.status).toBe(200);
    return { cycle, lines, csv };
  }

  const followUpTasks = async (actor: Actor, count: number): Promise<(Task & { dueDate: string; name: string; candidateGroups: string[] })[]> =>
    s.until(
      `${count} follow-up tasks`,
      async () => ((await s.get(actor, `/api/v1/tasks?elementId=${TASK}`)).body.items ?? []) as (Task & { dueDate: string; name: string; candidateGroups: string[] })[],
      (items) => items.length === count,
    );

  const deadlines = async (query = '') =>
    (await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&type=payment.line-follow-up${query}`)).body.items as { subjectId: string; status: string; dueAt: string; metAt: string | null; breachedAt: string | null; escalatedAt: string | null; responsibleGroup: string }[];

  const complete = (task: Task, variables: Record<string, unknown>, actor: Actor = county) => s.post(actor, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables });

  it('opens one county task per failed or returned line, due the next data day, with a deadline record; the cycle shows them; a repeat starts nothing', async () => {
    const { cycle, lines, csv } = await octoberWithResults(COUNTY, 5, ['failed', 'returned', 'failed']);
    const failing = lines.slice(0, 3).map((l) => l.id);

    const tasks = await followUpTasks(county, 3);
    expect(tasks.map((t) => t.subjectId).sort()).toEqual([...failing].sort());
    const caseOfLine = new Map(lines.map((l) => [l.id, l.case_id]));
    for (const t of tasks) {
      // The family whose payment failed: the line's case, by number and name.
      const [c] = await s.app.get(DataSource).query(`SELECT case_number, applicant_name FROM dibao_case WHERE id = $1`, [caseOfLine.get(t.subjectId!)]);
      expect((t as unknown as { context: unknown }).context).toMatchObject({ subjectType: 'dibao-case', subjectId: caseOfLine.get(t.subjectId!), caseNumber: c.case_number, applicantName: c.applicant_name });
      expect(t.name).toBe('核查支付失败 Follow up a failed payment');
      expect(t.candidateGroups).toEqual([`county-civil-affairs@${COUNTY}`]);
      expect(new Date(t.dueDate).getTime()).toBe(NOVEMBER_DATA_DUE.getTime());
    }
    // The task shows the payee masked, never the full ID number.
    const detail = (await s.get(county, `/api/v1/tasks/${tasks[0]!.userTaskKey}`)).body;
    expect(JSON.stringify(detail.variables)).not.toMatch(/\d{17}[\dX]/);
    expect(detail.variables).toMatchObject({ lineId: expect.any(String), bankResult: expect.stringMatching(/failed|returned/), payeeIdNumberMasked: expect.stringMatching(/^410823\*{8}\d{4}$/) });

    const open = await deadlines();
    expect(open.map((d) => d.subjectId).sort()).toEqual([...failing].sort());
    expect(open.every((d) => d.status === 'open' && new Date(d.dueAt).getTime() === NOVEMBER_DATA_DUE.getTime() && d.responsibleGroup === 'county-civil-affairs')).toBe(true);

    const view = (await s.get(county, `/api/v1/payment-cycles/${cycle.id}`)).body;
    expect(view).toMatchObject({ status: 'reconciled', failedLines: 2, returnedLines: 1, openFollowUps: 3 });

    // The same results again: refused (the lines are settled), and no second follow-up for any line.
    expect((await s.post(bank, `/api/v1/payment-cycles/${cycle.id}/bank-results`, { csv })).status).toBe(400);
    expect(await db.transaction((m) => s.app.get(LineFollowUps).startFor(cycle.id, m))).toEqual([]);
    const starts = await db.query(`SELECT business_key FROM engine_outbox WHERE kind = 'start-process' AND process_id = 'payment-line-follow-up' AND subject_id = ANY($1)`, [failing]);
    expect(starts).toHaveLength(3);
    expect(await followUpTasks(county, 3)).toHaveLength(3);
  });

  it('applies each outcome: the same payee next cycle, the corrected payee, or the month stopped; each audited, deadline met', async () => {
    const lines: { id: string; case_id: string }[] = await db.query(
      `SELECT l.id::text, l.case_id::text FROM payroll_line l JOIN payment_cycle pc ON pc.id = l.cycle_id WHERE pc.county_code = $1 AND l.status IN ('failed', 'returned') ORDER BY l.id`,
      [COUNTY],
    );
    const [checked, corrected, stopped] = lines;
    const tasks = await followUpTasks(county, 3);
    const taskOf = (lineId: string) => tasks.find((t) => t.subjectId === lineId)!;

    // Required fields follow the outcome chosen.
    const noReason = await complete(taskOf(stopped!.id), { followUpOutcome: 'stop' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['variables.stopReason']);
    const noPayee = await complete(taskOf(corrected!.id), { followUpOutcome: 'payee-corrected' });
    expect(noPayee.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['variables.correctedAccountNote', 'variables.correctedPayeeIdNumber', 'variables.correctedPayeeName']);

    const newPayee = idNumber(COUNTY, '19700202', '456');
    await s.moveTo(new Date('2026-10-12T03:00:00Z'));
    expect((await complete(taskOf(checked!.id), { followUpOutcome: 'account-checked', followUpNote: '已核实账户正常' })).status).toBe(204);
    // A wrong check digit is the declared outcome `invalid-payee`: the task comes back to the county.
    const wrong = `${newPayee.slice(0, 17)}${newPayee[17] === '0' ? '1' : '0'}`;
    expect((await complete(taskOf(corrected!.id), { followUpOutcome: 'payee-corrected', correctedPayeeName: '监护人李四', correctedPayeeIdNumber: wrong, correctedAccountNote: '新社保卡' })).status).toBe(204);
    const again = await s.until(
      'the corrected-payee task back',
      async () => (await followUpTasks(county, 2)).find((t) => t.subjectId === corrected!.id && t.userTaskKey !== taskOf(corrected!.id).userTaskKey),
      (t) => t !== undefined,
    );
    expect((await complete(again!, { followUpOutcome: 'payee-corrected', correctedPayeeName: '监护人李四', correctedPayeeIdNumber: newPayee, correctedAccountNote: '新社保卡' })).status).toBe(204);
    expect((await complete(taskOf(stopped!.id), { followUpOutcome: 'stop', stopReason: '户籍迁出本县，另行核实' })).status).toBe(204);

    await s.until('three follow-ups decided', () => deadlines('&status=met'), (d) => d.length === 3);
    const met = await deadlines('&status=met');
    expect(met.every((d) => d.metAt !== null && d.breachedAt === null)).toBe(true);
    expect(new Date(met.find((d) => d.subjectId === checked!.id)!.metAt!).toISOString()).toBe('2026-10-12T03:00:00.000Z');

    const cycleId = (await db.query(`SELECT cycle_id::text FROM payroll_line WHERE id = $1`, [checked!.id]))[0].cycle_id;
    expect((await s.get(county, `/api/v1/payment-cycles/${cycleId}`)).body).toMatchObject({ failedLines: 2, returnedLines: 1, openFollowUps: 0 });

    // Each outcome audited in the county, the ID number masked.
    for (const [line, outcome] of [[checked, 'account-checked'], [corrected, 'payee-corrected'], [stopped, 'stop']] as const) {
      const trail = (await s.get(supervisor, `/api/v1/sla/cases/payroll-line/${line!.id}/audit`)).body as { action: string; regionCode: string; details: Record<string, unknown> }[];
      const decided = trail.filter((e) => e.action === 'payments.follow-up-decided');
      expect(decided).toHaveLength(1);
      expect(decided[0]).toMatchObject({ regionCode: COUNTY, details: { outcome } });
      expect(JSON.stringify(trail)).not.toContain(newPayee);
    }

    // A job that runs again changes nothing (no second audit row, the outcome stands).
    const workers = s.app.get(LineFollowUps);
    const replay = await workers.apply({ jobKey: '1', processInstanceKey: '1', variables: { lineId: stopped!.id, followUpOutcome: 'account-checked' } });
    expect(replay).toEqual({ followUpApplied: 'stop' });

    // November: the checked line paid again to the same payee, the corrected one to the new payee, the stopped month not at all.
    const november = await payroll.openCycle(COUNTY, '2026-11', s.clock.now());
    await payroll.generate(november.id);
    const reissued: { case_id: string; payee_name: string; payee_id_number: string }[] = await db.query(
      `SELECT case_id::text, payee_name, payee_id_number FROM payroll_line WHERE cycle_id = $1 AND benefit_month = '2026-10-01' ORDER BY id`,
      [november.id],
    );
    // (The payroll inserts a statement's lines in no particular order.)
    expect(reissued.map((l) => l.case_id).sort()).toEqual([checked!.case_id, corrected!.case_id].sort());
    expect(reissued.find((l) => l.case_id === checked!.case_id)!.payee_name).toMatch(/^受助人/);
    expect(reissued.find((l) => l.case_id === corrected!.case_id)).toMatchObject({ payee_name: '监护人李四', payee_id_number: newPayee });
    // Later months of the corrected case are paid to the new payee too; the stopped case's November is still paid.
    const novemberOwn: { case_id: string; payee_name: string }[] = await db.query(`SELECT case_id::text, payee_name FROM payroll_line WHERE cycle_id = $1 AND benefit_month = '2026-11-01'`, [november.id]);
    expect(novemberOwn.find((l) => l.case_id === corrected!.case_id)!.payee_name).toBe('监护人李四');
    expect(novemberOwn.map((l) => l.case_id)).toContain(stopped!.case_id);
    const history = (await s.get(county, `/api/v1/dibao/cases/${corrected!.case_id}/payments`)).body as { payeeIdNumber: string; payeeName: string }[];
    expect(history.find((h) => h.payeeName === '监护人李四')!.payeeIdNumber).toBe(`${COUNTY}********${newPayee.slice(-4)}`);
  });

  it('reaches a re-issue already generated but not yet entered: re-pointed to the corrected payee, or withdrawn with the totals', async () => {
    const THIRD = '410882';
    const { lines } = await octoberWithResults(THIRD, 3, ['failed', 'failed']);
    const [corrected, stopped] = lines;
    const november = await payroll.openCycle(THIRD, '2026-11', s.clock.now());
    const before = await payroll.generate(november.id);
    expect(before.lineCount).toBe(5);
    const actor: Actor = { ...county, region: THIRD };
    const tasks = await followUpTasks(actor, 2);
    const newPayee = idNumber(THIRD, '19800303', '789');
    const taskOf = (lineId: string) => tasks.find((t) => t.subjectId === lineId)!;
    expect((await complete(taskOf(corrected!.id), { followUpOutcome: 'payee-corrected', correctedPayeeName: '王五', correctedPayeeIdNumber: newPayee, correctedAccountNote: '代领人账户' }, actor)).status).toBe(204);
    expect((await complete(taskOf(stopped!.id), { followUpOutcome: 'stop', stopReason: '重复享受，另案处理' }, actor)).status).toBe(204);
    await s.until('both decided', async () => (await db.query(`SELECT count(*)::int AS n FROM payroll_line_follow_up WHERE cycle_id = (SELECT cycle_id FROM payroll_line WHERE id = $1) AND outcome IS NOT NULL`, [corrected!.id]))[0].n, (n) => n === 2);

    const now: { case_id: string; month: string; payee_name: string; payee_id_number: string; amount_fen: number }[] = await db.query(
      `SELECT case_id::text, to_char(benefit_month, 'YYYY-MM') AS month, payee_name, payee_id_number, amount_fen FROM payroll_line WHERE cycle_id = $1 ORDER BY id`,
      [november.id],
    );
    expect(now.filter((l) => l.case_id === corrected!.case_id).map((l) => [l.month, l.payee_name, l.payee_id_number])).toEqual([
      ['2026-11', '王五', newPayee],
      ['2026-10', '王五', newPayee],
    ]);
    // The stopped case keeps November, loses October's re-issue; the stored totals follow (the bank file checks them).
    expect(now.filter((l) => l.case_id === stopped!.case_id).map((l) => l.month)).toEqual(['2026-11']);
    expect(await payroll.checkedTotals(november.id)).toEqual({ lineCount: 4, totalFen: now.reduce((a, l) => a + Number(l.amount_fen), 0) });
    expect(await payroll.generate(november.id)).toEqual({ lineCount: 4, totalFen: now.reduce((a, l) => a + Number(l.amount_fen), 0) });
    const trail = (await s.get(supervisor, `/api/v1/sla/cases/payroll-line/${stopped!.id}/audit`)).body as { action: string; details: { pendingLines: string[] } }[];
    expect(trail.find((e) => e.action === 'payments.follow-up-decided')!.details.pendingLines).toHaveLength(1);
  });

  it('breaches and escalates the deadline when the clock passes it with the task still open', async () => {
    const { lines } = await octoberWithResults(OTHER, 2, ['returned']);
    const other: Actor = { ...county, region: OTHER };
    const [task] = await followUpTasks(other, 1);
    expect(task!.subjectId).toBe(lines[0]!.id);

    await s.moveTo(new Date(NOVEMBER_DATA_DUE.getTime() + 60_000));
    const breached = await s.until(
      'the follow-up deadline escalated',
      async () => (await deadlines('&status=breached')).find((d) => d.subjectId === lines[0]!.id),
      (d) => d?.escalatedAt != null,
    );
    expect(new Date(breached!.breachedAt!).getTime()).toBeLessThanOrEqual(NOVEMBER_DATA_DUE.getTime() + 60_000);
    const trail = (await s.get(supervisor, `/api/v1/sla/cases/payroll-line/${lines[0]!.id}/audit`)).body as { action: string }[];
    expect(trail.map((e) => e.action)).toContain('payments.follow-up-overdue');

    // Still the county's to decide; deciding late leaves the deadline breached.
    expect((await complete(task!, { followUpOutcome: 'account-checked' }, other)).status).toBe(204);
    await s.until('the late follow-up decided', async () => (await db.query(`SELECT outcome FROM payroll_line_follow_up WHERE line_id = $1`, [lines[0]!.id]))[0]?.outcome, (o) => o === 'account-checked');
    expect((await deadlines('&status=breached')).map((d) => d.subjectId)).toContain(lines[0]!.id);
  });
});
