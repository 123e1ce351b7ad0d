import { parseBpmn } from '../workflow/bpmn-resources';

/**
 * A BPMN process compiled for execution: every flow node with the zeebe:* settings the engine reads, so the
 * interpreter never touches moddle objects. Elements the engine cannot execute are refused at deployment, named.
 */

export type EventKind = 'none' | 'message' | 'timer' | 'error' | 'escalation' | 'terminate';

export interface Mapping {
  source: string;
  target: string;
}

export interface TimerDefinition {
  kind: 'duration' | 'date' | 'cycle';
  expression: string;
}

export interface FlowNode {
  id: string;
  name?: string;
  type: string;
  /** The process or sub-process the node sits in. */
  scopeId: string;
  incoming: string[];
  outgoing: string[];
  defaultFlow?: string;
  event?: EventKind;
  timer?: TimerDefinition;
  message?: { name: string; correlationKey?: string };
  /** Error or escalation code; undefined on a catch event means "catch all". */
  code?: string;
  attachedTo?: string;
  interrupting: boolean;
  boundaries: string[];
  job?: { type: string; retries: string; headers: Record<string, string> };
  userTask?: {
    formId?: string;
    /** `latest` (Zeebe's default): the form's latest version when the task is created; `deployment`: the one deployed with the process. */
    formBinding: 'latest' | 'deployment';
    externalFormReference?: string;
    assignee?: string;
    candidateGroups?: string;
    candidateUsers?: string;
    dueDate?: string;
    followUpDate?: string;
    priority?: string;
    headers: Record<string, string>;
    /** `zeebe:taskListener`s by event, in model order (Camunda runs them one after another). */
    listeners: TaskListener[];
  };
  inputs: Mapping[];
  outputs: Mapping[];
  called?: { processId: string; propagateAllChildVariables: boolean; propagateAllParentVariables: boolean };
  multiInstance?: {
    sequential: boolean;
    inputCollection: string;
    inputElement?: string;
    outputCollection?: string;
    outputElement?: string;
    completionCondition?: string;
  };
  /** Containers: the start event (none, or the event sub-process's trigger) and their event sub-processes. */
  startEventId?: string;
  eventSubprocesses: string[];
  triggeredByEvent: boolean;
}

export interface SequenceFlow {
  id: string;
  sourceId: string;
  targetId: string;
  condition?: string;
}

export interface ProcessModel {
  id: string;
  name?: string;
  nodes: Map<string, FlowNode>;
  flows: Map<string, SequenceFlow>;
  /** Start events of the process itself with a timer or a message. */
  timerStarts: FlowNode[];
  messageStarts: FlowNode[];
  forms: string[];
  /** The process's none start event links a form (`zeebe:formDefinition`): Camunda's `hasStartForm`. */
  hasStartForm: boolean;
}

export class UnsupportedModelError extends Error {}

export type TaskListenerEvent = 'assigning' | 'completing';

export interface TaskListener {
  eventType: TaskListenerEvent;
  type: string;
  retries: string;
}

interface Moddle {
  $type: string;
  id?: string;
  name?: string;
  [key: string]: unknown;
}

const SUPPORTED = new Set([
  'bpmn:StartEvent',
  'bpmn:EndEvent',
  'bpmn:IntermediateCatchEvent',
  'bpmn:IntermediateThrowEvent',
  'bpmn:BoundaryEvent',
  'bpmn:ServiceTask',
  'bpmn:SendTask',
  'bpmn:BusinessRuleTask',
  'bpmn:ScriptTask',
  'bpmn:UserTask',
  'bpmn:ReceiveTask',
  'bpmn:ManualTask',
  'bpmn:Task',
  'bpmn:SubProcess',
  'bpmn:CallActivity',
  'bpmn:ExclusiveGateway',
  'bpmn:ParallelGateway',
  'bpmn:InclusiveGateway',
  'bpmn:EventBasedGateway',
]);
/** Parts of a model that do not execute. */
const IGNORED = new Set(['bpmn:TextAnnotation', 'bpmn:Association', 'bpmn:DataObject', 'bpmn:DataObjectReference', 'bpmn:DataStoreReference', 'bpmn:Group']);
const JOB_TASKS = new Set(['bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ScriptTask']);

