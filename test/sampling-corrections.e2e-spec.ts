import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DibaoCorrectionWorkers } from '../src/dibao/dibao-correction.workers';
import { strictClient } from './support/engine';
import { type Actor, idNumber, Scenario } from './support/scenario';

/**
 * County corrections (seed 004 sampling; 法§48), all through the API and the task list: two relatives' cases decided
 * by the township in October (one refused, one approved), the November batch draws both, the county corrects both;
 * the refused case re-opens for admission, the approved one is terminated after the family is heard.
 */
describe('county sampling corrections', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-reviewer' };
  const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker' };
  const leader: Actor = { roles: [Role.TownshipLeader], region: '410821100', id: 'leader' };
  const supervisor: Actor = { roles: [Role.Supervisor], region: '410821' };
  let s: Scenario;

  beforeAll(async () => {
    // Monday 2026-10-12, 09:00 in Shanghai.
    s = await Scenario.start(new Date('2026-10-12T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  const read = async (caseId: string) => (await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`)).body;
  const untilStatus = (caseId: string, status: string) => s.until(`case ${caseId} ${status}`, () => read(caseId), (c) => c.status === status);

  /** A township decision on a relatives' case (registered sibling of a caseworker): it goes to the joint meeting. */
  const decide = async (name: string, birth: string, decision: 'approve' | 'refuse') => {
    const relative = idNumber(VILLAGE, birth, '555');
    const csv = [
      'staff_name,staff_id_number,post,region_code,relative_name,relative_id_number,relation,valid_from,valid_to',
      `王经办,${idNumber(VILLAGE, '19850101', '111')},township-caseworker,410821100,${name},${relative},sibling,2026-01-01,`,
    ].join('\n');
    expect((await s.post(county, '/api/v1/relatives-registry/import', { csv })).status).toBe(200);
    const application = Scenario.application(VILLAGE, name, birth);
    (application.members as { idNumber: string }[])[0]!.idNumber = relative;
    const caseId = await s.apply(integrator, application);
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '甲、乙', investigationSummary: '入户核实' });
    await s.completeTask(caseId, 'Task_proposal', caseworker, { proposal: decision, proposalReasons: '依据核算结果' });
    await s.completeTask(caseId, 'Task_joint_meeting', leader, { decision, decisionReasons: decision === 'approve' ? '同意纳入' : '家庭收入超过标准' });
    return caseId;
  };

  it('re-opens the refused case and, after hearing the family, terminates the approved one — all in the audit trail', async () => {
    const refused = await decide('孙一', '19610201', 'refuse');
    const approved = await decide('孙二', '19610202', 'approve');
    await untilStatus(refused, 'refused');
    const notice = (await untilStatus(approved, 'in-notice')).notices.find((n: { kind: string }) => n.kind === 'public');
    await s.moveTo(new Date(new Date(notice.endsAt).getTime() + 1_000));
    await untilStatus(approved, 'enrolled');

    // November: the batch draws both relatives' cases (60% of 2 rounds up to 2).
    await s.moveTo(new Date('2026-11-02T01:00:00Z'));
    const tasks = await s.until('the two county reviews', async () => (await s.get(county, '/api/v1/tasks?elementId=Task_county_review')).body.items, (items) => items.length === 2);
    const [batch] = (await s.get(county, '/api/v1/sampling/batches')).body.items;
    expect(batch.counts).toMatchObject({ decisions: 2, relativesCases: 2 });
    for (const task of tasks) {
      const reviewed = await s.post(county, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables: { reviewOutcome: 'corrected', reviewReasons: '乡镇决定有误' } });
      expect(reviewed.status).toBe(204);
    }

    // The wrongly refused case is back at admission, with a fresh procedure; the refused one is cancelled.
    const before = (await read(refused)).processInstanceKey;
    const reopened = await s.until('the refused case re-opened', () => read(refused), (c) => c.status === 'applied' && c.currentSteps?.some((step: { elementId: string }) => step.elementId === 'Task_accept'));
    expect(reopened.processInstanceKey).not.toBe(before);
    expect(reopened.timeline.map((e: { kind: string }) => e.kind)).toEqual(expect.arrayContaining(['refused', 'sampling-corrected', 'county-correction', 'reopened']));
    const engine = strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!);
    const old = await engine.getProcessInstance({ processInstanceKey: before }, { consistency: { waitUpToMs: 0 } });
    expect(old.state).toBe('TERMINATED');
    // A retried re-open job whose first run started the procedure but crashed before recording it: no second procedure.
    const db = s.app.get(DataSource);
    await db.query(`UPDATE dibao_case SET process_instance_key = $2 WHERE id = $1`, [refused, before]);
    await s.app.get(DibaoCorrectionWorkers).reopen({ jobKey: 'retried-reopen', processInstanceKey: '0', variables: { caseId: refused, previousProcessInstanceKey: before, acceptDueAt: new Date().toISOString(), correctionReasons: '乡镇决定有误' } } as never);
    expect((await read(refused)).processInstanceKey).toBe(reopened.processInstanceKey);
    const { items: running } = await engine.searchProcessInstances({ filter: { processDefinitionId: 'dibao-application', state: 'ACTIVE' } } as never, { consistency: { waitUpToMs: 0 } });
    const ofCase = await engine.searchVariables({ filter: { name: 'subjectId', value: JSON.stringify(refused) } } as never, { consistency: { waitUpToMs: 0 } });
    const caseInstances = new Set(ofCase.items.map((v) => String(v.processInstanceKey)));
    expect(running.filter((i) => caseInstances.has(String(i.processInstanceKey))).map((i) => String(i.processInstanceKey))).toEqual([reopened.processInstanceKey]);
    const acceptance = (await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&type=dibao.acceptance&status=open`)).body.items;
    expect(acceptance.map((d: { subjectId: string }) => d.subjectId)).toContain(refused);

    // The wrongly approved case: the family is heard first (the statement is required), then the written notice.
    const hearing = await s.taskOf(approved, 'Task_hearing', caseworker);
    expect(hearing.subjectId).toBe(approved);
    const withoutStatement = await s.post(caseworker, `/api/v1/tasks/${hearing.userTaskKey}/complete`, { variables: { hearingConclusion: 'terminate', hearingReasons: '收入超标' } });
    expect(withoutStatement.status).toBe(400);
    expect(withoutStatement.body.errors.map((e: { field: string }) => e.field)).toContain('variables.familyStatement');
    expect((await read(approved)).status).toBe('enrolled');
    await s.completeTask(approved, 'Task_hearing', caseworker, { familyStatement: '家庭收入已有变化', hearingConclusion: 'terminate', hearingReasons: '经核实家庭人均收入超过标准' });
    const terminated = await untilStatus(approved, 'terminated');
    const termination = terminated.notices.find((n: { kind: string }) => n.kind === 'termination');
    expect(termination.text).toContain('自2026年12月起停发');
    expect(termination.text).toContain('1. 乡镇决定有误（依据：《中华人民共和国社会救助法》第四十八条）');
    expect(termination.text).toContain('2. 经核实家庭人均收入超过标准（依据：《中华人民共和国社会救助法》第四十八条）');
    expect(termination.text).toContain('您的陈述和申辩已记录在案：家庭收入已有变化');
    expect(termination.text).not.toMatch(/\d{17}[\dX]/);
    expect(await db.query(`SELECT to_char(until_month, 'YYYY-MM-DD') AS until FROM dibao_enrolment WHERE case_id = $1`, [approved])).toEqual([{ until: '2026-12-01' }]);
    const hearingDeadline = (await s.get(supervisor, `/api/v1/sla/deadlines?limit=200&type=dibao.hearing`)).body.items;
    expect(hearingDeadline).toEqual([expect.objectContaining({ subjectId: approved, status: 'met' })]);

    const actions = async (caseId: string) => (await db.query(`SELECT action FROM audit_event WHERE subject_id = $1 ORDER BY id`, [caseId])).map((r: { action: string }) => r.action);
    expect(await actions(refused)).toEqual(expect.arrayContaining(['dibao.refused', 'sampling.corrected', 'dibao.county-correction', 'dibao.reopened']));
    expect(await actions(approved)).toEqual(expect.arrayContaining(['dibao.approved', 'sampling.corrected', 'dibao.county-correction', 'task.completed', 'dibao.terminated']));
  });
});
