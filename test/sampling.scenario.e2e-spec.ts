import { DataSource } from 'typeorm';
import { Role } from '../src/auth/roles';
import { DeadlineSweeper } from '../src/sla/deadline-sweeper';
import { strictClient } from './support/engine';
import { type Actor, Scenario } from './support/scenario';

/** bpmn/county-sampling*.bpmn: a monthly timer draws each county's batch; the county reviews each selected case. */
describe('county sampling on the engine', () => {
  const VILLAGE = '410821100201';
  const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
  const county: Actor = { roles: [Role.CountyCivilAffairs], region: '410821', id: 'county-reviewer' };
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(new Date('2026-10-20T01:00:00Z'));
  });

  afterAll(async () => {
    await s?.close();
  });

  const instances = async () => {
    const { items } = await strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!).searchProcessInstances({ filter: { processDefinitionId: 'county-sampling' } }, { consistency: { waitUpToMs: 0 } });
    return items;
  };

  it('starts once per month, draws the county’s batch, and records each county review in the audit trail', async () => {
    // Three township decisions of October (approvals and a refusal) in the county's sampling pool.
    const caseIds: string[] = [];
    const caseNumbers = new Map<string, string>();
    for (const [i, name] of ['甲', '乙', '丙'].entries()) {
      const caseId = await s.apply(integrator, Scenario.application(VILLAGE, `张${name}`, `1960010${i + 1}`));
      caseIds.push(caseId);
      const { caseNumber } = (await s.get(county, `/api/v1/dibao/cases/${caseId}`)).body;
      caseNumbers.set(caseId, caseNumber);
      await s.app.get(DataSource).query(
        `INSERT INTO sampling_pool_entry (subject_type, subject_id, decided_at, county_code, township_code, region_code, decision, relatives_case, complaint, case_number, applicant_name)
         VALUES ('dibao-case', $1, '2026-10-21T02:00:00Z', '410821', '410821100', '410821100201', $2, false, false, $3, $4)`,
        [caseId, i === 2 ? 'refuse' : 'approve', caseNumber, `张${name}`],
      );
    }
    expect(await instances()).toHaveLength(0);
    await s.moveTo(new Date('2026-11-01T01:00:00Z'));
    expect(await instances()).toHaveLength(1);
    await s.moveTo(new Date('2026-11-20T01:00:00Z'));
    expect(await instances()).toHaveLength(1);

    const tasks = await s.until('the county review tasks', async () => (await s.get(county, '/api/v1/tasks?elementId=Task_county_review')).body.items, (items) => items.length >= 1);
    const [batch] = (await s.get(county, '/api/v1/sampling/batches')).body.items;
    expect(batch).toMatchObject({ period: '2026-10', counts: { decisions: 3 }, required: { total: 1, relatives: 0 } });
    expect(tasks).toHaveLength(batch.selected.length);
    // Each review task says which family's decision it reviews: in the task list, in its detail, and in its form.
    for (const task of tasks) {
      const caseId = task.context.subjectId as string;
      expect(caseIds).toContain(caseId);
      expect(task.context).toMatchObject({ subjectType: 'dibao-case', caseNumber: caseNumbers.get(caseId), villageName: '东关村民委员会', townshipName: '城关镇' });
      expect(task.context.applicantName).toMatch(/^张[甲乙丙]$/);
      const detail = (await s.get(county, `/api/v1/tasks/${task.userTaskKey}`)).body;
      expect(detail.context.facts.members).toEqual([expect.objectContaining({ name: task.context.applicantName })]);
      const decision = caseIds.indexOf(caseId) === 2 ? '不予批准' : '批准';
      expect(detail.variables).not.toHaveProperty('caseLabel'); // the task's own scope, not the instance's
      const engine = strictClient(s.testApp.config.ZEEBE_REST_ADDRESS!);
      const { items: labels } = await engine.searchVariables({ filter: { scopeKey: task.elementInstanceKey, name: 'caseLabel' } } as never, { consistency: { waitUpToMs: 0 } });
      expect(labels.map((v) => JSON.parse(v.value))).toEqual([`${caseNumbers.get(caseId)} ${task.context.applicantName}（东关村民委员会，城关镇），乡镇决定：${decision}`]);
    }
    for (const [i, task] of tasks.entries()) {
      const variables = i === 0 ? { reviewOutcome: 'corrected', reviewReasons: '家庭财产核查有误' } : { reviewOutcome: 'confirmed', reviewReasons: '核查无误' };
      expect((await s.post(county, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables })).status).toBe(204);
    }
    const reviewed = await s.until('the reviews', async () => (await s.get(county, `/api/v1/sampling/batches/${batch.id}`)).body, (b) => b.progress.reviewed === batch.selected.length);
    expect(reviewed.progress).toEqual({ selected: batch.selected.length, reviewed: batch.selected.length });
    const corrected = await s.app.get(DataSource).query(`SELECT subject_id FROM audit_event WHERE action = 'sampling.corrected'`);
    expect(corrected).toHaveLength(1);
    expect(caseIds).toContain(corrected[0].subject_id);
    await s.until('the review deadline met', async () => (await s.get({ roles: [Role.Supervisor], region: '410821' }, '/api/v1/sla/deadlines?limit=200&type=sampling.review&status=met')).body.items, (list) => list.length === 1);

    // November's decision: December's batch draws it, and nobody reviews it in time.
    await s.app.get(DataSource).query(
      `INSERT INTO sampling_pool_entry (subject_type, subject_id, decided_at, county_code, township_code, region_code, decision, relatives_case, complaint)
       VALUES ('dibao-case', $1, '2026-11-10T02:00:00Z', '410821', '410821100', '410821100201', 'refuse', false, false)`,
      [caseIds[2]],
    );
    await s.moveTo(new Date('2026-12-01T01:00:00Z'));
    expect(await instances()).toHaveLength(2);
    const supervisor: Actor = { roles: [Role.Supervisor], region: '410821' };
    const [open] = await s.until('December’s review deadline', async () => (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=sampling.review&status=open')).body.items, (list) => list.length === 1);
    const sweeper = s.app.get(DeadlineSweeper);
    const breachedReviews = async () => (await s.get(supervisor, '/api/v1/sla/deadlines?limit=200&type=sampling.review&status=breached')).body.items;
    await s.moveTo(new Date(new Date(open.dueAt).getTime() - 1_000));
    await sweeper.sweep();
    expect(await breachedReviews()).toEqual([]);
    await s.moveTo(new Date(new Date(open.dueAt).getTime() + 1_000));
    await sweeper.sweep();
    const breached = await breachedReviews();
    expect(breached).toEqual([expect.objectContaining({ subjectType: 'sampling-batch', subjectId: open.subjectId, responsibleGroup: 'county-civil-affairs' })]);
  });
});