/** Compiles every executable process of a BPMN file. */
export async function compileBpmn(xml: string): Promise<ProcessModel[]> {
  let definitions: Moddle;
  try {
    definitions = (await parseBpmn(xml)) as Moddle;
  } catch (error) {
    throw new UnsupportedModelError(`the file is not valid BPMN: ${(error as Error).message}`);
  }
  const processes = ((definitions.rootElements as Moddle[] | undefined) ?? []).filter((e) => e.$type === 'bpmn:Process');
  if (processes.length === 0) throw new UnsupportedModelError('the file contains no process');
  return processes.filter((p) => p.isExecutable !== false).map(compileProcess);
}

function compileProcess(process: Moddle): ProcessModel {
  const model: ProcessModel = {
    id: process.id!,
    name: process.name,
    nodes: new Map(),
    flows: new Map(),
    timerStarts: [],
    messageStarts: [],
    forms: [],
    hasStartForm: false,
  };
  const root = containerNode(process, process.id!);
  root.type = 'bpmn:Process';
  model.nodes.set(root.id, root);
  compileContainer(model, process, root);
  const start = ((process.flowElements as Moddle[] | undefined) ?? []).find((e) => e.id === root.startEventId);
  model.hasStartForm = start !== undefined && extension(start, 'zeebe:FormDefinition') !== undefined;
  for (const flow of model.flows.values()) {
    const source = model.nodes.get(flow.sourceId);
    const target = model.nodes.get(flow.targetId);
    if (!source || !target) throw new UnsupportedModelError(`sequence flow "${flow.id}" connects unknown elements`);
    source.outgoing.push(flow.id);
    target.incoming.push(flow.id);
  }
  for (const node of model.nodes.values()) {
    if (node.attachedTo) {
      const host = model.nodes.get(node.attachedTo);
      if (!host) throw new UnsupportedModelError(`boundary event "${node.id}" is attached to an unknown element`);
      host.boundaries.push(node.id);
    }
    if (node.userTask?.formId) model.forms.push(node.userTask.formId);
  }
  for (const start of [...model.nodes.values()].filter((n) => n.type === 'bpmn:StartEvent' && n.scopeId === root.id)) {
    if (start.event === 'timer') model.timerStarts.push(start);
    if (start.event === 'message') model.messageStarts.push(start);
  }
  return model;
}

function containerNode(element: Moddle, scopeId: string): FlowNode {
  return {
    id: element.id!,
    name: element.name,
    type: element.$type,
    scopeId,
    incoming: [],
    outgoing: [],
    interrupting: true,
    boundaries: [],
    inputs: [],
    outputs: [],
    eventSubprocesses: [],
    triggeredByEvent: element.triggeredByEvent === true,
  };
}

function compileContainer(model: ProcessModel, container: Moddle, containerNode_: FlowNode): void {
  for (const element of (container.flowElements as Moddle[] | undefined) ?? []) {
    if (element.$type === 'bpmn:SequenceFlow') {
      const condition = (element.conditionExpression as Moddle | undefined)?.body as string | undefined;
      model.flows.set(element.id!, {
        id: element.id!,
        sourceId: (element.sourceRef as Moddle).id!,
        targetId: (element.targetRef as Moddle).id!,
        condition: condition?.trim() || undefined,
      });
      continue;
    }
    if (IGNORED.has(element.$type)) continue;
    if (!SUPPORTED.has(element.$type)) {
      throw new UnsupportedModelError(`element "${element.id}" of type ${element.$type} is not supported by the embedded engine`);
    }
    const node = compileNode(element, containerNode_.id);
    model.nodes.set(node.id, node);
    if (element.$type === 'bpmn:SubProcess') {
      compileContainer(model, element, node);
      if (node.triggeredByEvent) containerNode_.eventSubprocesses.push(node.id);
    }
    // A sub-process starts at its none start event; an event sub-process at its one (message, timer, error…) start event.
    if (element.$type === 'bpmn:StartEvent' && (node.event === 'none' || containerNode_.triggeredByEvent)) containerNode_.startEventId = node.id;
  }
  if (!containerNode_.triggeredByEvent && !containerNode_.startEventId && containerNode_.type === 'bpmn:SubProcess') {
    throw new UnsupportedModelError(`sub-process "${containerNode_.id}" has no none start event`);
  }
}

function extension(element: Moddle, type: string): Moddle | undefined {
  const values = ((element.extensionElements as Moddle | undefined)?.values as Moddle[] | undefined) ?? [];
  return values.find((value) => value.$type === type);
}

