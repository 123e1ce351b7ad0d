import { Role } from '../src/auth/roles';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * The case context on every task (issue 18): a caseworker's task list says which family, which village and which
 * case each line is about and when the step is due (Asia/Shanghai); a task's detail carries the facts the step needs.
 * Embedded engine, Jiaozuo profile; township 410821100, villages 410821100201 and 410821100202.
 */

const VILLAGE_A = '410821100201';
const VILLAGE_B = '410821100202';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader-li' };
const villageCommittee: Actor = { roles: [Role.VillageCommittee], region: VILLAGE_A, id: 'village-zhao' };

/** Monday 2026-09-14 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');

/** Zhang San's household of three in village A, 300 yuan of wages a month. */
function zhang(): Record<string, unknown> {
  return {
    regionCode: VILLAGE_A,
    channel: 'self',
    requestType: 'household',
    area: 'rural',
    members: [
      { id: 'm1', name: '张三', idNumber: idNumber(VILLAGE_A, '19800101'), age: 46, relation: 'applicant', seriousIllness: false, inSchool: false, employed: true },
      { id: 'm2', name: '李梅', idNumber: idNumber(VILLAGE_A, '19820202'), age: 44, relation: 'spouse', seriousIllness: false, inSchool: false, employed: false },
      { id: 'm3', name: '张小宝', idNumber: idNumber(VILLAGE_A, '20150303'), age: 11, relation: 'child', seriousIllness: false, inSchool: true, employed: false },
    ],
    incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 30_000 }],
    expenditures: [],
    assets: { financialFen: 0 },
  };
}

