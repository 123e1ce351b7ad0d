import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * Separation of duties, reassignment, the audit of decisions and duplicate applications (issue 18), through the API
 * on the embedded engine. Jiaozuo: county 410821 (township 410821100), and 410802 (another county of the same city).
 */
const VILLAGE = '410821100201';
const TOWNSHIP = '410821100';
const OTHER_COUNTY_VILLAGE = '410802001001';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const otherIntegrator: Actor = { roles: [Role.Integrator], region: '410802', id: 'portal-jiefang' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-wang' };
const colleague: Actor = { roles: [Role.TownshipCaseworker], region: TOWNSHIP, id: 'caseworker-zhao' };
const both: Actor = { roles: [Role.TownshipCaseworker, Role.TownshipLeader], region: TOWNSHIP, id: 'deputy-sun' };
const leader: Actor = { roles: [Role.TownshipLeader], region: TOWNSHIP, id: 'leader-li' };
const villageCommittee: Actor = { roles: [Role.VillageCommittee], region: VILLAGE, id: 'village-zhao' };
const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-chen' };

/** Monday 2026-09-14 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');

describe('separation of duties, reassignment, audit of decisions, duplicate applications', () => {
  let s: Scenario;
  let sequence = 100;

  beforeAll(async () => {
    s = await Scenario.start(START);
  });

  afterAll(async () => {
    await s?.close();
  });

  /** A one-member application with an ID number of its own. */
  const application = (village = VILLAGE) => {
    sequence += 1;
    return Scenario.application(village, '张三', '19800101', String(sequence));
  };
  const apply = (body: Record<string, unknown> = application(), actor = integrator) => s.apply(actor, body, `apply-${Math.random()}`);
  const claim = async (key: string, actor: Actor) => s.post(actor, `/api/v1/tasks/${key}/claim`);
  const complete = async (key: string, actor: Actor, variables: Record<string, unknown>) => s.post(actor, `/api/v1/tasks/${key}/complete`, { variables });
  const auditOf = async (caseId: string, action: string) => {
    const events = (await s.get(county, `/api/v1/audit-events?subjectType=dibao-case&subjectId=${caseId}&limit=200`)).body.items as { action: string; actorId: string; details: Record<string, any> }[];
    return events.filter((e) => e.action === action);
  };
  const investigation = { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，家庭无其他收入' };

  /** Accepted and investigated by `investigator`, at the proposal. */
  const atProposal = async (investigator: Actor = caseworker) => {
    const caseId = await apply();
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(caseId, 'Task_investigation', investigator, investigation);
    return caseId;
  };

  it('refuses the decision to whoever proposed the case (403, naming the step), at claim and at completion; another leader decides', async () => {
    const caseId = await atProposal();
    await s.completeTask(caseId, 'Task_proposal', both, { proposal: 'approve', proposalReasons: '人均收入低于当地标准' });
    const decision = await s.taskOf(caseId, 'Task_leader_decision', both);

    const claimed = await claim(decision.userTaskKey, both);
    expect(claimed.status).toBe(403);
    expect(claimed.headers['content-type']).toContain('application/problem+json');
    expect(claimed.body).toMatchObject({ code: 'separation-of-duties', title: expect.stringContaining('Task_proposal') });
    // Named as the caseworker reads them, in Chinese first.
    expect(claimed.body.title).toMatch(/^职责分离：\S+ 已办理本案“乡镇审核：经办人意见 Township audit: caseworker proposal”，不能再办理“乡镇审批 Township leader decision”，须由他人办理/);
    const completed = await complete(decision.userTaskKey, both, { decision: 'approve', decisionReasons: '同意' });
    expect(completed.status).toBe(403);
    expect(completed.body.code).toBe('separation-of-duties');
    // A leader cannot hand the decision to the proposer either.
    const handed = await s.post(leader, `/api/v1/tasks/${decision.userTaskKey}/assignment`, { assignee: both.id });
    expect(handed.status).toBe(403);
    expect(handed.body.code).toBe('separation-of-duties');

    expect((await complete(decision.userTaskKey, leader, { decision: 'approve', decisionReasons: '同意纳入低保' })).status).toBe(204);
  });

  it('refuses the decision to whoever investigated the case', async () => {
    const caseId = await atProposal(both);
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '收入超过标准' });
    const decision = await s.taskOf(caseId, 'Task_leader_decision', both);
    const completed = await complete(decision.userTaskKey, both, { decision: 'refuse', decisionReasons: '收入超过标准' });
    expect(completed.status).toBe(403);
    expect(completed.body.title).toContain('Task_investigation');
  });

  it('records the decision and its reasons in the audit row of a completion, ID numbers masked', async () => {
    const caseId = await atProposal();
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: 'refuse', proposalReasons: '申请人张三（身份证410821198001011234）收入超过标准' });
    const [proposal] = (await auditOf(caseId, 'task.completed')).filter((e) => e.details.elementId === 'Task_proposal');
    expect(proposal).toMatchObject({
      actorId: 'caseworker-wang',
      details: { elementId: 'Task_proposal', values: { proposal: 'refuse', proposalReasons: '申请人张三（身份证410821********1234）收入超过标准' } },
    });
    expect(JSON.stringify(proposal)).not.toContain('410821198001011234');
    const [investigated] = (await auditOf(caseId, 'task.completed')).filter((e) => e.details.elementId === 'Task_investigation');
    expect(investigated!.details.values).toEqual(investigation);
  });

  it('refuses the approval of temporary aid to whoever handled the township reply', async () => {
    const township = '632301100';
    const hotline: Actor = { roles: [Role.Integrator], region: '632301', id: 'hotline' };
    const deputy: Actor = { roles: [Role.TownshipCaseworker, Role.TownshipLeader], region: township, id: 'deputy-ma' };
    const aidLeader: Actor = { roles: [Role.TownshipLeader], region: township, id: 'leader-han' };
    const requested = await s.post(hotline, '/api/v1/temporary-aid/requests', {
      regionCode: `${township}201`, channel: 'hotline', area: 'rural', applicantName: '马一', applicantIdNumber: idNumber(`${township}201`, '19800101', '301'), householdSize: 4, description: '昨夜房屋失火',
    });
    expect(requested.status).toBe(201);
    const pik = requested.body.processInstanceKey as string;
    await s.completeIn(pik, 'Task_reply', deputy, { aidType: 'emergency', severity: 'general', urgent: false, referral: 'none', replyNotes: '已核实', proposedYuan: 2000 });
    const approval = await s.taskIn(pik, 'Task_township_approval', deputy);
    const claimed = await claim(approval.userTaskKey, deputy);
    expect(claimed.status).toBe(403);
    expect(claimed.body).toMatchObject({ code: 'separation-of-duties', title: expect.stringContaining('Task_reply') });
    expect((await complete(approval.userTaskKey, aidLeader, { approvalDecision: 'approve', paymentMode: 'one-off', approvalReasons: '火灾致基本生活困难' })).status).toBe(204);
  });

  describe('reassignment', () => {
    it('a colleague cannot take over a claimed task (409 naming the assignee); a leader reassigns it, audited, and the new assignee completes it', async () => {
      const caseId = await atProposal();
      const proposal = await s.taskOf(caseId, 'Task_proposal', caseworker);
      expect((await claim(proposal.userTaskKey, caseworker)).status).toBe(204);

      const takeOver = await claim(proposal.userTaskKey, colleague);
      expect(takeOver.status).toBe(409);
      expect(takeOver.body).toMatchObject({ code: 'task-assigned', title: expect.stringContaining('caseworker-wang') });
      expect((await complete(proposal.userTaskKey, colleague, { proposal: 'approve', proposalReasons: '同意' })).status).toBe(409);
      // Only a leader reassigns.
      expect((await s.post(colleague, `/api/v1/tasks/${proposal.userTaskKey}/assignment`, { assignee: colleague.id })).status).toBe(403);

      const reassigned = await s.post(leader, `/api/v1/tasks/${proposal.userTaskKey}/assignment`, { assignee: colleague.id });
      expect(reassigned.status).toBe(204);
      expect((await s.get(colleague, `/api/v1/tasks/${proposal.userTaskKey}`)).body.assignee).toBe(colleague.id);
      expect(await auditOf(caseId, 'task.reassigned')).toEqual([
        expect.objectContaining({ actorId: 'leader-li', details: expect.objectContaining({ userTaskKey: proposal.userTaskKey, elementId: 'Task_proposal', from: 'caseworker-wang', to: 'caseworker-zhao' }) }),
      ]);
      expect((await complete(proposal.userTaskKey, caseworker, { proposal: 'approve', proposalReasons: '同意' })).status).toBe(409);
      expect((await complete(proposal.userTaskKey, colleague, { proposal: 'approve', proposalReasons: '人均收入低于标准' })).status).toBe(204);
    });

    it('is refused to a county user for a township task, and checks its key and body', async () => {
      const caseId = await atProposal();
      const proposal = await s.taskOf(caseId, 'Task_proposal', caseworker);
      expect((await s.post(county, `/api/v1/tasks/${proposal.userTaskKey}/assignment`, { assignee: colleague.id })).status).toBe(403);
      // Handed to someone of another group, the task stays out of their hands.
      expect((await s.post(leader, `/api/v1/tasks/${proposal.userTaskKey}/assignment`, { assignee: villageCommittee.id })).status).toBe(204);
      const outOfGroup = await complete(proposal.userTaskKey, villageCommittee, { proposal: 'approve', proposalReasons: '同意' });
      expect(outOfGroup.status).toBe(403);
      expect(outOfGroup.body.code).toBe('not-a-candidate');
      const badKey = await s.post(leader, '/api/v1/tasks/0/assignment', { assignee: colleague.id });
      expect(badKey.status).toBe(400);
      expect(badKey.body.errors).toEqual([expect.objectContaining({ field: 'key' })]);
      const noAssignee = await s.post(leader, `/api/v1/tasks/${proposal.userTaskKey}/assignment`, {});
      expect(noAssignee.status).toBe(400);
      expect([...new Set(noAssignee.body.errors.map((e: { field: string }) => e.field))]).toEqual(['assignee']);
    });
  });

  describe('duplicate applications', () => {
    const cases = async () => Number((await s.app.get(DataSource).query(`SELECT count(*) AS n FROM dibao_case`))[0].n);

    it('refuses a second open application of a member already in an open case (409 naming that case), using no row and no case number', async () => {
      const first = application();
      const firstResponse = await s.post(integrator, '/api/v1/dibao/applications', first, { 'Idempotency-Key': `dup-${Math.random()}` });
      expect(firstResponse.status).toBe(201);
      const before = await cases();

      // The first applicant is the spouse in the second household.
      const second = application();
      const firstApplicant = (first.members as Record<string, unknown>[])[0]!;
      second.members = [...(second.members as object[]), { ...firstApplicant, id: 'm2', relation: 'spouse' }];
      const refused = await s.post(integrator, '/api/v1/dibao/applications', second, { 'Idempotency-Key': `dup-${Math.random()}` });
      expect(refused.status).toBe(409);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'duplicate-application', title: expect.stringContaining(firstResponse.body.caseNumber) });
      expect(JSON.stringify(refused.body)).not.toContain(firstApplicant.idNumber as string);
      expect(await cases()).toBe(before);

      const next = await s.post(integrator, '/api/v1/dibao/applications', application(), { 'Idempotency-Key': `dup-${Math.random()}` });
      expect(next.status).toBe(201);
      const serial = (n: string) => Number(n.slice(-6));
      expect(serial(next.body.caseNumber)).toBe(serial(firstResponse.body.caseNumber) + 1);
    });

    it('refuses the same person in another county, the other case number masked', async () => {
      const first = application();
      const firstResponse = await s.post(integrator, '/api/v1/dibao/applications', first, { 'Idempotency-Key': `dup-${Math.random()}` });
      expect(firstResponse.status).toBe(201);
      const elsewhere = { ...first, regionCode: OTHER_COUNTY_VILLAGE };
      const refused = await s.post(otherIntegrator, '/api/v1/dibao/applications', elsewhere, { 'Idempotency-Key': `dup-${Math.random()}` });
      expect(refused.status).toBe(409);
      expect(refused.body.code).toBe('duplicate-application');
      expect(refused.body.title).toContain('DB4108**-2026-******');
      expect(JSON.stringify(refused.body)).not.toContain(firstResponse.body.caseNumber);
    });

    it('lets only one of two concurrent applications of the same person through', async () => {
      const body = application();
      const answers = await Promise.all([1, 2].map((n) => s.post(integrator, '/api/v1/dibao/applications', body, { 'Idempotency-Key': `twin-${n}-${Math.random()}` })));
      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    });

    it('accepts a new application once the earlier case is refused', async () => {
      const body = application();
      const caseId = await apply(body);
      await s.app.get(DataSource).query(`UPDATE dibao_case SET status = 'refused' WHERE id = $1`, [caseId]);
      expect((await s.post(integrator, '/api/v1/dibao/applications', body, { 'Idempotency-Key': `again-${Math.random()}` })).status).toBe(201);
    });
  });
});
