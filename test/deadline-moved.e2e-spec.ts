import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { strictClient } from './support/engine';
import { seedEnrolments } from './support/enrolments';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Moving a running deadline: the service publishes `deadline.moved` (correlation key `<subjectId>/<variable>`, time
 * to live 0) with the new instant in that variable; the model's watch waits again, on the new instant. On the
 * embedded engine through the real app; the clock is moved, never slept on.
 *
 * The service's own recomputation also moves the `deadline` row; these tests do that with SQL, as it would, so that
 * the sweeper (which marks overdue rows breached) agrees with the model. Whether the model's breach path ran is seen
 * on the engine (a breach job created) and on the row (`escalated_at`, written only by the breach workers).
 */
const MOVED = 'deadline.moved';

describe('deadline.moved on the embedded engine', () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-24T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  const db = () => s.app.get(DataSource);
  const move = async (subjectType: string, subjectId: string, type: string, variable: string, dueAt: string) => {
    await db().query(`UPDATE deadline SET due_at = $4 WHERE subject_type = $1 AND subject_id = $2 AND type = $3`, [subjectType, subjectId, type, dueAt]);
    await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).publishMessage({ name: MOVED, correlationKey: `${subjectId}/${variable}`, timeToLive: 0, variables: { [variable]: dueAt } });
  };
  const row = async (subjectType: string, subjectId: string, type: string) =>
    (await db().query(`SELECT due_at, met_at, breached_at, escalated_at FROM deadline WHERE subject_type = $1 AND subject_id = $2 AND type = $3`, [subjectType, subjectId, type]))[0] as {
      due_at: Date;
      met_at: Date | null;
      breached_at: Date | null;
      escalated_at: Date | null;
    };
  /** Breach jobs the engine created at `elementId` (synchronously, when its timer fired during moveTo). */
  const breachJobs = async (processInstanceKey: string, elementId: string) =>
    Number((await db().query(`SELECT count(*) AS n FROM engine_job WHERE process_instance_key = $1 AND element_id = $2`, [processInstanceKey, elementId]))[0].n);
  const timers = async (processInstanceKey: string, elementId: string) =>
    ((await db().query(`SELECT due_at FROM engine_timer WHERE process_instance_key = $1 AND element_id = $2`, [processInstanceKey, elementId])) as { due_at: Date }[]).map((t) => t.due_at.toISOString());
  const instanceState = async (processInstanceKey: string) =>
    ((await db().query(`SELECT state FROM engine_process_instance WHERE process_instance_key = $1`, [processInstanceKey]))[0] as { state: string }).state;
  const later = (iso: string, ms: number) => new Date(new Date(iso).getTime() + ms);

  describe('monthly payment cycle', () => {
    const COUNTY = '410821';
    const civilAffairs: Actor = { roles: [Role.CountyCivilAffairs], region: COUNTY, id: 'county-zhang' };
    const finance: Actor = { roles: [Role.CountyFinance], region: COUNTY, id: 'finance-wu' };
    const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };
    const SUBJECT = 'payment-cycle';
    const task = (actor: Actor, elementId: string) =>
      s.until(`task ${elementId}`, async () => (await s.get(actor, `/api/v1/tasks?elementId=${elementId}`)).body.items, (items) => items.length === 1).then((items) => items[0]);

    it('breaches the data entry at the moved instant, not the old one; a step done in time after a move is never breached; the cycle completes', async () => {
      await seedEnrolments(db(), { countyCode: COUNTY, count: 2, fromMonth: '2026-10-01' });
      await s.moveTo(new Date('2026-09-25T00:00:00Z'));
      const [cycle] = await s.until('the October cycle', async () => (await s.get(civilAffairs, '/api/v1/payment-cycles')).body, (list) => list.length === 1 && list[0].lineCount === 2);
      const entry = await task(civilAffairs, 'Task_data_entered');
      const pik = String(entry.processInstanceKey);
      const subjectType = (await db().query(`SELECT subject_type FROM deadline WHERE subject_id = $1 AND type = 'payment.data'`, [cycle.id]))[0].subject_type as string;
      expect(subjectType).toBe(SUBJECT);

      // dataDueAt: the end of 30 September (National Day moves the 5th earlier); recomputed to the end of 6 October.
      const oldData = '2026-09-30T15:59:59.999Z';
      const newData = '2026-10-06T15:59:59.999Z';
      expect(await timers(pik, 'Timer_data')).toEqual([oldData]);
      await move(SUBJECT, cycle.id, 'payment.data', 'dataDueAt', newData);
      expect(await timers(pik, 'Timer_data')).toEqual([newData]);

      await s.moveTo(later(oldData, 1_000));
      expect(await breachJobs(pik, 'Task_data_breach')).toBe(0);
      expect((await row(SUBJECT, cycle.id, 'payment.data')).breached_at).toBeNull();
      await s.moveTo(later(newData, -1));
      expect(await breachJobs(pik, 'Task_data_breach')).toBe(0);
      await s.moveTo(new Date(newData));
      expect(await breachJobs(pik, 'Task_data_breach')).toBe(1);
      await s.until('the data breach escalated', () => row(SUBJECT, cycle.id, 'payment.data'), (r) => r.escalated_at !== null);
      // Escalated, still awaited: the task is open and the watch has no timer left.
      expect(await timers(pik, 'Timer_data')).toEqual([]);
      expect((await s.post(civilAffairs, `/api/v1/tasks/${entry.userTaskKey}/complete`, { variables: { stepConfirmed: true } })).status).toBe(204);

      // fundsDueAt: the end of 8 October, moved to the end of 12 October; transferred on the 9th, in time.
      const transfer = await task(finance, 'Task_funds_transferred');
      const oldFunds = '2026-10-08T15:59:59.999Z';
      const newFunds = '2026-10-12T15:59:59.999Z';
      expect(await timers(pik, 'Timer_funds')).toEqual([oldFunds]);
      await move(SUBJECT, cycle.id, 'payment.funds', 'fundsDueAt', newFunds);
      expect(await timers(pik, 'Timer_funds')).toEqual([newFunds]);
      await s.moveTo(later(oldFunds, 1_000));
      expect(await breachJobs(pik, 'Task_funds_breach')).toBe(0);
      expect((await s.post(finance, `/api/v1/tasks/${transfer.userTaskKey}/complete`, { variables: { stepConfirmed: true } })).status).toBe(204);
      await s.until('the funds deadline met', () => row(SUBJECT, cycle.id, 'payment.funds'), (r) => r.met_at !== null);
      // Done: the watch ended with the step, so nothing fires at the moved instant either.
      await s.until('the bank results awaited', () => timers(pik, 'Timer_credited'), (list) => list.length === 1);
      expect(await timers(pik, 'Timer_funds')).toEqual([]);
      await s.moveTo(later(newFunds, 1_000));
      expect(await breachJobs(pik, 'Task_funds_breach')).toBe(0);
      expect(await row(SUBJECT, cycle.id, 'payment.funds')).toMatchObject({ breached_at: null, escalated_at: null });

      // The bank's results end the cycle (late: the crediting deadline, unmoved, was breached on the 10th as before).
      expect(await breachJobs(pik, 'Task_credited_breach')).toBe(1);
      const file = await s.get(bank, `/api/v1/payment-cycles/${cycle.id}/bank-file`);
      const lines = file.text.trim().split('\n').slice(1);
      const results = ['line_id,result,message', ...lines.map((l) => `${l.split(',')[0]},paid,`)].join('\n');
      expect((await s.post(bank, `/api/v1/payment-cycles/${cycle.id}/bank-results`, { csv: results })).body).toMatchObject({ paid: 2 });
      await s.until('the cycle completed', () => instanceState(pik), (state) => state === 'COMPLETED');
    });
  });

  describe('temporary aid paperwork', () => {
    const VILLAGE = '632301100201';
    const TOWNSHIP = '632301100';
    const integrator: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
    const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-ma' };
    const SUBJECT = 'temporary-aid';
    let counter = 0;

    /** A rescue-first request paid on Tuesday 2026-09-29, 09:00: paperwork due at the end of Monday 12 October. */
    const paidRescueFirst = async () => {
      await s.moveTo(new Date('2026-09-29T01:00:00Z'));
      counter += 1;
      const response = await s.post(
        integrator,
        '/api/v1/temporary-aid/requests',
        { regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: `移${counter}`, applicantIdNumber: idNumber(VILLAGE, '19800101', String(500 + counter)), householdSize: 3, description: '房屋失火' },
        { 'Idempotency-Key': `moved-${counter}-${Date.now()}` },
      );
      expect(response.status).toBe(201);
      const { requestId, processInstanceKey } = response.body as { requestId: string; processInstanceKey: string };
      await s.completeIn(processInstanceKey, 'Task_reply', caseworker, { aidType: 'emergency', severity: 'general', urgent: true, proposedYuan: 200, referral: 'none', replyNotes: '已核实' });
      await s.until('the payment', async () => (await s.get(caseworker, `/api/v1/temporary-aid/requests/${requestId}`)).body, (r) => r.status === 'paid');
      await s.until('the paperwork watch', () => timers(processInstanceKey, 'Timer_paperwork'), (list) => list.length === 1);
      return { requestId, processInstanceKey };
    };
    const OLD = '2026-10-12T15:59:59.999Z';

    it('breaches the paperwork at the moved instant, not the old one', async () => {
      const { requestId, processInstanceKey: pik } = await paidRescueFirst();
      expect(await timers(pik, 'Timer_paperwork')).toEqual([OLD]);
      const moved = '2026-10-13T15:59:59.999Z';
      await move(SUBJECT, requestId, 'temporary-aid.paperwork', 'paperworkDueAt', moved);
      expect(await timers(pik, 'Timer_paperwork')).toEqual([moved]);

      await s.moveTo(later(OLD, 1_000));
      expect(await breachJobs(pik, 'Task_paperwork_breach')).toBe(0);
      expect((await row(SUBJECT, requestId, 'temporary-aid.paperwork')).breached_at).toBeNull();
      await s.moveTo(later(moved, -1));
      expect(await breachJobs(pik, 'Task_paperwork_breach')).toBe(0);
      await s.moveTo(new Date(moved));
      expect(await breachJobs(pik, 'Task_paperwork_breach')).toBe(1);
      const breached = await s.until('the paperwork breach escalated', () => row(SUBJECT, requestId, 'temporary-aid.paperwork'), (r) => r.escalated_at !== null);
      expect(breached.breached_at!.toISOString()).toBe(moved);
    });

    it('moves the deadline twice, the last instant wins; filing in time ends the watch and the request closes', async () => {
      const { requestId, processInstanceKey: pik } = await paidRescueFirst();
      await move(SUBJECT, requestId, 'temporary-aid.paperwork', 'paperworkDueAt', '2026-10-13T15:59:59.999Z');
      const moved = '2026-10-14T15:59:59.999Z';
      await move(SUBJECT, requestId, 'temporary-aid.paperwork', 'paperworkDueAt', moved);
      expect(await timers(pik, 'Timer_paperwork')).toEqual([moved]);
      // A move for another variable or another subject reaches nothing.
      await move(SUBJECT, requestId, 'temporary-aid.paperwork-other', 'replyDueAt', '2026-10-01T00:00:00.000Z');
      expect(await timers(pik, 'Timer_paperwork')).toEqual([moved]);

      await s.moveTo(later('2026-10-13T15:59:59.999Z', 1_000));
      expect(await breachJobs(pik, 'Task_paperwork_breach')).toBe(0);
      const filed = await s.post(caseworker, `/api/v1/temporary-aid/requests/${requestId}/paperwork`, { registrationNumber: 'DJ-M', reasons: '火灾致基本生活困难', amountFen: 20_000, signatures: ['经办人 马', '受助人 移'] });
      expect(filed.status).toBe(204);
      await s.until('closing', async () => (await s.get(caseworker, `/api/v1/temporary-aid/requests/${requestId}`)).body, (r) => r.status === 'closed');
      await s.until('the instance completed', () => instanceState(pik), (state) => state === 'COMPLETED');
      await s.moveTo(later(moved, 1_000));
      expect(await breachJobs(pik, 'Task_paperwork_breach')).toBe(0);
      expect(await row(SUBJECT, requestId, 'temporary-aid.paperwork')).toMatchObject({ breached_at: null, escalated_at: null });
      expect((await row(SUBJECT, requestId, 'temporary-aid.paperwork')).met_at).not.toBeNull();
    });
  });
});
