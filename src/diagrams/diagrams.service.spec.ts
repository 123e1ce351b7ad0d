import type { Principal } from '../auth/principal';
import { Role } from '../auth/roles';
import { DomainError } from '../common/domain-error';
import type { CamundaClient } from '../workflow/camunda-client';
import { DiagramsService } from './diagrams.service';

/**
 * The diagram's scope and error mapping, on a stand-in for the engine's client (the engine itself is exercised in
 * test/diagram.e2e-spec.ts): out of region is 404 before anything else is asked, no answer is 503, a model is read once.
 */

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://doudi/test">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" /><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="task" />
    <bpmn:userTask id="task" /><bpmn:sequenceFlow id="f2" sourceRef="task" targetRef="end" /><bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

const caseworker: Principal = { id: 'wang', roles: [Role.TownshipCaseworker], regionCode: '410821100' };
const elsewhere: Principal = { id: 'other', roles: [Role.TownshipCaseworker], regionCode: '410821101' };

function engine(overrides: Partial<Record<keyof CamundaClient, jest.Mock>> = {}) {
  const calls = {
    searchVariables: jest.fn(async () => ({ items: [{ processInstanceKey: '7', scopeKey: '7', name: 'regionCode', value: '"410821100201"' }], page: { totalItems: 1 } })),
    getProcessInstance: jest.fn(async () => ({ processInstanceKey: '7', processDefinitionKey: '3', processDefinitionId: 'p' })),
    getProcessDefinitionXml: jest.fn(async () => XML),
    searchElementInstances: jest.fn(async () => ({
      items: [
        { elementId: 'start', state: 'COMPLETED' },
        { elementId: 'task', state: 'ACTIVE' },
      ],
      page: { totalItems: 2 },
    })),
    ...overrides,
  };
  return { calls, service: new DiagramsService(calls as unknown as CamundaClient) };
}

const failure = (status?: number) => Object.assign(new Error(status ? `HTTP ${status}` : 'fetch failed'), status ? { status } : {});
const statusOf = (error: unknown) => (error instanceof DomainError ? error.status : error);

describe('diagrams service', () => {
  it('answers the model, the active and completed elements and the flows taken', async () => {
    const { service } = engine();
    expect(await service.diagram('7', caseworker)).toEqual({
      processInstanceKey: '7',
      processDefinitionId: 'p',
      processDefinitionKey: '3',
      bpmnXml: XML,
      activeElementIds: ['task'],
      completedElementIds: ['start'],
      takenSequenceFlowIds: ['f1'],
    });
  });

  it('an instance outside the caller’s region, or without a region, is not found; nothing more is asked', async () => {
    const { service, calls } = engine();
    expect(await service.diagram('7', elsewhere).catch(statusOf)).toBe(404);
    const none = engine({ searchVariables: jest.fn(async () => ({ items: [], page: { totalItems: 0 } })) });
    expect(await none.service.diagram('7', caseworker).catch(statusOf)).toBe(404);
    expect(calls.getProcessInstance).not.toHaveBeenCalled();
    expect(none.calls.getProcessInstance).not.toHaveBeenCalled();
  });

  it('an engine that does not answer, fails or pushes back is 503; its 404 is not found', async () => {
    for (const status of [undefined, 500, 503, 429]) {
      const { service } = engine({ searchElementInstances: jest.fn(async () => Promise.reject(failure(status))) });
      expect(await service.diagram('7', caseworker).catch(statusOf)).toBe(503);
    }
    const gone = engine({ getProcessInstance: jest.fn(async () => Promise.reject(failure(404))) });
    expect(await gone.service.diagram('7', caseworker).catch(statusOf)).toBe(404);
  });

  it('reads a model once per definition key, and again after a failure', async () => {
    let fail = true;
    const getProcessDefinitionXml = jest.fn(async () => (fail ? Promise.reject(failure(503)) : XML));
    const { service } = engine({ getProcessDefinitionXml });
    expect(await service.diagram('7', caseworker).catch(statusOf)).toBe(503);
    fail = false;
    await service.diagram('7', caseworker);
    await service.diagram('7', caseworker);
    expect(getProcessDefinitionXml).toHaveBeenCalledTimes(2);
  });
});
