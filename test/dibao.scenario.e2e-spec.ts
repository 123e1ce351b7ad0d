import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { CAMUNDA_CLIENT, type CamundaClient } from '../src/workflow/camunda-client';
import { completeThroughEngine, REAL_CAMUNDA_ADDRESS, strictClient } from './support/engine';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * The dibao procedure end to end (PROCEDURES.md §1), as integrators and caseworkers drive it: the API creates the
 * case, every user task is done through the task API by the right actor, and time moves by the clock (never sleep).
 * Jiaozuo (county 410821) profile; township 410821100, village 410821100201.
 */

const VILLAGE = '410821100201';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader-li' };
const villageCommittee: Actor = { roles: [Role.VillageCommittee], region: VILLAGE, id: 'village-zhao' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-chen' };
const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor-zhou' };
const otherTownship: Actor = { roles: [Role.TownshipCaseworker], region: '410821101', id: 'caseworker-other' };

/** Monday 2026-09-14 09:00 in Shanghai (the profiles take effect with the law on 2026-07-01). */
const START = new Date('2026-09-14T01:00:00Z');

interface Household {
  members: object[];
  incomes: object[];
}

/** Three members; the applicant earns `wagesFen` a month; the youngest adult has a grade-1 disability. */
function household(wagesFen: number, requestType: 'household' | 'single-person' = 'household'): Household & Record<string, unknown> {
  return {
    regionCode: VILLAGE,
    channel: 'self',
    requestType,
    area: 'rural',
    members: [
      { id: 'm1', name: '张三', idNumber: idNumber(VILLAGE, '19800101'), age: 46, relation: 'applicant', seriousIllness: false, inSchool: false, employed: true },
      { id: 'm2', name: '李梅', idNumber: idNumber(VILLAGE, '19820202'), age: 44, relation: 'spouse', seriousIllness: false, inSchool: false, employed: false },
      {
        id: 'm3',
        name: '张小宝',
        idNumber: idNumber(VILLAGE, '20020303'),
        age: 24,
        relation: 'child',
        disability: { grade: 1, type: 'physical' },
        seriousIllness: false,
        inSchool: false,
        employed: false,
      },
    ],
    incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: wagesFen }],
    expenditures: [],
    assets: { financialFen: 0 },
  };
}

const targets: [string, string | undefined][] = [
  ['embedded engine', undefined],
  [`real Camunda 8.8${REAL_CAMUNDA_ADDRESS ? ` at ${REAL_CAMUNDA_ADDRESS}` : ' (skipped: set CAMUNDA_REST_ADDRESS to run)'}`, REAL_CAMUNDA_ADDRESS ?? ''],
];

