import request from 'supertest';
import { Role } from '../src/auth/roles';
import { type Actor, Scenario } from './support/scenario';

/**
 * The case page's diagram (issue 19): the model a case's procedure runs, the step(s) it is at and the path it took,
 * through GET /api/v1/process-instances/:key/diagram, scoped by region like tasks. Embedded engine, Jiaozuo profile;
 * township 410821100, village 410821100201.
 */

const VILLAGE = '410821100201';
const integrator: Actor = { roles: [Role.Integrator], region: '410821', id: 'portal' };
const caseworker: Actor = { roles: [Role.TownshipCaseworker], region: '410821100', id: 'caseworker-wang' };
const supervisor: Actor = { roles: [Role.Supervisor], region: '410821', id: 'supervisor-zhou' };
const otherTownship: Actor = { roles: [Role.TownshipCaseworker], region: '410821101', id: 'caseworker-other' };

/** Monday 2026-09-14 09:00 in Shanghai. */
const START = new Date('2026-09-14T01:00:00Z');

interface Diagram {
  processInstanceKey: string;
  processDefinitionId: string;
  processDefinitionKey: string;
  bpmnXml: string;
  activeElementIds: string[];
  completedElementIds: string[];
  takenSequenceFlowIds: string[];
}

describe('process instance diagram', () => {
  let s: Scenario;

  beforeAll(async () => {
    s = await Scenario.start(START);
  });

  afterAll(async () => {
    await s?.close();
  });

  const diagramOf = async (processInstanceKey: string, actor: Actor = caseworker): Promise<Diagram> => {
    const response = await s.get(actor, `/api/v1/process-instances/${processInstanceKey}/diagram`);
    expect(response.status).toBe(200);
    return response.body as Diagram;
  };
  /** The diagram once the instance is at `elementId` (workers finish service tasks after the API call returns). */
  const diagramAt = (processInstanceKey: string, elementId: string) =>
    s.until(`the diagram at ${elementId}`, () => diagramOf(processInstanceKey), (d) => d.activeElementIds.includes(elementId));

  it('draws the model with the current step and the path taken, growing as the case goes on; out of region it does not exist', async () => {
    const caseId = await s.apply(integrator, Scenario.application(VILLAGE, '王芳', '19600505', '456'), `apply-diagram-${Date.now()}`);
    // The case detail names its process instance: the front end asks for the diagram with it.
    const detail = await s.get(caseworker, `/api/v1/dibao/cases/${caseId}`);
    expect(detail.status).toBe(200);
    const processInstanceKey = detail.body.processInstanceKey as string;
    expect(processInstanceKey).toMatch(/^[1-9]\d*$/);
    await s.taskOf(caseId, 'Task_accept', caseworker);

    // Right after the application: the acceptance task is active, the start event behind it, the flows between taken.
    const first = await diagramAt(processInstanceKey, 'Task_accept');
    expect(first).toMatchObject({ processInstanceKey, processDefinitionId: 'dibao-application', processDefinitionKey: expect.stringMatching(/^[1-9]\d*$/) });
    expect(first.bpmnXml).toContain('<bpmn:process id="dibao-application"');
    expect(first.bpmnXml).toContain('bpmndi:BPMNDiagram');
    expect(first.activeElementIds).toEqual(['Task_accept']);
    expect(first.completedElementIds).toEqual(expect.arrayContaining(['StartEvent_received', 'Gateway_accept_merge']));
    expect(first.completedElementIds).not.toContain('Task_accept');
    expect(first.takenSequenceFlowIds).toEqual(['Flow_to_accept_merge', 'Flow_to_accept']);

    // A supervisor of the county reads it; a caseworker of another township gets 404, as for an unknown instance.
    expect((await diagramOf(processInstanceKey, supervisor)).activeElementIds).toEqual(['Task_accept']);
    const elsewhere = await s.get(otherTownship, `/api/v1/process-instances/${processInstanceKey}/diagram`);
    expect(elsewhere.status).toBe(404);
    expect(JSON.stringify(elsewhere.body)).not.toContain('dibao-application');
    expect((await s.get(caseworker, `/api/v1/process-instances/2251799813000001/diagram`)).status).toBe(404);
    expect((await s.get(caseworker, `/api/v1/process-instances/not-a-key/diagram`)).status).toBe(400);
    expect((await s.get(integrator, `/api/v1/process-instances/${processInstanceKey}/diagram`)).status).toBe(403);

    // Materials complete: acceptance recorded, the procedure's branch at the household investigation.
    await s.completeTask(caseId, 'Task_accept', caseworker, { materialsComplete: true });
    const second = await diagramAt(processInstanceKey, 'Task_investigation');
    expect(second.activeElementIds).not.toContain('Task_accept');
    expect(second.completedElementIds).toEqual(expect.arrayContaining(['StartEvent_received', 'Task_accept', 'Gateway_materials', 'Task_record_acceptance', 'Gateway_split']));
    expect(second.takenSequenceFlowIds).toEqual(
      expect.arrayContaining([...first.takenSequenceFlowIds, 'Flow_to_materials_check', 'Flow_materials_complete', 'Flow_to_split', 'Flow_to_procedure', 'Flow_to_investigation']),
    );
    // The branch not taken is not drawn as taken.
    expect(second.takenSequenceFlowIds).not.toContain('Flow_materials_missing');
    expect(second.completedElementIds).not.toContain('Task_request_materials');

    // Investigation done: the assessment ran, the proposal waits; the path only grows.
    await s.completeTask(caseId, 'Task_investigation', caseworker, { householdConfirmed: true, investigators: '王五、赵六', investigationSummary: '入户核实，情况属实' });
    const third = await diagramAt(processInstanceKey, 'Task_proposal');
    expect(third.completedElementIds).toEqual(expect.arrayContaining([...second.completedElementIds, 'Task_investigation', 'Task_assess']));
    expect(third.takenSequenceFlowIds).toEqual(expect.arrayContaining([...second.takenSequenceFlowIds, 'Flow_to_assess', 'Flow_to_village_check', 'Flow_to_proposal']));
    expect(third.takenSequenceFlowIds.length).toBeGreaterThan(second.takenSequenceFlowIds.length);
  });

  it('is in the OpenAPI document with its answer shape', async () => {
    const { body } = await request(s.app.getHttpServer()).get('/api/docs/openapi.json').expect(200);
    const operation = body.paths['/api/v1/process-instances/{processInstanceKey}/diagram']?.get;
    expect(operation.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ProcessInstanceDiagram' });
    expect(Object.keys(body.components.schemas.ProcessInstanceDiagram.properties).sort()).toEqual(
      ['activeElementIds', 'bpmnXml', 'completedElementIds', 'processDefinitionId', 'processDefinitionKey', 'processInstanceKey', 'takenSequenceFlowIds'].sort(),
    );
  });
});
