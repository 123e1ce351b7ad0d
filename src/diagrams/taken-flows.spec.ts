import { sequenceFlowsOf, takenFlows } from './taken-flows';

const XML = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://doudi/test">
  <bpmn:process id="other" isExecutable="true">
    <bpmn:startEvent id="o1" /><bpmn:endEvent id="o2" /><bpmn:sequenceFlow id="oFlow" sourceRef="o1" targetRef="o2" />
  </bpmn:process>
  <bpmn:process id="main" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check" />
    <bpmn:exclusiveGateway id="check" />
    <bpmn:sequenceFlow id="yes" sourceRef="check" targetRef="sub" />
    <bpmn:sequenceFlow id="no" sourceRef="check" targetRef="end" />
    <bpmn:subProcess id="sub">
      <bpmn:startEvent id="subStart" />
      <bpmn:sequenceFlow id="s1" sourceRef="subStart" targetRef="work" />
      <bpmn:userTask id="work" />
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="sub" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>`;

describe('taken sequence flows', () => {
  it('lists the flows of the one process, sub-processes included', async () => {
    const flows = await sequenceFlowsOf(XML, 'main');
    expect(flows.map((f) => f.id)).toEqual(['f1', 'yes', 'no', 's1', 'f2']);
    expect(flows[0]).toEqual({ id: 'f1', sourceId: 'start', targetId: 'check' });
    expect(await sequenceFlowsOf(XML, 'missing')).toEqual([]);
  });

  it('a flow is taken when its source completed and its target was activated', async () => {
    const flows = await sequenceFlowsOf(XML, 'main');
    // Waiting in the sub-process: the branch into it taken, the other not; nothing out of the active sub-process.
    expect(takenFlows(flows, ['start', 'check', 'subStart'], ['start', 'check', 'sub', 'subStart', 'work'])).toEqual(['f1', 'yes', 's1']);
    expect(takenFlows(flows, [], ['start'])).toEqual([]);
  });
});
