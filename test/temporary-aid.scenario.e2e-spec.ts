import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { ReserveFundService } from '../src/temporary-aid/reserve-fund.service';
import { TemporaryAidRepository } from '../src/temporary-aid/temporary-aid.repository';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Temporary aid (PROCEDURES.md §3) through the API and the task list, on the embedded engine, in Tongren (seed 002:
 * 12-hour reply, 24-hour emergency aid); rescue-first limit, township limit and county cap from the national baseline
 * (100,000 / 300,000 / 1,000,000 fen), paperwork within 5 working days.
 */
const VILLAGE = '632301100201';
const TOWNSHIP = '632301100';
const integrator: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-ma' };
const leader: Actor = { roles: [Role.TownshipLeader], region: TOWNSHIP, id: 'leader-han' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '632301', id: 'county-li' };
const countyOfficer = county;
const supervisor: Actor = { roles: [Role.Supervisor], region: '632301' };
const otherTownship: Actor = { roles: [Role.TownshipCaseworker], region: '632301101', id: 'caseworker-other' };

/** Monday 2026-09-14, 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');
const HOUR = 3_600_000;

describe('temporary aid on the embedded engine', () => {
  let s: Scenario;
  let counter = 0;

  beforeAll(async () => {
    s = await Scenario.start(START);
  });

  afterAll(async () => {
    await s?.close();
  });

  const request = async (extra: Record<string, unknown> = {}) => {
    counter += 1;
    const response = await s.post(
      integrator,
      '/api/v1/temporary-aid/requests',
      {
        regionCode: VILLAGE,
        channel: 'hotline',
        area: 'rural',
        applicantName: `马${counter}`,
        applicantIdNumber: idNumber(VILLAGE, '19800101', String(100 + counter)),
        householdSize: 4,
        description: '昨夜房屋失火，衣物口粮尽毁',
        ...extra,
      },
      { 'Idempotency-Key': `aid-${counter}-${Date.now()}` },
    );
    if (response.status !== 201) throw new Error(`requesting: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { requestId: string; processInstanceKey: string; replyDueAt: string };
  };
  const read = async (id: string, actor: Actor = caseworker) => (await s.get(actor, `/api/v1/temporary-aid/requests/${id}`)).body;
  const until = (id: string, what: string, check: (r: Record<string, any>) => boolean) => s.until(what, () => read(id), check);
  const reply = (pik: string, variables: Record<string, unknown>) =>
    s.completeIn(pik, 'Task_reply', caseworker, { aidType: 'emergency', severity: 'general', urgent: false, referral: 'none', replyNotes: '已核实', ...variables });
  const openTasks = async (pik: string) => ((await s.get(caseworker, `/api/v1/tasks?processInstanceKey=${pik}`)).body.items as { elementId: string }[]).map((t) => t.elementId);
  const deadline = (r: Record<string, any>, type: string) => (r.deadlines as { type: string; dueAt: string; metAt: string | null; breachedAt: string | null }[]).find((d) => d.type === type)!;

  it('escalates a township reply not given within 12 hours, exactly at request + 12 h and not a second earlier', async () => {
    await s.moveTo(START);
    const { requestId, processInstanceKey, replyDueAt } = await request();
    expect(new Date(replyDueAt).getTime()).toBe(START.getTime() + 12 * HOUR);
    await s.moveTo(new Date(START.getTime() + 12 * HOUR - 1_000));
    expect(deadline(await read(requestId), 'temporary-aid.reply').breachedAt).toBeNull();
    await s.moveTo(new Date(START.getTime() + 12 * HOUR));
    // The view reads the deadlines and the timeline one after the other: wait for both (written in one transaction).
    const breached = await until(requestId, 'the reply breach', (r) => deadline(r, 'temporary-aid.reply').breachedAt !== null && r.timeline.some((e: { kind: string }) => e.kind === 'deadline-breached'));
    expect(deadline(breached, 'temporary-aid.reply').breachedAt).toBe(new Date(START.getTime() + 12 * HOUR).toISOString());
    // Escalated, not abandoned: the township can still reply.
    expect(await openTasks(processInstanceKey)).toEqual(['Task_reply']);
    const late = (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=temporary-aid.reply&status=breached')).body.items;
    expect(late.map((d: { subjectId: string }) => d.subjectId)).toContain(requestId);
  });

  it('pays rescue-first from the reserve fund before any review task exists, then takes the paperwork', async () => {
    await s.moveTo(START);
    expect((await s.post(county, `/api/v1/reserve-funds/${TOWNSHIP}/advances`, { amountFen: 150_000, note: '备用金' })).status).toBe(201);
    const { requestId, processInstanceKey } = await request();
    await reply(processInstanceKey, { urgent: true, proposedYuan: 1000, referral: 'housing' });
    const paid = await until(requestId, 'the rescue-first payment', (r) => r.status === 'paid');
    expect(paid).toMatchObject({ tier: 'rescue-first', amountFen: 100_000, paidBy: 'reserve-fund' });
    expect(paid.applicantIdNumber).toMatch(/^632301\*{8}\d{3}[\dX]$/);
    // No verification, review or approval step ever existed for it.
    const elements = (await s.app.get(DataSource).query(`SELECT DISTINCT element_id FROM engine_user_task WHERE process_instance_key = $1`, [processInstanceKey])).map((r: { element_id: string }) => r.element_id);
    expect(elements).toEqual(['Task_reply']);
    expect(deadline(paid, 'temporary-aid.emergency-aid').metAt).not.toBeNull();
    // Replied on time: the reply deadline is met at the reply, not breached.
    expect(deadline(paid, 'temporary-aid.reply')).toMatchObject({ metAt: expect.any(String), breachedAt: null });
    const ledger = (await s.get(county, `/api/v1/reserve-funds/${TOWNSHIP}`)).body;
    expect(ledger.balanceFen).toBe(50_000);
    expect(ledger.entries[0]).toMatchObject({ kind: 'debit', amountFen: 100_000, balanceAfterFen: 50_000, requestId });

    // The paperwork: the amount must be the one paid; then the request closes with its referral.
    const wrong = await s.post(caseworker, `/api/v1/temporary-aid/requests/${requestId}/paperwork`, { registrationNumber: 'DJ-1', reasons: '火灾', amountFen: 99_999, signatures: ['经办人 马', '受助人 马'] });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors.map((e: { field: string }) => e.field)).toEqual(['amountFen']);
    const filed = await s.post(caseworker, `/api/v1/temporary-aid/requests/${requestId}/paperwork`, { registrationNumber: 'DJ-1', reasons: '火灾致基本生活困难', amountFen: 100_000, signatures: ['经办人 马', '受助人 马'] });
    expect(filed.status).toBe(204);
    const closed = await until(requestId, 'closing', (r) => r.status === 'closed');
    expect(deadline(closed, 'temporary-aid.paperwork').metAt).not.toBeNull();
    const actions = (await s.app.get(DataSource).query(`SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY id`, [requestId])).map((r: { action: string }) => r.action);
    expect(actions).toEqual(['temporary-aid.requested', 'task.completed', 'temporary-aid.replied', 'temporary-aid.paid', 'temporary-aid.paperwork-filed', 'temporary-aid.referred']);

    // The fund now holds 50,000 fen: the next rescue-first payment is paid by the county directly, and shows it.
    const next = await request();
    await reply(next.processInstanceKey, { urgent: true, proposedYuan: 600 });
    expect(await until(next.requestId, 'the county paying', (r) => r.status === 'paid')).toMatchObject({ paidBy: 'county-direct' });
    expect((await s.get(county, `/api/v1/reserve-funds/${TOWNSHIP}`)).body.balanceFen).toBe(50_000);
  });

  it('escalates paperwork not filed within 5 working days, National Day holidays and make-up Saturday counted', async () => {
    // Tuesday 2026-09-29, 09:00: Sep 30, Oct 8, Oct 9, Oct 10 (make-up Saturday), Oct 12.
    const paidAt = new Date('2026-09-29T01:00:00Z');
    await s.moveTo(paidAt);
    const { requestId, processInstanceKey } = await request();
    await reply(processInstanceKey, { urgent: true, proposedYuan: 200 });
    const paid = await until(requestId, 'the payment', (r) => r.status === 'paid');
    const due = deadline(paid, 'temporary-aid.paperwork').dueAt;
    // The end of Monday 2026-10-12 in Shanghai.
    expect(due).toBe('2026-10-12T15:59:59.999Z');
    await s.moveTo(new Date(new Date(due).getTime() - 1_000));
    expect(deadline(await read(requestId), 'temporary-aid.paperwork').breachedAt).toBeNull();
    await s.moveTo(new Date(due));
    await until(requestId, 'the paperwork breach', (r) => deadline(r, 'temporary-aid.paperwork').breachedAt !== null);
  });

  it('escalates emergency aid not paid within 24 hours of the request, not a second earlier', async () => {
    await s.moveTo(START);
    const { requestId, processInstanceKey } = await request();
    await reply(processInstanceKey, { proposedYuan: 2000 });
    await s.taskIn(processInstanceKey, 'Task_township_approval', leader);
    await s.moveTo(new Date(START.getTime() + 24 * HOUR - 1_000));
    expect(deadline(await read(requestId), 'temporary-aid.emergency-aid').breachedAt).toBeNull();
    await s.moveTo(new Date(START.getTime() + 24 * HOUR));
    await until(requestId, 'the aid breach', (r) => deadline(r, 'temporary-aid.emergency-aid').breachedAt !== null);
  });

  it('routes by amount at one-fen edges: township limit → township (filed with the county), +1 fen → county, cap +1 fen → joint meeting', async () => {
    await s.moveTo(START);
    const cases: [number, string, Actor][] = [
      [300_000, 'Task_township_approval', leader],
      [300_001, 'Task_county_approval', county],
      [1_000_000, 'Task_county_approval', county],
      [1_000_001, 'Task_joint_meeting', county],
    ];
    const started = [];
    for (const [amount, elementId, actor] of cases) {
      const r = await request();
      await reply(r.processInstanceKey, { aidType: 'expenditure', proposedYuan: amount / 100 });
      const task = (await s.taskIn(r.processInstanceKey, elementId, actor)) as unknown as { dueDate: string | null; candidateGroups: string[] };
      // Due temporaryAidApprovalWorkingDays (5) after the reply on Monday 14 September: the end of Sunday 20 September (a working day of the 2026 National Day adjustment).
      expect(task.dueDate).toBe('2026-09-20T15:59:59.999Z');
      expect(task.candidateGroups).toEqual([elementId === 'Task_township_approval' ? `township-leader@${TOWNSHIP}` : `county-civil-affairs@${TOWNSHIP.slice(0, 6)}`]);
      started.push(r);
    }
    // The township approves its own tier in 3 monthly instalments; the approval is filed with the county.
    await s.completeIn(started[0]!.processInstanceKey, 'Task_township_approval', leader, { approvalDecision: 'approve', paymentMode: 'instalments', instalmentMonths: 3, approvalReasons: '因病支出型困难' });
    // Open until the monthly payroll pays the last instalment (issue 16, test/temporary-aid-instalments.e2e-spec.ts).
    const paid = await until(started[0]!.requestId, 'the township payment', (r) => r.status === 'paid' && r.timeline.some((e: { kind: string }) => e.kind === 'awaiting-instalments'));
    expect(paid).toMatchObject({ tier: 'township', paidBy: 'county' });
    expect(paid.payments.map((p: { amountFen: number; month: string; paidAt: string | null }) => [p.amountFen, p.month, p.paidAt !== null])).toEqual([
      [100_000, '2026-09-01', true],
      [100_000, '2026-10-01', false],
      [100_000, '2026-11-01', false],
    ]);
    expect(paid.timeline.map((e: { kind: string }) => e.kind)).toContain('filed-with-county');
    // The county refuses, with reasons in writing.
    await s.completeIn(started[1]!.processInstanceKey, 'Task_county_approval', county, { approvalDecision: 'refuse', paymentMode: 'one-off', approvalReasons: '已获医疗救助全额报销' });
    const refused = await until(started[1]!.requestId, 'the refusal', (r) => r.status === 'refused');
    expect(refused.refusalNotice).toContain('1. 已获医疗救助全额报销');
    // A joint meeting approves above the cap (一事一议).
    await s.completeIn(started[3]!.processInstanceKey, 'Task_joint_meeting', county, { approvalDecision: 'approve', paymentMode: 'one-off', approvalReasons: '重大困难，一事一议' });
    expect(await until(started[3]!.requestId, 'the joint-meeting payment', (r) => r.status === 'closed')).toMatchObject({ tier: 'joint-meeting', amountFen: 1_000_001 });
  });

  it('gives uninsured unemployed people the one-time aid after 3 months without income, and refuses in writing otherwise', async () => {
    await s.moveTo(START);
    const eligible = await request({ unemployment: { monthsWithoutIncome: 3, hasSavings: false, unemploymentInsured: false } });
    await reply(eligible.processInstanceKey, { aidType: 'unemployed' });
    await s.taskIn(eligible.processInstanceKey, 'Task_township_approval', leader);
    // One month of the rural standard (national baseline: 60,000 fen).
    expect((await read(eligible.requestId)).amountFen).toBe(60_000);

    const ineligible = await request({ unemployment: { monthsWithoutIncome: 2, hasSavings: true, unemploymentInsured: false } });
    await reply(ineligible.processInstanceKey, { aidType: 'unemployed' });
    const refused = await until(ineligible.requestId, 'the refusal', (r) => r.status === 'refused');
    expect(refused.tier).toBe('ineligible');
    expect(refused.refusalNotice).toContain('不足3个月');
    expect(refused.refusalNotice).toContain('家庭有存款');
  });

  it('scopes requests, tasks and funds to the region of the emergency', async () => {
    await s.moveTo(START);
    const { requestId, processInstanceKey } = await request();
    expect((await s.get(otherTownship, `/api/v1/temporary-aid/requests/${requestId}`)).status).toBe(404);
    expect((await s.get(otherTownship, `/api/v1/tasks?processInstanceKey=${processInstanceKey}`)).body.items).toEqual([]);
    expect((await s.get(otherTownship, `/api/v1/reserve-funds/${TOWNSHIP}`)).status).toBe(403);
    const outside = await s.post({ roles: [Role.Integrator], region: '410821', id: 'elsewhere' }, '/api/v1/temporary-aid/requests', { regionCode: VILLAGE });
    expect(outside.status).toBe(403);
    const bad = await s.post(integrator, '/api/v1/temporary-aid/requests', { regionCode: VILLAGE, channel: 'fax', area: 'rural', applicantName: '马', applicantIdNumber: '632301198001011230', householdSize: 0, description: '火灾' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['applicantIdNumber', 'channel', 'householdSize']);
  });

  it('records each approval level\'s deadline: breached and escalated at its exact due moment, not before; met when decided in time', async () => {
    await s.moveTo(START);
    type Deadline = { type: string; dueAt: string; metAt: string | null; breachedAt: string | null; escalatedAt: string | null; responsibleGroup: string; rule: string };
    const approvalDeadline = (r: Record<string, any>, type: string) => (r.deadlines as Deadline[]).find((d) => d.type === type);
    // The end of Sunday 20 September (a working day of the 2026 National Day adjustment), as the tasks' due date.
    const DUE = '2026-09-20T15:59:59.999Z';
    const late = await request();
    await reply(late.processInstanceKey, { aidType: 'expenditure', proposedYuan: 2000 });
    const county = await request();
    await reply(county.processInstanceKey, { aidType: 'expenditure', proposedYuan: 5000 });
    const joint = await request();
    await reply(joint.processInstanceKey, { aidType: 'expenditure', proposedYuan: 20_000 });
    await s.taskIn(late.processInstanceKey, 'Task_township_approval', leader);
    const countyTask = await s.taskIn(county.processInstanceKey, 'Task_county_approval', countyOfficer);
    await s.taskIn(joint.processInstanceKey, 'Task_joint_meeting', countyOfficer);
    expect((countyTask as unknown as { dueDate: string }).dueDate).toBe(DUE);
    expect(approvalDeadline(await read(late.requestId), 'temporary-aid.township-approval')).toMatchObject({
      dueAt: DUE, metAt: null, breachedAt: null, responsibleGroup: 'township-leader', rule: 'temporaryAidApprovalWorkingDays = 5',
    });
    expect(approvalDeadline(await read(county.requestId), 'temporary-aid.county-approval')).toMatchObject({ dueAt: DUE, responsibleGroup: 'county-civil-affairs' });
    expect(approvalDeadline(await read(joint.requestId), 'temporary-aid.joint-meeting')).toMatchObject({ dueAt: DUE, responsibleGroup: 'county-civil-affairs' });

    // The county approves and the joint meeting refuses on Friday 18 September: both met at the decision.
    const decidedAt = new Date('2026-09-18T02:00:00Z');
    await s.moveTo(decidedAt);
    await s.completeIn(county.processInstanceKey, 'Task_county_approval', countyOfficer, { approvalDecision: 'approve', paymentMode: 'one-off', approvalReasons: '大病支出' });
    await s.completeIn(joint.processInstanceKey, 'Task_joint_meeting', countyOfficer, { approvalDecision: 'refuse', paymentMode: 'one-off', approvalReasons: '已由慈善基金全额资助' });
    const paid = await until(county.requestId, 'the county approval met', (r) => approvalDeadline(r, 'temporary-aid.county-approval')?.metAt != null);
    expect(approvalDeadline(paid, 'temporary-aid.county-approval')).toMatchObject({ metAt: decidedAt.toISOString(), breachedAt: null });
    const refused = await until(joint.requestId, 'the joint meeting met', (r) => approvalDeadline(r, 'temporary-aid.joint-meeting')?.metAt != null);
    expect(approvalDeadline(refused, 'temporary-aid.joint-meeting')).toMatchObject({ metAt: decidedAt.toISOString(), breachedAt: null });

    // The township has not decided: a second before the due moment nothing is breached, at it the breach is escalated.
    await s.moveTo(new Date(new Date(DUE).getTime() - 1_000));
    await s.app.get(DeadlineSweeper).sweep();
    expect(approvalDeadline(await read(late.requestId), 'temporary-aid.township-approval')!.breachedAt).toBeNull();
    await s.moveTo(new Date(DUE));
    const breached = await until(late.requestId, 'the approval escalation', (r) => approvalDeadline(r, 'temporary-aid.township-approval')?.escalatedAt != null);
    expect(approvalDeadline(breached, 'temporary-aid.township-approval')).toMatchObject({ breachedAt: DUE, escalatedAt: DUE, metAt: null });
    expect(breached.timeline).toContainEqual(expect.objectContaining({ kind: 'deadline-breached' }));
    // Escalated, not taken away: the township can still decide, and a late decision leaves the breach on record.
    await s.taskIn(late.processInstanceKey, 'Task_township_approval', leader);
    await s.completeIn(late.processInstanceKey, 'Task_township_approval', leader, { approvalDecision: 'approve', paymentMode: 'one-off', approvalReasons: '因病支出型困难' });
    const decidedLate = await until(late.requestId, 'the late payment', (r) => r.status === 'paid' || r.status === 'closed');
    expect(approvalDeadline(decidedLate, 'temporary-aid.township-approval')).toMatchObject({ breachedAt: DUE, metAt: null });
    const breaches = (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=temporary-aid.township-approval&status=breached')).body.items as { subjectId: string }[];
    expect(breaches.map((d) => d.subjectId)).toContain(late.requestId);
  });

  it('keeps the fund at or above zero when 20 rescue-first payments race for it', async () => {
    const township = '632301102';
    const funds = s.app.get(ReserveFundService);
    const repository = s.app.get(TemporaryAidRepository);
    await funds.credit({ townshipCode: township, kind: 'advance', amountFen: 70_000, note: '备用金', actorId: 'county', actorRoles: [Role.CountyCivilAffairs], at: START });
    const ids = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const id = crypto.randomUUID();
        await repository.transaction((manager) =>
          repository.insert(
            { id, requestNumber: `RACE-${i}`, regionCode: `${township}201`, townshipCode: township, countyCode: '632301', channel: 'hotline', area: 'rural', applicantName: '竞', applicantIdNumber: idNumber(VILLAGE, '19900101'), householdSize: 1, description: '并发', unemployment: null, requestedAt: START, createdBy: 'test' },
            manager,
          ),
        );
        return id;
      }),
    );
    const results = await Promise.all(ids.map((id) => repository.transaction((manager) => funds.debit(township, id, 10_000, 'test', START, manager))));
    expect(results.filter(Boolean)).toHaveLength(7);
    const ledger = await funds.ledger(township);
    expect(ledger.balanceFen).toBe(0);
    expect(ledger.entries.filter((e) => e.kind === 'debit')).toHaveLength(7);
    expect(ledger.entries.every((e) => e.balanceAfterFen >= 0)).toBe(true);
    // The database itself refuses a negative balance, whoever writes.
    await expect(s.app.get(DataSource).query(`UPDATE reserve_fund SET balance_fen = -1 WHERE township_code = $1`, [township])).rejects.toThrow(/reserve_fund_balance_fen_check/);
  });
});