function headers(element: Moddle): Record<string, string> {
  const values = (extension(element, 'zeebe:TaskHeaders')?.values as Moddle[] | undefined) ?? [];
  return Object.fromEntries(values.map((h) => [String(h.key), String(h.value ?? '')]));
}

function mappings(element: Moddle, kind: 'inputParameters' | 'outputParameters'): Mapping[] {
  const io = extension(element, 'zeebe:IoMapping');
  return ((io?.[kind] as Moddle[] | undefined) ?? []).map((m) => ({ source: String(m.source ?? '=null'), target: String(m.target) }));
}

function compileNode(element: Moddle, scopeId: string): FlowNode {
  const node = containerNode(element, scopeId);
  node.inputs = mappings(element, 'inputParameters');
  node.outputs = mappings(element, 'outputParameters');
  const defaultFlow = element.default as Moddle | undefined;
  if (defaultFlow) node.defaultFlow = defaultFlow.id;

  if (element.$type.endsWith('Event')) compileEvent(element, node);
  if (element.$type === 'bpmn:BoundaryEvent') {
    node.attachedTo = (element.attachedToRef as Moddle).id;
    node.interrupting = element.cancelActivity !== false;
  }
  if (element.$type === 'bpmn:StartEvent') node.interrupting = element.isInterrupting !== false;

  const taskDefinition = extension(element, 'zeebe:TaskDefinition');
  if (JOB_TASKS.has(element.$type) || (taskDefinition && element.$type.endsWith('Event'))) {
    if (!taskDefinition?.type) throw new UnsupportedModelError(`element "${node.id}" has no zeebe:taskDefinition type`);
    node.job = { type: String(taskDefinition.type), retries: String(taskDefinition.retries ?? '3'), headers: headers(element) };
  }
  if (element.$type === 'bpmn:UserTask') compileUserTask(element, node);
  if (element.$type === 'bpmn:ReceiveTask') {
    node.event = 'message';
    node.message = messageOf(element, element.messageRef as Moddle | undefined);
  }
  if (element.$type === 'bpmn:CallActivity') {
    const called = extension(element, 'zeebe:CalledElement');
    const processId = (called?.processId ?? called?.processIdExpression) as string | undefined;
    if (!processId) throw new UnsupportedModelError(`call activity "${node.id}" has no zeebe:calledElement processId`);
    node.called = {
      processId,
      propagateAllChildVariables: called?.propagateAllChildVariables !== false,
      propagateAllParentVariables: called?.propagateAllParentVariables !== false,
    };
  }
  const loop = element.loopCharacteristics as Moddle | undefined;
  if (loop) {
    if (loop.$type !== 'bpmn:MultiInstanceLoopCharacteristics') {
      throw new UnsupportedModelError(`element "${node.id}" uses ${loop.$type}; only multi-instance is supported`);
    }
    const zeebeLoop = extension(loop, 'zeebe:LoopCharacteristics');
    if (!zeebeLoop?.inputCollection) throw new UnsupportedModelError(`multi-instance "${node.id}" has no inputCollection`);
    node.multiInstance = {
      sequential: loop.isSequential === true,
      inputCollection: String(zeebeLoop.inputCollection),
      inputElement: zeebeLoop.inputElement as string | undefined,
      outputCollection: zeebeLoop.outputCollection as string | undefined,
      outputElement: zeebeLoop.outputElement as string | undefined,
      completionCondition: ((loop.completionCondition as Moddle | undefined)?.body as string | undefined)?.trim() || undefined,
    };
  }
  return node;
}

function compileUserTask(element: Moddle, node: FlowNode): void {
  if (!extension(element, 'zeebe:UserTask')) {
    throw new UnsupportedModelError(`user task "${node.id}" is a job-worker user task; only Camunda user tasks (zeebe:userTask) are supported`);
  }
  const form = extension(element, 'zeebe:FormDefinition');
  const assignment = extension(element, 'zeebe:AssignmentDefinition');
  const schedule = extension(element, 'zeebe:TaskSchedule');
  const priority = extension(element, 'zeebe:PriorityDefinition');
  node.userTask = {
    formId: form?.formId as string | undefined,
    formBinding: formBinding(node, form?.bindingType as string | undefined),
    externalFormReference: form?.externalReference as string | undefined,
    assignee: assignment?.assignee as string | undefined,
    candidateGroups: assignment?.candidateGroups as string | undefined,
    candidateUsers: assignment?.candidateUsers as string | undefined,
    dueDate: schedule?.dueDate as string | undefined,
    followUpDate: schedule?.followUpDate as string | undefined,
    priority: priority?.priority as string | undefined,
    headers: headers(element),
    listeners: taskListeners(element, node),
  };
}