describe.each(targets)('dibao procedure — %s', (_, address) => {
  if (address === '') {
    it.skip('runs only against a configured Camunda 8.8', () => undefined);
    return;
  }
  let s: Scenario;

  beforeEach(async () => {
    s = await Scenario.start(START, address);
  });

  afterEach(async () => {
    await s?.close();
  });

  const readCase = async (caseId: string, actor: Actor = caseworker) => {
    const response = await s.get(actor, `/api/v1/dibao/cases/${caseId}`);
    if (response.status !== 200) throw new Error(`reading case ${caseId}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };
  const untilStatus = (caseId: string, status: string) => s.until(`case ${caseId} to be ${status}`, () => readCase(caseId), (c) => c.status === status);

  const taskOf = (caseId: string, elementId: string, actor: Actor) => s.taskOf(caseId, elementId, actor);
  const complete = async (caseId: string, elementId: string, actor: Actor, variables: Record<string, unknown>) => {
    const task = await taskOf(caseId, elementId, actor);
    expect((await s.post(actor, `/api/v1/tasks/${task.userTaskKey}/claim`)).status).toBeLessThan(300);
    await s.completeTask(caseId, elementId, actor, variables);
  };
  const apply = (body: object = household(30_000)) => s.apply(integrator, body as Record<string, unknown>, `apply-${Math.random()}`);

  /** Accept → investigation → (village review) → proposal → decision, as far as the decision. */
  const toDecision = async (caseId: string, decision: 'approve' | 'refuse', options: { afterObjection?: boolean } = {}) => {
    await complete(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    if (options.afterObjection) await complete(caseId, 'Task_village_review', villageCommittee, { villageOpinion: 'support', villageReviewNotes: '评议通过' });
    await complete(caseId, 'Task_proposal', caseworker, { proposal: decision, proposalReasons: '依据核算结果' });
    await complete(caseId, options.afterObjection ? 'Task_joint_meeting' : 'Task_leader_decision', leader, { decision, decisionReasons: decision === 'approve' ? '同意纳入' : '家庭收入超过标准' });
  };

  const accept = async (caseId: string) => {
    await complete(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await untilStatus(caseId, 'accepted');
  };

  /** A household far above the line, proposed for refusal, its leader's decision claimed. */
  const highIncomeAtDecision = async () => {
    const caseId = await apply(household(300_000));
    await accept(caseId);
    await complete(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实' });
    await complete(caseId, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '收入超过标准' });
    const task = await taskOf(caseId, 'Task_leader_decision', leader);
    await s.post(leader, `/api/v1/tasks/${task.userTaskKey}/claim`);
    return { caseId, task };
  };

  it('approves: application → acceptance → investigation → assessment → audit → notice → enrolment from next month', async () => {
    const caseId = await apply();
    let c = await readCase(caseId);
    expect(c.currentSteps.map((step: { elementId: string }) => step.elementId)).toEqual(['Task_accept']);
    expect(c.members[0].idNumber).toMatch(/^410821\*{8}\d{3}[\dX]$/);
    await accept(caseId);
    await toDecision(caseId, 'approve');
    c = await untilStatus(caseId, 'in-notice');
    const notice = c.notices.find((n: { kind: string }) => n.kind === 'public');
    // 3 members, 300 yuan of wages minus the employment-cost deduction: the gap is paid.
    expect(notice.text).toContain('申请人：张三；保障人口：3人');
    // Objections go to the township by its name (the region registry), not its code.
    expect(notice.text).toContain('请在公示期内向城关镇人民政府反映');
    expect(notice.text).not.toMatch(/\d{17}[\dX]|410821\*/);
    // The notice runs the profile's 7 days; enrolment waits for its end.
    await s.moveTo(new Date(new Date(notice.endsAt).getTime() - 60_000));
    expect((await readCase(caseId)).status).toBe('in-notice');
    await s.moveTo(new Date(new Date(notice.endsAt).getTime() + 1_000));
    c = await untilStatus(caseId, 'enrolled');
    expect(c.benefitFen).toBeGreaterThan(0);
    expect(c.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['applied', 'accepted', 'assessed', 'notice-published', 'enrolled']));
    const enrolled = c.timeline.find((e: { kind: string }) => e.kind === 'enrolled');
    expect(enrolled.details.fromMonth).toBe('2026-10-01');
    // The approval notice: the amount in yuan, the first month, how it is paid, the duty to report, the remedies.
    const approval = c.notices.find((n: { kind: string }) => n.kind === 'approval').text as string;
    expect(approval).toContain(`月保障金额${(c.benefitFen / 100).toFixed(2)}元，自2026年10月起按月发放`);
    expect(approval).toContain('社会化发放');
    expect(approval).toContain('家庭人口、收入、财产状况发生变化的');
    expect(approval).toContain('申请行政复议');
    // The pool entry is the service task after enrolment: waited for, not raced.
    const pool = await s.until('the sampling pool entry', () => s.app.get(DataSource).query(`SELECT decision, case_number, applicant_name FROM sampling_pool_entry WHERE subject_id = $1`, [caseId]), (rows: unknown[]) => rows.length > 0);
    // Named, so a county review task can say whose decision it reviews.
    expect(pool).toEqual([{ decision: 'approve', case_number: c.caseNumber, applicant_name: c.applicantName }]);
    expect(c.openDeadlines).toEqual([]);
  });

  it('refuses only with written reasons, stating each with its rule', async () => {
    const { caseId, task } = await highIncomeAtDecision();
    // The decision form reads the assessment as the leader does: outcome and reasons in Chinese, the benefit in yuan.
    const { processInstanceKey } = await readCase(caseId);
    const variable = async (name: string) => {
      const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchVariables({ filter: { processInstanceKey, name } as never }, { consistency: { waitUpToMs: 0 } });
      return items.map((v) => JSON.parse(String(v.value)))[0];
    };
    expect(await variable('assessmentOutcomeText')).toBe('不符合低保条件');
    expect(await variable('benefitYuanText')).toBe('0.00');
    const reasonTexts = (await variable('assessmentReasonTexts')) as string[];
    expect(reasonTexts.length).toBeGreaterThan(0);
    for (const text of reasonTexts) expect(text).toMatch(/^[^A-Za-z¥]+（依据：[^A-Za-z]+）$/);
    const withoutReason = await s.post(leader, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { decision: 'refuse', decisionReasons: '  ' } });
    expect(withoutReason.status).toBe(400);
    expect(withoutReason.body.errors.map((e: { field: string }) => e.field)).toContain('variables.decisionReasons');
    await s.post(leader, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { decision: 'refuse', decisionReasons: '家庭人均收入超过低保标准' } }).then((r) => expect(r.status).toBe(204));
    const c = await untilStatus(caseId, 'refused');
    const refusal = c.notices.find((n: { kind: string }) => n.kind === 'refusal');
    // Every reason in Chinese with its rule's title and article; the remedies from the profile; no profile id, no English.
    expect(refusal.text).toContain('1. 乡镇审核意见：家庭人均收入超过低保标准（依据：《中华人民共和国社会救助法》第四十五条）');
    expect(refusal.text).toMatch(/2\. 家庭人均收入 [\d.]+元 不低于低保标准 [\d.]+元（依据：.+）/);
    expect(refusal.text).toMatch(/您于\d{4}年\d{1,2}月\d{1,2}日向.+提出的最低生活保障申请/);
    // The bodies by name: the government and the court of the township's county (410821 修武县).
    expect(refusal.text).toContain('向城关镇人民政府提出的最低生活保障申请');
    expect(refusal.text).toContain('60日内向修武县人民政府申请行政复议（《中华人民共和国行政复议法》第二十条、第二十四条）');
    expect(refusal.text).toContain('6个月内直接向修武县人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第十八条、第四十六条）');
    expect(refusal.text.replace(/DB\d{6}-\d{4}-\d{6}/g, '')).not.toMatch(/[A-Za-z]|¥/);
    await taskOf(caseId, 'Task_deliver_refusal', caseworker);
  });

  it('a family the assessment found eligible, refused by the township on other grounds: the notice gives the township’s reasons, not the assessment’s “eligible”', async () => {
    const caseId = await apply();
    await accept(caseId);
    await toDecision(caseId, 'refuse');
    const c = await untilStatus(caseId, 'refused');
    const refusal = c.notices.find((n: { kind: string }) => n.kind === 'refusal').text as string;
    expect(refusal).toContain('1. 乡镇审核意见：家庭收入超过标准');
    expect(refusal).not.toMatch(/^2\. /m);
    expect(refusal).not.toContain('纳入低保');
  });

  it('an objection during the notice sends the case back to investigation, village review, a joint meeting and a fresh notice', async () => {
    const caseId = await apply();
    await accept(caseId);
    await toDecision(caseId, 'approve');
    await untilStatus(caseId, 'in-notice');
    const objection = await s.post(villageCommittee, `/api/v1/dibao/cases/${caseId}/objections`, { text: '该户有营运车辆未申报', lodgedBy: '村民（匿名）' });
    expect(objection.status).toBe(204);
    await untilStatus(caseId, 'accepted');
    await toDecision(caseId, 'approve', { afterObjection: true });
    const c = await untilStatus(caseId, 'in-notice');
    expect(c.notices.filter((n: { kind: string }) => n.kind === 'public')).toHaveLength(2);
    expect(c.objectionRaised).toBe(true);
  });

  it('admits a single-person household when the whole household is not eligible', async () => {
    // 3 members, 2,000 yuan of wages: per capita above the rural standard, below the marginal line; m3 is severely disabled.
    const caseId = await apply(household(200_000, 'single-person'));
    await accept(caseId);
    await toDecision(caseId, 'approve');
    const c = await untilStatus(caseId, 'in-notice');
    expect(c.timeline.find((e: { kind: string }) => e.kind === 'assessed').details.outcome).toBe('single-person');
    expect(c.notices.find((n: { kind: string }) => n.kind === 'public').text).toContain('保障人口：1人');
  });

  it('lists missing materials once, all together, and continues when they arrive', async () => {
    const caseId = await apply();
    await complete(caseId, 'Task_accept', caseworker, { materialsComplete: false, missingMaterials: '户口簿复印件；残疾证复印件' });
    let c = await untilStatus(caseId, 'awaiting-materials');
    const requested = c.notices.filter((n: { kind: string }) => n.kind === 'missing-materials');
    expect(requested).toHaveLength(1);
    expect(requested[0].text).toContain('户口簿复印件；残疾证复印件');
    // A request, not a decision: where to bring them and by when (a Shanghai date), no remedies.
    expect(requested[0].text).toMatch(/请于\d{4}年\d{1,2}月\d{1,2}日前一并向城关镇人民政府补齐/);
    expect(requested[0].text).not.toContain('行政复议');
    expect((await s.post(integrator, `/api/v1/dibao/cases/${caseId}/materials`, { materials: ['户口簿复印件', '残疾证复印件'] })).status).toBe(204);
    await accept(caseId);
    c = await readCase(caseId);
    expect(c.notices.filter((n: { kind: string }) => n.kind === 'missing-materials')).toHaveLength(1);
  });

  it('closes an application whose materials did not arrive in time, with a written notice naming the remedies', async () => {
    const caseId = await apply();
    await complete(caseId, 'Task_accept', caseworker, { materialsComplete: false, missingMaterials: '户口簿复印件' });
    const requested = (await untilStatus(caseId, 'awaiting-materials')).notices.find((n: { kind: string }) => n.kind === 'missing-materials');
    await s.moveTo(new Date(new Date(requested.endsAt).getTime() + 1_000));
    const closure = (await untilStatus(caseId, 'closed')).notices.find((n: { kind: string }) => n.kind === 'closure');
    expect(closure.text).toContain('您向城关镇人民政府提出的最低生活保障申请');
    expect(closure.text).toContain('因未在期限内补齐材料');
    expect(closure.text).toContain('60日内向修武县人民政府申请行政复议');
    expect(closure.text).toContain('6个月内直接向修武县人民法院提起行政诉讼');
    expect(closure.text.replace(/DB\d{6}-\d{4}-\d{6}/g, '')).not.toMatch(/[A-Za-z]|¥/);
  });

  it('breaches and escalates the 30-working-day deadline on its exact day, holidays counted, not a day earlier', async () => {
    // Accepted Monday 2026-09-14: 30 working days count the make-up Sunday 20 Sep and Saturday 10 Oct, skip
    // Mid-Autumn (25–27 Sep) and National Day (1–7 Oct), and end on Friday 30 Oct 2026 at 24:00 Shanghai (16:00 UTC).
    const caseId = await apply();
    await accept(caseId);
    const procedure = (await readCase(caseId)).openDeadlines.find((d: { type: string }) => d.type === 'dibao.procedure');
    expect(procedure.dueAt).toBe('2026-10-30T15:59:59.999Z');
    await s.moveTo(new Date('2026-10-30T15:59:00Z'));
    let c = await readCase(caseId);
    expect(c.timeline.map((e: { kind: string }) => e.kind)).not.toContain('deadline-breached');
    await s.moveTo(new Date('2026-10-30T16:00:00Z'));
    c = await s.until(`breach of ${caseId}`, () => readCase(caseId), (x) => x.timeline.some((e: { kind: string }) => e.kind === 'deadline-breached'));
    expect(c.deadlines.find((d: { type: string }) => d.type === 'dibao.procedure').breachedAt).toBe('2026-10-30T16:00:00.000Z');
    await taskOf(caseId, 'Task_county_follow_up', county);
    // The follow-up form shows the limits as dates in Shanghai, not UTC instants.
    const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchVariables({ filter: { processInstanceKey: c.processInstanceKey, name: 'procedureDueText' } as never }, { consistency: { waitUpToMs: 0 } });
    expect(JSON.parse(String(items[0]?.value))).toBe('2026年10月30日');
  });

  it('never approves a benefit of 0 fen: the form offers only a refusal, and an approval sent past it goes back to the decision', async () => {
    const { caseId, task } = await highIncomeAtDecision();
    const approval = await s.post(leader, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { decision: 'approve', decisionReasons: '同意纳入' } });
    expect(approval.status).toBe(400);
    expect(approval.body.errors).toEqual([expect.objectContaining({ field: 'variables.decision', message: expect.stringContaining('0.00元') })]);
    // Past our API, through the engine: the task listener checks the values declared on the task by the same rules.
    const engine = s.app.get<CamundaClient>(CAMUNDA_CLIENT);
    const approve = { decision: 'approve', decisionReasons: '同意纳入' };
    const denied = await completeThroughEngine(engine, task, leader.id!, approve).catch((error: { detail?: string }) => error);
    expect(String((denied as { detail?: string }).detail)).toMatch(/denied by Task Listener. Reason to deny: '.*0\.00元/);
    // A client that declares a refusal and sends an approval gets past the listener: the worker refuses it, and the
    // decision is asked again.
    await completeThroughEngine(engine, task, leader.id!, approve, { decision: 'refuse', decisionReasons: '家庭人均收入超过低保标准' });
    const c = await readCase(caseId);
    const again = await s.until(
      'the decision to be asked again',
      async () => ((await s.get(leader, `/api/v1/tasks?processInstanceKey=${c.processInstanceKey}`)).body.items ?? []).find((t: { elementId: string; userTaskKey: string }) => t.elementId === 'Task_leader_decision' && t.userTaskKey !== task.userTaskKey),
      (found) => found !== undefined,
    );
    const returned = await readCase(caseId);
    expect(returned.status).not.toBe('in-notice');
    expect(returned.notices.filter((n: { kind: string }) => n.kind === 'public')).toEqual([]);
    expect(returned.timeline.find((e: { kind: string }) => e.kind === 'approval-returned').details.reason).toContain('0.00元');
    expect((await s.get(supervisor, '/api/v1/sla/incidents')).body.items).toEqual([]);
    await s.post(leader, `/api/v1/tasks/${again.userTaskKey}/claim`);
    expect((await s.post(leader, `/api/v1/tasks/${again.userTaskKey}/complete`, { variables: { decision: 'refuse', decisionReasons: '家庭人均收入超过低保标准' } })).status).toBe(204);
    await untilStatus(caseId, 'refused');
  });

  it('hides a case and its tasks from a caseworker of another township', async () => {
    const caseId = await apply();
    expect((await s.get(otherTownship, `/api/v1/dibao/cases/${caseId}`)).status).toBe(404);
    const task = await taskOf(caseId, 'Task_accept', caseworker);
    const listed = await s.get(otherTownship, `/api/v1/tasks`);
    const items = Array.isArray(listed.body) ? listed.body : (listed.body.items ?? []);
    expect(items.map((t: { userTaskKey: string }) => t.userTaskKey)).not.toContain(task.userTaskKey);
    expect((await s.post(otherTownship, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { materialsComplete: true } })).status).toBe(404);
    expect((await s.get(otherTownship, `/api/v1/dibao/cases?region=410821100`)).status).toBe(403);
  });
});
