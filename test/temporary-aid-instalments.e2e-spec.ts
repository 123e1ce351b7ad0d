import { bankFile as writeBankFile } from './support/bank-file';
import { Role } from '../src/auth/roles';
import { PayrollService } from '../src/payments/payroll.service';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Temporary-aid instalments 2..n (issue 16) are paid by the monthly cycle of their county and month, as their own
 * line kind with the fund they come from; the request closes when the bank has paid the last one.
 */
const VILLAGE = '632301100201';
const TOWNSHIP = '632301100';
const COUNTY = '632301';
const integrator: Actor = { roles: [Role.Integrator], region: COUNTY, id: 'hotline' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-ma' };
const leader: Actor = { roles: [Role.TownshipLeader], region: TOWNSHIP, id: 'leader-han' };
const bank: Actor = { roles: [Role.Bank], region: COUNTY, id: 'bank' };

describe('temporary-aid instalments in the monthly payroll', () => {
  let s: Scenario;
  let payroll: PayrollService;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-09-14T01:00:00Z'));
    payroll = s.app.get(PayrollService);
  });

  afterAll(async () => {
    await s?.close();
  });

  const read = async (id: string) => (await s.get(caseworker, `/api/v1/temporary-aid/requests/${id}`)).body;
  const bankFile = async (cycleId: string) => (await writeBankFile(payroll, cycleId)).lines.slice(1).map((l) => l.split(','));
  const settle = async (cycleId: string, result: string) => {
    const rows = await bankFile(cycleId);
    const csv = ['line_id,result,message', ...rows.map((r) => `${r[0]},${result},`)].join('\n');
    expect((await s.post(bank, `/api/v1/payment-cycles/${cycleId}/bank-results`, { csv })).status).toBe(200);
    return rows;
  };

  it('pays instalments 2 and 3 in October and November (a failed one again the month after), then closes the request', async () => {
    const created = await s.post(
      integrator,
      '/api/v1/temporary-aid/requests',
      { regionCode: VILLAGE, channel: 'hotline', area: 'rural', applicantName: '马分期', applicantIdNumber: idNumber(VILLAGE, '19800101', '777'), householdSize: 4, description: '重病住院，医疗支出大' },
      { 'Idempotency-Key': 'instalments-1' },
    );
    const { requestId, processInstanceKey } = created.body;
    await s.completeIn(processInstanceKey, 'Task_reply', caseworker, { aidType: 'expenditure', severity: 'general', urgent: false, referral: 'none', replyNotes: '已核实', proposedYuan: 3000 });
    await s.completeIn(processInstanceKey, 'Task_township_approval', leader, { approvalDecision: 'approve', paymentMode: 'instalments', instalmentMonths: 3, approvalReasons: '因病支出型困难' });
    await s.until('the first instalment', () => read(requestId), (r) => r.timeline.some((e: { kind: string }) => e.kind === 'awaiting-instalments'));
    expect((await read(requestId)).status).toBe('paid');

    // September's cycle was before the request: it has nothing of it. October's pays instalment 2 only.
    const october = await payroll.openCycle(COUNTY, '2026-10', new Date());
    expect(await payroll.generate(october.id)).toEqual({ lineCount: 1, totalFen: 100_000 });
    expect(await payroll.generate(october.id)).toEqual({ lineCount: 1, totalFen: 100_000 });
    const [line] = await settle(october.id, 'failed');
    expect(line!.slice(2)).toEqual(['2026-10', '1', '马分期', idNumber(VILLAGE, '19800101', '777'), '100000', 'temporary-aid-instalment', 'county']);
    expect((await read(requestId)).payments.map((p: { paidAt: string | null }) => p.paidAt !== null)).toEqual([true, false, false]);

    // November: instalment 2 again (its line failed) and instalment 3.
    const november = await payroll.openCycle(COUNTY, '2026-11', new Date());
    expect(await payroll.generate(november.id)).toEqual({ lineCount: 2, totalFen: 200_000 });
    const rows = await bankFile(november.id);
    expect(rows.map((r) => [r[2], r[3]]).sort()).toEqual([['2026-10', '2'], ['2026-11', '1']]);
    await settle(november.id, 'paid');
    const closed = await read(requestId);
    expect(closed.status).toBe('closed');
    expect(closed.payments.every((p: { paidAt: string | null }) => p.paidAt !== null)).toBe(true);

    const december = await payroll.openCycle(COUNTY, '2026-12', new Date());
    expect(await payroll.generate(december.id)).toEqual({ lineCount: 0, totalFen: 0 });
  });
});