describe('case context on tasks', () => {
  let s: Scenario;

  beforeEach(async () => {
    s = await Scenario.start(START);
  });

  afterEach(async () => {
    await s?.close();
  });

  const apply = async (body: Record<string, unknown>) => {
    const response = await s.post(integrator, '/api/v1/dibao/applications', body, { 'Idempotency-Key': `apply-${Math.random()}` });
    expect(response.status).toBe(201);
    return response.body as { caseId: string; caseNumber: string; acceptDueAt: string };
  };
  const detail = async (caseId: string, elementId: string, actor: Actor) => {
    const task = await s.taskOf(caseId, elementId, actor);
    const response = await s.get(actor, `/api/v1/tasks/${task.userTaskKey}`);
    expect(response.status).toBe(200);
    return response.body;
  };
  const readCase = async (caseId: string) => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
  const untilStatus = (caseId: string, status: string) => s.until(`case ${caseId} to be ${status}`, () => readCase(caseId), (c) => c.status === status);

  it('tells two acceptance tasks apart: case number, applicant (ID masked), village, household size, due text', async () => {
    const a = await apply(zhang());
    const b = await apply(Scenario.application(VILLAGE_B, '王芳', '19600505', '456'));
    await s.taskOf(a.caseId, 'Task_accept', caseworker);
    await s.taskOf(b.caseId, 'Task_accept', caseworker);
    const list = await s.get(caseworker, '/api/v1/tasks?elementId=Task_accept');
    expect(list.status).toBe(200);
    const bySubject = new Map(list.body.items.map((t: { subjectId: string }) => [t.subjectId, t]));
    const lineA = bySubject.get(a.caseId) as { name: string; context: Record<string, unknown> };
    const lineB = bySubject.get(b.caseId) as { name: string; context: Record<string, unknown> };
    // The same step, two families: the context tells them apart.
    expect(lineA.name).toBe(lineB.name);
    expect(lineA.context).toEqual({
      subjectType: 'dibao-case',
      subjectId: a.caseId,
      caseNumber: a.caseNumber,
      caseStatus: 'applied',
      applicantName: '张三',
      applicantIdNumber: `410821********${idNumber(VILLAGE_A, '19800101').slice(-4)}`,
      villageCode: VILLAGE_A,
      villageName: '东关村民委员会',
      townshipCode: '410821100',
      townshipName: '城关镇',
      householdSize: 3,
      dueAt: a.acceptDueAt,
      dueText: expect.stringMatching(/^2026年9月\d{1,2}日 \d{2}:\d{2}$/),
    });
    expect(lineB.context).toMatchObject({ caseNumber: b.caseNumber, applicantName: '王芳', villageCode: VILLAGE_B, householdSize: 1, dueAt: b.acceptDueAt });
    expect(lineA.context.caseNumber).not.toBe(lineB.context.caseNumber);
    // The due text is the due instant read in Shanghai (UTC+8), not in UTC.
    const due = new Date(a.acceptDueAt);
    const shanghai = new Date(due.getTime() + 8 * 3_600_000);
    const hhmm = `${String(shanghai.getUTCHours()).padStart(2, '0')}:${String(shanghai.getUTCMinutes()).padStart(2, '0')}`;
    expect(lineA.context.dueText).toBe(`${shanghai.getUTCFullYear()}年${shanghai.getUTCMonth() + 1}月${shanghai.getUTCDate()}日 ${hhmm}`);
    // No full ID number anywhere in the list.
    expect(JSON.stringify(list.body)).not.toMatch(/\d{17}[\dX]/);
  });

  it("a task's detail carries the members, the declared incomes and the assessment with its steps", async () => {
    const a = await apply(zhang());
    await s.completeTask(a.caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const investigation = await detail(a.caseId, 'Task_investigation', caseworker);
    expect(investigation.context.caseNumber).toBe(a.caseNumber);
    expect(investigation.context.facts.members.map((m: { name: string }) => m.name)).toEqual(['张三', '李梅', '张小宝']);
    expect(investigation.context.facts.members[0].idNumber).toMatch(/^410821\*{8}\d{3}[\dX]$/);
    expect(investigation.context.facts.incomes.declared).toEqual([{ memberId: 'm1', category: 'wages', monthlyFen: 30_000 }]);
    expect(investigation.context.facts.assessment).toBeNull();
    expect(JSON.stringify(investigation.context)).not.toMatch(/\d{17}[\dX]/);

    await s.completeTask(a.caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    const proposal = await detail(a.caseId, 'Task_proposal', caseworker);
    const assessment = proposal.context.facts.assessment;
    expect(assessment.outcome).toBe('eligible');
    expect(assessment.benefitYuan).toBe((assessment.benefitFen / 100).toFixed(2));
    expect(assessment.steps.length).toBeGreaterThan(2);
    expect(assessment.steps.every((step: { description: string }) => step.description.length > 0)).toBe(true);
    // Read by a caseworker: Chinese only, yuan, members by name.
    expect(JSON.stringify([assessment.reasons, assessment.steps.map((step: { description: string }) => step.description)])).not.toMatch(/[¥]|\/ [A-Z]|\bm\d\b/);
    expect(proposal.context.facts.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['applied', 'accepted', 'assessed']));
  });

  it('whoever re-checks a case after an objection reads the objection with its text', async () => {
    const a = await apply(zhang());
    await s.completeTask(a.caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(a.caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    await s.completeTask(a.caseId, 'Task_proposal', caseworker, { proposal: 'approve', proposalReasons: '依据核算结果' });
    await s.completeTask(a.caseId, 'Task_leader_decision', leader, { decision: 'approve', decisionReasons: '同意纳入' });
    await untilStatus(a.caseId, 'in-notice');
    expect((await s.post(villageCommittee, `/api/v1/dibao/cases/${a.caseId}/objections`, { text: '该户有营运车辆未申报', lodgedBy: '村民（匿名）' })).status).toBe(204);
    await untilStatus(a.caseId, 'accepted');
    const recheck = await detail(a.caseId, 'Task_investigation', caseworker);
    expect(recheck.context.facts.objections).toEqual([{ text: '该户有营运车辆未申报', lodgedBy: '村民（匿名）', lodgedAt: expect.any(String) }]);
    // … and the proposal and the township's approval the objection came after, with their reasons and who gave them.
    const steps = recheck.context.facts.steps as { step: string; actorId: string; values: Record<string, unknown> }[];
    expect(steps.map((step) => step.step)).toEqual(['受理 Accept application', '入户调查与经济状况核对 Economic verification and home investigation', '乡镇审核：经办人意见 Township audit: caseworker proposal', '乡镇审批 Township leader decision']);
    expect(steps.slice(2)).toEqual([
      expect.objectContaining({ actorId: 'caseworker-wang', values: { proposal: 'approve', proposalReasons: '依据核算结果' } }),
      expect.objectContaining({ actorId: 'leader-li', values: { decision: 'approve', decisionReasons: '同意纳入' } }),
    ]);
  });

  it('whoever delivers a refusal reads the decision with its reasons', async () => {
    const a = await apply({ ...zhang(), incomes: [{ memberId: 'm1', category: 'wages', monthlyFen: 500_000 }] });
    await s.completeTask(a.caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(a.caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实' });
    await s.completeTask(a.caseId, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '收入超过标准' });
    await s.completeTask(a.caseId, 'Task_leader_decision', leader, { decision: 'refuse', decisionReasons: '家庭人均收入超过低保标准' });
    const delivery = await detail(a.caseId, 'Task_deliver_refusal', caseworker);
    expect(delivery.context.caseStatus).toBe('refused');
    expect(delivery.context.facts.decisions).toEqual([{ decision: 'refuse', reasons: '家庭人均收入超过低保标准', benefitFen: 0, decidedAt: expect.any(String) }]);
    expect(delivery.context.facts.assessment.outcome).toBe('not-eligible');
  });

  it('an objection with a verified income re-assesses on the verified figure; the re-check reads the objection and the source of each figure', async () => {
    const a = await apply(zhang());
    await s.completeTask(a.caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const visit = { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实', homeVisitFindings: '住房为自建平房，未见车辆' };
    await s.completeTask(a.caseId, 'Task_investigation', caseworker, visit);
    const first = (await detail(a.caseId, 'Task_proposal', caseworker)).context.facts;
    expect(first.assessment.outcome).toBe('eligible');
    expect(first.incomes.verified).toEqual([]);
    expect(first.assessment.steps.map((step: { description: string }) => step.description)).toContainEqual(expect.stringMatching(/^计入：张三 工资性收入 300\.00元（申报）$/));
    await s.completeTask(a.caseId, 'Task_proposal', caseworker, { proposal: 'approve', proposalReasons: '依据核算结果' });
    await s.completeTask(a.caseId, 'Task_leader_decision', leader, { decision: 'approve', decisionReasons: '同意纳入' });
    await untilStatus(a.caseId, 'in-notice');
    expect((await s.post(villageCommittee, `/api/v1/dibao/cases/${a.caseId}/objections`, { text: '该户有营运货车一辆未申报', lodgedBy: '村民（匿名）' })).status).toBe(204);
    await untilStatus(a.caseId, 'accepted');

    // The investigation form takes yuan with at most two decimals, for a member of the household.
    const task = await s.taskOf(a.caseId, 'Task_investigation', caseworker);
    const wrong = await s.post(caseworker, `/api/v1/tasks/${task.userTaskKey}/complete`, {
      variables: { ...visit, verifiedIncomes: [{ memberId: 'm9', category: 'business', monthlyYuan: 3000.001 }] },
    });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('variables.verifiedIncomes[0].memberId');
    expect(JSON.stringify(wrong.body)).toContain('variables.verifiedIncomes[0].monthlyYuan');
    await s.completeTask(a.caseId, 'Task_investigation', caseworker, {
      ...visit,
      homeVisitFindings: '院内停放营运货车一辆，申请人自述跑运输',
      verifiedIncomes: [{ memberId: 'm1', category: 'business', monthlyYuan: 3000 }],
    });

    const recheck = await detail(a.caseId, 'Task_village_review', villageCommittee);
    const facts = recheck.context.facts;
    expect(facts.objections.map((o: { text: string }) => o.text)).toEqual(['该户有营运货车一辆未申报']);
    expect(facts.incomes.declared).toEqual([{ memberId: 'm1', category: 'wages', monthlyFen: 30_000 }]);
    expect(facts.incomes.verified).toEqual([{ memberId: 'm1', category: 'business', monthlyFen: 300_000, source: 'verified' }]);
    // Re-assessed: the verified 3,000 yuan counts beside the declared wages, and the steps say which is which.
    expect(facts.assessment.outcome).not.toBe('eligible');
    expect(facts.assessment.benefitFen).toBe(0);
    const steps = facts.assessment.steps.map((step: { description: string }) => step.description);
    expect(steps).toContainEqual(expect.stringMatching(/^计入：张三 经营净收入 3000\.00元（核实）$/));
    expect(steps).toContainEqual(expect.stringMatching(/^计入：张三 工资性收入 300\.00元（申报）$/));
    const investigated = facts.timeline.filter((e: { kind: string }) => e.kind === 'investigated');
    expect(investigated.map((e: { details: { homeVisitFindings: string } }) => e.details.homeVisitFindings)).toEqual(['住房为自建平房，未见车辆', '院内停放营运货车一辆，申请人自述跑运输']);
    expect(investigated[1].details).toMatchObject({ investigators: '王五、赵六' });
  });

  it("a temporary-aid reply task names the request's number, applicant (ID masked), village and household size", async () => {
    const village = '632301100201';
    const hotline: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
    const haidongCaseworker: Actor = { roles: [Role.TownshipCaseworker], region: '632301100', id: 'caseworker-ma' };
    const applicantIdNumber = idNumber(village, '19800101', '101');
    const requested = await s.post(
      hotline,
      '/api/v1/temporary-aid/requests',
      { regionCode: village, channel: 'hotline', area: 'rural', applicantName: '马福', applicantIdNumber, householdSize: 4, description: '昨夜房屋失火，衣物口粮尽毁' },
      { 'Idempotency-Key': 'aid-context-1' },
    );
    expect(requested.status).toBe(201);
    const { requestId, processInstanceKey, replyDueAt } = requested.body;
    const request = (await s.get(haidongCaseworker, `/api/v1/temporary-aid/requests/${requestId}`)).body;
    const task = await s.taskIn(processInstanceKey, 'Task_reply', haidongCaseworker);
    const line = ((await s.get(haidongCaseworker, `/api/v1/tasks?processInstanceKey=${processInstanceKey}`)).body.items as { userTaskKey: string; context: unknown }[]).find((t) => t.userTaskKey === task.userTaskKey)!;
    expect(line.context).toEqual({
      subjectType: 'temporary-aid',
      subjectId: requestId,
      caseNumber: request.requestNumber,
      caseStatus: 'requested',
      applicantName: '马福',
      applicantIdNumber: `632301********${applicantIdNumber.slice(-4)}`,
      villageCode: village,
      villageName: '吾屯下庄村委会',
      townshipCode: '632301100',
      townshipName: '隆务镇',
      householdSize: 4,
      dueAt: replyDueAt,
      dueText: '2026年9月14日 21:00',
    });
    const detailed = (await s.get(haidongCaseworker, `/api/v1/tasks/${task.userTaskKey}`)).body;
    expect(detailed.context).toMatchObject({ caseNumber: request.requestNumber, facts: null });
  });
});
