import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { PayrollService } from '../src/payments/payroll.service';
import { PolicyProfiles } from '../src/policy/policy-profiles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { enrolHousehold } from './support/enrolments';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * A periodic review that finds an enrolled household no longer eligible for a reason other than work (社会救助法 §48):
 * the benefit is reduced or ended only after the family is heard, from the next unpaid month, with a written notice
 * of every reason; until the conclusion nothing changes for the family. Jiaozuo profile (seed 004), Monday
 * 2026-10-12 09:00 in Shanghai.
 */
describe('review hearing: reduce or end a benefit after hearing the family', () => {
  const COUNTY = '410823';
  const PROFILE = 'jiaozuo-2022-154';
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: `${COUNTY}100`, id: 'caseworker-zhao' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: COUNTY };
  let s: Scenario;
  let db: DataSource;
  let standardFen: number;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-10-12T01:00:00Z'));
    db = s.app.get(DataSource);
    standardFen = s.app.get(PolicyProfiles).byVersionId(PROFILE).parameters.dibaoStandardRuralFen.value;
  });

  afterAll(async () => {
    await s?.close();
  });

  let serial = 0;
  /** A one-member enrolled household, paid the standard since October. */
  const household = async (name: string) => {
    serial += 1;
    const village = `${COUNTY}100201`;
    return enrolHousehold(db, { caseNumber: `HEAR-${serial}`, names: [name], countyCode: COUNTY, profileVersionId: PROFILE, standardFen, idNumbers: [idNumber(village, '19500101', `${serial}01`.slice(-3))], fromMonth: '2026-10-01' });
  };
  const read = async (caseId: string) => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
  const review = (caseId: string, body: { incomes?: object[]; financialFen?: number }) =>
    s.post(caseworker, `/api/v1/dibao/cases/${caseId}/reviews`, { incomes: body.incomes ?? [], expenditures: [], assets: { financialFen: body.financialFen ?? 0 }, reviewNotes: '年度复核' });
  const enrolment = async (caseId: string) =>
    (await db.query(`SELECT benefit_fen, to_char(until_month, 'YYYY-MM-DD') AS until_month, to_char(benefit_from_month, 'YYYY-MM-DD') AS benefit_from FROM dibao_enrolment WHERE case_id = $1`, [caseId]))[0] as {
      benefit_fen: number;
      until_month: string | null;
      benefit_from: string | null;
    };
  const hearingDeadline = async (caseId: string) =>
    ((await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&type=dibao.hearing`)).body.items as { subjectId: string; status: string; dueAt: string; rule: string; metAt?: string | null }[]).find((d) => d.subjectId === caseId);
  const actions = async (caseId: string) => (await db.query(`SELECT action, region_code FROM audit_event WHERE subject_id = $1 ORDER BY id`, [caseId])) as { action: string; region_code: string }[];
  const hearingTask = async (caseId: string) => s.taskOf(caseId, 'Task_hearing', caseworker);
  const complete = async (userTaskKey: string, variables: Record<string, unknown>) => s.post(caseworker, `/api/v1/tasks/${userTaskKey}/complete`, { variables });

  it('a large savings account: the hearing is opened with its due date, payments go on, and terminating ends the benefit from the next unpaid month with a written notice', async () => {
    const caseId = await household('钱有存');
    const opened = await review(caseId, { financialFen: 100_000_000 });
    expect(opened.status).toBe(202);
    expect(opened.body).toMatchObject({ outcome: 'hearing', benefitFen: standardFen, hearingDueAt: expect.any(String) });
    expect(opened.body.reasons.join('\n')).toContain('金融资产');

    // The deadline is the profile's hearingWorkingDays, recorded, and the task carries it.
    const deadline = (await hearingDeadline(caseId))!;
    expect(deadline).toMatchObject({ status: 'open', dueAt: opened.body.hearingDueAt, rule: 'hearingWorkingDays = 10' });
    // Ten working days from Monday 12 October: Monday 26 October, end of the day in Shanghai.
    expect(deadline.dueAt).toBe('2026-10-26T15:59:59.999Z');
    const task = await hearingTask(caseId);
    const c = await s.until('the hearing as the current step', () => read(caseId), (r) => r.currentSteps?.some((step: { elementId: string }) => step.elementId === 'Task_hearing'));
    expect(new Date(c.currentSteps.find((step: { elementId: string }) => step.elementId === 'Task_hearing').dueDate).toISOString()).toBe(opened.body.hearingDueAt);
    // Started through the outbox, once.
    const starts = await db.query(`SELECT process_id FROM engine_outbox WHERE subject_id = $1 AND kind = 'start-process'`, [caseId]);
    expect(starts).toEqual([{ process_id: 'dibao-correction' }]);
    // The hearing form reads the current benefit in yuan and the findings in Chinese with their rules.
    const [{ variables }] = await db.query(`SELECT variables FROM engine_outbox WHERE subject_id = $1 AND kind = 'start-process'`, [caseId]);
    expect(variables.currentBenefitYuanText).toBe((standardFen / 100).toFixed(2));
    expect(variables.reviewReasons.join('\n')).toMatch(/金融资产 [\d.]+元 超过限额 [\d.]+元（依据：.+）/);
    for (const reason of variables.reviewReasons as string[]) expect(reason).not.toMatch(/[A-Za-z¥]/);

    // While the hearing is open nothing changes for the family, and a second review is refused, naming the hearing.
    expect(c).toMatchObject({ status: 'enrolled', benefitFen: standardFen });
    expect(await enrolment(caseId)).toMatchObject({ benefit_fen: standardFen, until_month: null });
    const again = await review(caseId, { financialFen: 100_000_000 });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('hearing-open');
    expect(again.body.title).toContain('2026-10-26');

    // The family's statement is required; no partial state when it is missing.
    const blank = await complete(task.userTaskKey, { familyStatement: '  ', hearingConclusion: 'terminate', hearingReasons: '存款远超限额' });
    expect(blank.status).toBe(400);
    expect(blank.body.errors.map((e: { field: string }) => e.field)).toEqual(['variables.familyStatement']);
    expect((await read(caseId)).status).toBe('enrolled');

    await s.moveTo(new Date('2026-10-14T02:00:00Z'));
    expect((await complete(task.userTaskKey, { familyStatement: '存款是拆迁补偿款，准备用于建房', hearingConclusion: 'terminate', hearingReasons: '金融资产远超限额，不再符合保障条件' })).status).toBe(204);
    const terminated = await s.until('the termination', () => read(caseId), (r) => r.status === 'terminated');
    expect(await enrolment(caseId)).toMatchObject({ until_month: '2026-11-01' });
    const notice = terminated.notices.find((n: { kind: string }) => n.kind === 'termination').text as string;
    expect(notice).toContain('经复查');
    expect(notice).toContain('金融资产 1000000.00元 超过限额');
    expect(notice).toContain('金融资产远超限额，不再符合保障条件');
    expect(notice).toContain('您的陈述和申辩已记录在案：存款是拆迁补偿款，准备用于建房');
    expect(notice).toContain('自2026年11月起停发');
    expect(notice).toContain('行政复议');
    expect(notice).not.toMatch(/\d{17}[\dX]/);
    expect(notice).not.toMatch(/ \/ [A-Z]/);

    expect(await hearingDeadline(caseId)).toMatchObject({ status: 'met', metAt: '2026-10-14T02:00:00.000Z' });
    expect(terminated.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['review-hearing-opened', 'review-hearing-started', 'terminated']));
    const trail = await actions(caseId);
    expect(trail.map((a) => a.action)).toEqual(expect.arrayContaining(['dibao.review-hearing-opened', 'task.completed', 'dibao.terminated']));
    expect(new Set(trail.filter((a) => a.action.startsWith('dibao.')).map((a) => a.region_code))).toEqual(new Set([`${COUNTY}100201`]));
  });

  it('a large property income: reducing changes the benefit from the next unpaid month, and that month is paid the new amount', async () => {
    const caseId = await household('孙房租');
    const opened = await review(caseId, { incomes: [{ memberId: 'm1', category: 'property', monthlyFen: 3 * standardFen }] });
    expect(opened.status).toBe(202);
    const task = await hearingTask(caseId);
    const current = standardFen / 100;
    // The reduced amount is required for a reduction, above zero, below the current benefit, in whole fen.
    for (const [amount, why] of [[undefined, 'required'], [0, 'at least'], [current, 'at most'], [current + 10, 'at most'], [12.345, 'decimal']] as const) {
      const refused = await complete(task.userTaskKey, { familyStatement: '房屋出租收入不稳定', hearingConclusion: 'reduce', hearingReasons: '租金收入', ...(amount === undefined ? {} : { reducedBenefitYuan: amount }) });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'variables.reducedBenefitYuan', message: expect.stringContaining(why) })]);
    }
    expect(await enrolment(caseId)).toMatchObject({ benefit_fen: standardFen, until_month: null });

    expect((await complete(task.userTaskKey, { familyStatement: '房屋出租收入不稳定，时有空置', hearingConclusion: 'reduce', reducedBenefitYuan: 150.5, hearingReasons: '租金收入时有时无，减发而不终止' })).status).toBe(204);
    const reduced = await s.until('the reduction', () => read(caseId), (r) => r.benefitFen === 15_050);
    expect(reduced.status).toBe('enrolled');
    expect(await enrolment(caseId)).toMatchObject({ benefit_fen: 15_050, until_month: null, benefit_from: '2026-11-01' });
    const notice = reduced.notices.find((n: { kind: string }) => n.kind === 'reduction').text as string;
    expect(notice).toContain(`月保障金额由${(standardFen / 100).toFixed(2)}元减为150.50元，自2026年11月起执行`);
    expect(notice).toContain('财产性收入');
    expect(notice).toContain('您的陈述和申辩已记录在案：房屋出租收入不稳定，时有空置');
    expect(notice).toContain('租金收入时有时无，减发而不终止');
    expect(notice).toContain('行政诉讼');
    expect((await actions(caseId)).map((a) => a.action)).toEqual(expect.arrayContaining(['dibao.review-hearing-opened', 'dibao.benefit-reduced']));

    // November's payroll (the cycle as the 25th's timer would open it) pays the reduced amount.
    const [{ id }] = await db.query(
      `INSERT INTO payment_cycle (id, county_code, month, profile_version_id, calendar, status, created_at) VALUES (gen_random_uuid(), $1, '2026-11-01', $2, '{}', 'open', now()) RETURNING id::text`,
      [COUNTY, PROFILE],
    );
    await s.app.get(PayrollService).generate(id);
    expect(await db.query(`SELECT amount_fen FROM payroll_line WHERE cycle_id = $1 AND case_id = $2 AND benefit_month = '2026-11-01'`, [id, caseId])).toEqual([{ amount_fen: 15_050 }]);
  });

  it('keeping the benefit changes nothing, records why, and lets the next review proceed', async () => {
    const caseId = await household('周养老');
    expect((await review(caseId, { incomes: [{ memberId: 'm1', category: 'transfer', monthlyFen: 2 * standardFen }] })).status).toBe(202);
    const task = await hearingTask(caseId);
    const noReason = await complete(task.userTaskKey, { familyStatement: '这笔钱是一次性的', hearingConclusion: 'keep' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.errors.map((e: { field: string }) => e.field)).toEqual(['variables.hearingReasons']);
    expect((await complete(task.userTaskKey, { familyStatement: '这笔钱是亲友一次性资助，不会再有', hearingConclusion: 'keep', hearingReasons: '一次性资助，非经常性收入' })).status).toBe(204);
    const kept = await s.until('the benefit kept', () => read(caseId), (r) => r.timeline.some((e: { kind: string }) => e.kind === 'kept-after-hearing'));
    expect(kept).toMatchObject({ status: 'enrolled', benefitFen: standardFen });
    expect(kept.notices).toEqual([]);
    expect(await enrolment(caseId)).toMatchObject({ benefit_fen: standardFen, until_month: null });
    expect((await actions(caseId)).map((a) => a.action)).toEqual(expect.arrayContaining(['dibao.review-hearing-opened', 'dibao.benefit-kept']));
    expect((await hearingDeadline(caseId))!.status).toBe('met');
    // The hearing is closed: a review may follow (still eligible: the benefit follows it).
    const next = await review(caseId, {});
    expect(next.status).toBe(200);
    expect(next.body).toMatchObject({ outcome: 'continued', benefitFen: standardFen });
  });

  it('a hearing not held in time is breached at its due instant (the clock moved, not slept)', async () => {
    const caseId = await household('吴逾期');
    const opened = await review(caseId, { financialFen: 100_000_000 });
    const dueAt = new Date(opened.body.hearingDueAt);
    await hearingTask(caseId);
    await s.moveTo(new Date(dueAt.getTime() - 1));
    await s.app.get(DeadlineSweeper).sweep();
    expect((await hearingDeadline(caseId))!.status).not.toBe('breached');
    await s.moveTo(new Date(dueAt.getTime() + 1));
    await s.app.get(DeadlineSweeper).sweep();
    expect((await hearingDeadline(caseId))!.status).toBe('breached');
    // Still open: the family keeps its benefit until the conclusion.
    expect((await review(caseId, {})).status).toBe(409);
    expect(await enrolment(caseId)).toMatchObject({ benefit_fen: standardFen, until_month: null });
  });
});