/** Camunda 8.8's task listener events the embedded engine runs; the 8.6 names are read as their 8.8 successors. */
const LISTENER_EVENTS: Record<string, TaskListenerEvent> = { assigning: 'assigning', assignment: 'assigning', completing: 'completing', complete: 'completing' };

function taskListeners(element: Moddle, node: FlowNode): TaskListener[] {
  const listeners = (extension(element, 'zeebe:TaskListeners')?.listeners as Moddle[] | undefined) ?? [];
  return listeners.map((listener) => {
    const event = String(listener.eventType ?? '');
    const eventType = LISTENER_EVENTS[event];
    if (!eventType) {
      throw new UnsupportedModelError(`user task "${node.id}" has a task listener for "${event}"; the embedded engine supports "assigning" and "completing"`);
    }
    const type = listener.type as string | undefined;
    if (!type) throw new UnsupportedModelError(`user task "${node.id}" has a "${event}" task listener without a type`);
    const retries = (listener.retries as string | undefined) ?? '3';
    if (type.startsWith('=') || retries.startsWith('=')) {
      throw new UnsupportedModelError(`user task "${node.id}" has a "${event}" task listener with an expression for its type or retries; the embedded engine supports literal values`);
    }
    return { eventType, type, retries };
  });
}

function formBinding(node: FlowNode, bindingType: string | undefined): 'latest' | 'deployment' {
  if (bindingType === undefined || bindingType === 'latest' || bindingType === 'deployment') return bindingType ?? 'latest';
  throw new UnsupportedModelError(`user task "${node.id}" links its form with binding type "${bindingType}"; the embedded engine supports "latest" and "deployment"`);
}

function messageOf(element: Moddle, message: Moddle | undefined): { name: string; correlationKey?: string } {
  if (!message?.name) throw new UnsupportedModelError(`element "${element.id}" refers to a message without a name`);
  const subscription = extension(message, 'zeebe:Subscription');
  return { name: String(message.name), correlationKey: subscription?.correlationKey as string | undefined };
}

function compileEvent(element: Moddle, node: FlowNode): void {
  const definitions = (element.eventDefinitions as Moddle[] | undefined) ?? [];
  if (definitions.length > 1) throw new UnsupportedModelError(`event "${node.id}" has more than one event definition`);
  const definition = definitions[0];
  if (!definition) {
    node.event = 'none';
    return;
  }
  switch (definition.$type) {
    case 'bpmn:MessageEventDefinition':
      node.event = 'message';
      if (element.$type !== 'bpmn:IntermediateThrowEvent' && element.$type !== 'bpmn:EndEvent') {
        node.message = messageOf(element, definition.messageRef as Moddle | undefined);
      }
      return;
    case 'bpmn:TimerEventDefinition': {
      node.event = 'timer';
      const [kind, expression] = (['timeDuration', 'timeDate', 'timeCycle'] as const)
        .map((k) => [k, (definition[k] as Moddle | undefined)?.body as string | undefined] as const)
        .find(([, body]) => body?.trim()) ?? ['timeDuration', undefined];
      if (!expression) throw new UnsupportedModelError(`timer event "${node.id}" has no time expression`);
      node.timer = { kind: kind === 'timeDuration' ? 'duration' : kind === 'timeDate' ? 'date' : 'cycle', expression: expression.trim() };
      return;
    }
    case 'bpmn:ErrorEventDefinition':
      node.event = 'error';
      node.code = ((definition.errorRef as Moddle | undefined)?.errorCode as string | undefined) ?? undefined;
      return;
    case 'bpmn:EscalationEventDefinition':
      node.event = 'escalation';
      node.code = ((definition.escalationRef as Moddle | undefined)?.escalationCode as string | undefined) ?? undefined;
      return;
    case 'bpmn:TerminateEventDefinition':
      node.event = 'terminate';
      return;
    default:
      throw new UnsupportedModelError(`event "${node.id}" uses ${definition.$type}, which the embedded engine does not support`);
  }
}
