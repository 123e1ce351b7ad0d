import { parseBpmn } from '../workflow/bpmn-resources';

/**
 * The sequence flows of a process an instance took, derived from its model and the elements it went through:
 * a flow is taken when its source completed and its target was activated (in any state since). Camunda's element
 * instances hold no sequence flows, so the same derivation works on the embedded engine and on a real cluster.
 * A token waiting at a parallel join has not activated the join yet: the flow into it shows once the join fires.
 */

interface ModdleElement {
  $type: string;
  id?: string;
  flowElements?: ModdleElement[];
  sourceRef?: ModdleElement;
  targetRef?: ModdleElement;
  rootElements?: ModdleElement[];
}

export interface SequenceFlowRef {
  id: string;
  sourceId: string;
  targetId: string;
}

/** Every sequence flow of the process `processId` in a BPMN file, sub-processes included, in document order. */
export async function sequenceFlowsOf(xml: string, processId: string): Promise<SequenceFlowRef[]> {
  const definitions = (await parseBpmn(xml)) as ModdleElement;
  const process = (definitions.rootElements ?? []).find((e) => e.$type === 'bpmn:Process' && e.id === processId);
  const flows: SequenceFlowRef[] = [];
  const visit = (container: ModdleElement) => {
    for (const element of container.flowElements ?? []) {
      if (element.$type === 'bpmn:SequenceFlow' && element.id && element.sourceRef?.id && element.targetRef?.id) {
        flows.push({ id: element.id, sourceId: element.sourceRef.id, targetId: element.targetRef.id });
      }
      if (element.flowElements) visit(element);
    }
  };
  if (process) visit(process);
  return flows;
}

export function takenFlows(flows: SequenceFlowRef[], completedElementIds: Iterable<string>, activatedElementIds: Iterable<string>): string[] {
  const completed = new Set(completedElementIds);
  const activated = new Set(activatedElementIds);
  return flows.filter((flow) => completed.has(flow.sourceId) && activated.has(flow.targetId)).map((flow) => flow.id);
}
