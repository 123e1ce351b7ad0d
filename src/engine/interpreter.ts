import { evaluate, evaluateCondition, FeelError, isExpression, resolve } from './feel';
import type { FlowNode, ProcessModel } from './model';
import type { ElementInstance, ElementInstanceType, Effects, IncidentType, Instance } from './state';
import { emptyEffects } from './state';
import { nextOfCycle, scheduleTimer, TimerExpressionError } from './timer-schedule';

/**
 * Zeebe's execution semantics over a compiled model: tokens as element instances with variable scopes, wait
 * states as rows (jobs, user tasks, timers, message subscriptions), incidents instead of dead instances.
 * Synchronous and free of I/O: a command runs to its next wait states inside one `Txn`, which the store commits.
 */

export interface Definition {
  key: string;
  bpmnProcessId: string;
  version: number;
  name?: string;
  tenantId: string;
  model: ProcessModel;
  /** Form id → form key, bound at deployment (`bindingType="deployment"` or latest). */
  formKeys: Map<string, string>;
}

export interface DefinitionLookup {
  byKey(key: string): Definition | undefined;
  latest(bpmnProcessId: string, tenantId: string): Definition | undefined;
  /** The key of the latest deployed version of a form. */
  latestForm(formId: string, tenantId: string): string | undefined;
}

export interface KeySource {
  next(): string;
}

/** A command on an instance that is not loaded in this transaction yet (parent or child of a call activity). */
export type FollowUp =
  | { instanceKey: string; kind: 'childCompleted'; callElementKey: string; variables: Record<string, unknown> }
  | { instanceKey: string; kind: 'childError'; callElementKey: string; code: string; message: string; variables: Record<string, unknown> }
  | { instanceKey: string; kind: 'terminate' };

export class Txn {
  readonly instances = new Map<string, Instance>();
  readonly effects: Effects = emptyEffects();
  readonly followUps: FollowUp[] = [];
  /** Final variables of instances that completed in this transaction, for callers awaiting completion. */
  readonly completedVariables = new Map<string, Vars>();
  /** Work to do once the transaction committed (waking pollers). */
  readonly onCommit: (() => void)[] = [];
  constructor(
    readonly definitions: DefinitionLookup,
    readonly keys: KeySource,
    readonly now: Date,
  ) {}
}

export class ProcessError extends Error {}

type Vars = Record<string, unknown>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

class StepFailure extends Error {
  constructor(
    readonly type: IncidentType,
    message: string,
  ) {
    super(message);
  }
}

export class Interpreter {
  /**
   * Per scope, the outgoing flows of a completed element not yet taken. A branch that runs to its end at once (a
   * parallel split whose first path ends) must not complete the scope while its sibling flows wait to be taken.
   */
  private readonly flowsToTake = new Map<string, number>();

  constructor(private readonly tx: Txn) {}

  // ---------------------------------------------------------------- instance lifecycle

  /** Creates and starts an instance at the none start event (or at `startElementId`, for message and timer starts). */
  createInstance(
    definition: Definition,
    variables: Vars,
    options: { startElementId?: string; parent?: { processInstanceKey: string; elementInstanceKey: string } } = {},
  ): Instance {
    const key = this.tx.keys.next();
    const instance: Instance = {
      key,
      processDefinitionKey: definition.key,
      bpmnProcessId: definition.bpmnProcessId,
      version: definition.version,
      status: 'ACTIVE',
      tenantId: definition.tenantId,
      startDate: this.tx.now,
      parentProcessInstanceKey: options.parent?.processInstanceKey,
      parentElementInstanceKey: options.parent?.elementInstanceKey,
      hasIncident: false,
      state: { elements: {}, variables: {}, joins: {} },
      isNew: true,
    };
    this.tx.instances.set(key, instance);
    const root: ElementInstance = { key, elementId: definition.bpmnProcessId, scopeKey: '', wait: 'children' };
    instance.state.elements[key] = root;
    for (const [name, value] of Object.entries(variables)) this.setVariable(instance, key, name, value);
    const model = definition.model;
    const startId = options.startElementId ?? model.nodes.get(model.id)!.startEventId;
    if (!startId) throw new ProcessError(`process "${model.id}" has no none start event`);
    this.openEventSubprocesses(instance, model.nodes.get(model.id)!, root);
    this.activate(instance, model.nodes.get(startId)!, key);
    return instance;
  }

  cancel(instance: Instance): void {
    if (instance.status !== 'ACTIVE') throw new ProcessError(`process instance ${instance.key} is not active`);
    this.terminateElement(instance, instance.state.elements[instance.key]!);
    this.endInstance(instance, 'TERMINATED');
  }

  // ---------------------------------------------------------------- commands on wait states

  completeJob(instance: Instance, elementInstanceKey: string, variables: Vars): void {
    const element = this.waiting(instance, elementInstanceKey, 'job');
    this.completeWithVariables(instance, element, variables);
  }

  /** The variables a task listener job sees: those of the user task's scope chain (Camunda 8.8: not the completion's). */
  scopeKeysOf(instance: Instance, elementInstanceKey: string): string[] {
    return this.scopeChain(instance, elementInstanceKey);
  }

  /**
   * Zeebe's variable document UPDATE on an active element instance (or the process instance): `local` sets each
   * variable on that scope; otherwise each is set where it already exists, looking outwards, else at the process.
   * Returns false when the element instance is not active in this instance.
   */
  setVariables(instance: Instance, elementInstanceKey: string, variables: Vars, local: boolean): boolean {
    if (instance.status !== 'ACTIVE' || !instance.state.elements[elementInstanceKey]) return false;
    for (const [name, value] of Object.entries(variables)) {
      if (local) this.setVariable(instance, elementInstanceKey, name, value);
      else this.propagate(instance, elementInstanceKey, name, value);
    }
    return true;
  }

  completeUserTask(instance: Instance, elementInstanceKey: string, variables: Vars): void {
    const element = this.waiting(instance, elementInstanceKey, 'userTask');
    this.completeWithVariables(instance, element, variables);
  }

  /** A BPMN error thrown by a job worker. */
  throwError(instance: Instance, elementInstanceKey: string, code: string, message: string, variables: Vars): void {
    const element = this.waiting(instance, elementInstanceKey, 'job');
    this.propagateError(instance, element, code, message, variables);
  }

  /** A timer row fell due: the catch event itself, a boundary event, an event sub-process start or an event-based gateway target. */
  fireTimer(instance: Instance, elementInstanceKey: string, elementId: string, repetitions: number, cycle: string | undefined, dueAt: Date): void {
    const element = instance.state.elements[elementInstanceKey];
    if (!element) return;
    const node = this.node(instance, elementId);
    // A non-interrupting boundary / event sub-process timer with a cycle fires again.
    const next = cycle && !node.interrupting ? nextOfCycle(cycle, dueAt, repetitions) : undefined;
    if (next) this.addTimer(instance, elementInstanceKey, elementId, next.dueAt, next.repetitions, next.cycle);
    this.trigger(instance, element, node, {});
  }

  correlateMessage(instance: Instance, elementInstanceKey: string, elementId: string, variables: Vars): void {
    const element = instance.state.elements[elementInstanceKey];
    if (!element) throw new ProcessError(`element instance ${elementInstanceKey} is not waiting for a message`);
    this.trigger(instance, element, this.node(instance, elementId), variables);
  }

  childCompleted(instance: Instance, callElementKey: string, childVariables: Vars): void {
    const element = this.waiting(instance, callElementKey, 'call');
    const node = this.node(instance, element.elementId);
    const called = node.called!;
    element.childKey = undefined;
    // Zeebe: with output mappings only the mapped values come back; otherwise all child variables (unless disabled).
    const returned = node.outputs.length > 0 || called.propagateAllChildVariables ? childVariables : {};
    this.completeWithVariables(instance, element, returned);
  }

  childError(instance: Instance, callElementKey: string, code: string, message: string, variables: Vars): void {
    const element = this.waiting(instance, callElementKey, 'call');
    element.childKey = undefined;
    this.propagateError(instance, element, code, message, variables);
  }

  /** Variables a failing worker leaves on its task (local scope, as in Zeebe). */
  setLocalVariables(instance: Instance, elementInstanceKey: string, variables: Vars): void {
    for (const [name, value] of Object.entries(variables)) this.setVariable(instance, elementInstanceKey, name, value);
  }

  /** A job out of retries: an incident holds its element until retries are given back and the incident is resolved. */
  raiseJobIncident(instance: Instance, elementInstanceKey: string, jobKey: string, message: string, listener = false): void {
    // A task listener's job holds its user task (Camunda: TASK_LISTENER_NO_RETRIES).
    const element = this.waiting(instance, elementInstanceKey, listener ? 'userTask' : 'job');
    element.jobIncidentKey = this.tx.keys.next();
    instance.hasIncident = true;
    this.tx.effects.incidents.push({
      incidentKey: element.jobIncidentKey,
      processInstanceKey: instance.key,
      elementInstanceKey,
      elementId: element.elementId,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      errorType: listener ? 'TASK_LISTENER_NO_RETRIES' : 'JOB_NO_RETRIES',
      errorMessage: message,
      jobKey,
      creationTime: this.tx.now,
      tenantId: instance.tenantId,
    });
  }

  clearJobIncident(instance: Instance, elementInstanceKey: string): void {
    const element = instance.state.elements[elementInstanceKey];
    if (element) element.jobIncidentKey = undefined;
    this.refreshIncidentFlag(instance);
  }

  private refreshIncidentFlag(instance: Instance): void {
    instance.hasIncident = Object.values(instance.state.elements).some((e) => e.retry || e.jobIncidentKey);
  }

  /** Retries the step an incident interrupted. */
  resolveIncident(instance: Instance, incidentKey: string): void {
    const element = Object.values(instance.state.elements).find((e) => e.retry?.incidentKey === incidentKey);
    if (!element) return;
    const retry = element.retry!;
    element.retry = undefined;
    element.wait = undefined;
    const node = this.node(instance, element.elementId);
    this.tx.effects.resolvedIncidents.push(incidentKey);
    this.refreshIncidentFlag(instance);
    if (retry.step === 'activate') this.enter(instance, node, element);
    else if (retry.step === 'complete') this.completeWithVariables(instance, element, retry.variables ?? {});
    else this.leave(instance, node, element);
  }

  /** Visible variables of an element instance: the scope chain merged, inner scopes winning. */
  visibleVariables(instance: Instance, elementInstanceKey: string): Vars {
    const chain = this.scopeChain(instance, elementInstanceKey);
    const merged: Vars = {};
    for (const key of chain.reverse()) Object.assign(merged, instance.state.variables[key]);
    return merged;
  }

  /** Element instance keys from `key` up to the process instance. */
  scopeChain(instance: Instance, key: string): string[] {
    const chain: string[] = [];
    for (let current = instance.state.elements[key]; current; current = instance.state.elements[current.scopeKey]) {
      chain.push(current.key);
      if (!current.scopeKey) break;
    }
    return chain;
  }

  // ---------------------------------------------------------------- activation

  private activate(instance: Instance, node: FlowNode, scopeKey: string): void {
    const element: ElementInstance = { key: this.tx.keys.next(), elementId: node.id, scopeKey };
    instance.state.elements[element.key] = element;
    this.started(instance, node, element, node.multiInstance ? 'MULTI_INSTANCE_BODY' : undefined);
    if (node.multiInstance) return this.startMultiInstance(instance, node, element);
    this.enter(instance, node, element);
  }

  /** Input mappings, boundary events, then the element's own behaviour. An expression failure becomes an incident. */
  private enter(instance: Instance, node: FlowNode, element: ElementInstance): void {
    const { timers, subscriptions } = this.tx.effects;
    const opened = { timers: timers.length, subscriptions: subscriptions.length };
    try {
      this.applyInputs(instance, node, element);
      if (!element.loopCounter || !node.multiInstance) this.openBoundaries(instance, node, element);
      this.behave(instance, node, element);
    } catch (error) {
      // As in Zeebe, an element held by an incident at activation has no boundary events open; resolving opens them.
      const drop = <T extends { elementInstanceKey?: string }>(rows: T[], from: number) =>
        rows.splice(from, rows.length - from, ...rows.slice(from).filter((r) => r.elementInstanceKey !== element.key));
      drop(timers, opened.timers);
      drop(subscriptions, opened.subscriptions);
      this.failStep(instance, element, 'activate', error);
    }
  }

  private behave(instance: Instance, node: FlowNode, element: ElementInstance): void {
    if (node.job) return this.createJob(instance, node, element);
    switch (node.type) {
      case 'bpmn:UserTask':
        return this.createUserTask(instance, node, element);
      case 'bpmn:ReceiveTask':
        return this.subscribe(instance, element, node, node);
      case 'bpmn:SubProcess': {
        element.wait = 'children';
        this.openEventSubprocesses(instance, node, element);
        return this.activate(instance, this.node(instance, node.startEventId!), element.key);
      }
      case 'bpmn:CallActivity':
        return this.callProcess(instance, node, element);
      case 'bpmn:EventBasedGateway':
        return this.openEventGateway(instance, node, element);
      case 'bpmn:IntermediateCatchEvent':
        if (node.event === 'timer') return this.scheduleElementTimer(instance, element, node);
        if (node.event === 'message') return this.subscribe(instance, element, node, node);
        return this.complete(instance, element);
      case 'bpmn:IntermediateThrowEvent':
        if (node.event === 'escalation') return this.throwEscalation(instance, element, node);
        return this.complete(instance, element);
      case 'bpmn:EndEvent':
        if (node.event === 'error') {
          return this.propagateError(instance, element, node.code ?? '', `error end event "${node.id}"`, {});
        }
        if (node.event === 'escalation') return this.throwEscalation(instance, element, node);
        if (node.event === 'terminate') return this.terminateScope(instance, element);
        return this.complete(instance, element);
      default:
        return this.complete(instance, element);
    }
  }

  private applyInputs(instance: Instance, node: FlowNode, element: ElementInstance): void {
    if (!node.inputs.length) return;
    const context = this.visibleVariables(instance, element.scopeKey);
    Object.assign(context, instance.state.variables[element.key]);
    for (const mapping of node.inputs) {
      const value = this.expression(mapping.source, context, 'IO_MAPPING_ERROR');
      this.setPath(instance, element.key, mapping.target, value, context);
    }
  }

  // ---------------------------------------------------------------- wait states

  private createJob(instance: Instance, node: FlowNode, element: ElementInstance): void {
    const context = this.visibleVariables(instance, element.key);
    const type = String(this.value(node.job!.type, context));
    const retries = Number(this.value(node.job!.retries, context));
    element.wait = 'job';
    this.tx.effects.jobs.push({
      jobKey: this.tx.keys.next(),
      type,
      processInstanceKey: instance.key,
      elementInstanceKey: element.key,
      elementId: node.id,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      version: instance.version,
      scopeKeys: this.scopeChain(instance, element.key),
      customHeaders: node.job!.headers,
      retries: Number.isInteger(retries) && retries > 0 ? retries : 3,
      tenantId: instance.tenantId,
    });
  }

  private createUserTask(instance: Instance, node: FlowNode, element: ElementInstance): void {
    const spec = node.userTask!;
    const context = this.visibleVariables(instance, element.key);
    const definition = this.definition(instance);
    const formKey = this.linkedForm(instance, definition, spec);
    const priority = spec.priority ? Number(this.value(spec.priority, context)) : 50;
    if (!Number.isInteger(priority)) throw new StepFailure('EXTRACT_VALUE_ERROR', `Expected priority '${spec.priority}' to be an integer, but was '${priority}'.`);
    if (priority < 0 || priority > 100) throw new StepFailure('EXTRACT_VALUE_ERROR', `Expected priority to be in the range [0,100] but was '${priority}'.`);
    element.wait = 'userTask';
    this.tx.effects.userTasks.push({
      userTaskKey: this.tx.keys.next(),
      elementId: node.id,
      elementInstanceKey: element.key,
      processInstanceKey: instance.key,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      version: instance.version,
      processName: definition.name,
      name: node.name,
      assignee: this.optionalString(spec.assignee, context),
      candidateGroups: this.list(spec.candidateGroups, context),
      candidateUsers: this.list(spec.candidateUsers, context),
      dueDate: this.optionalDate(spec.dueDate, context, 'dueDate'),
      followUpDate: this.optionalDate(spec.followUpDate, context, 'followUpDate'),
      priority,
      formKey,
      externalFormReference: spec.externalFormReference ? String(this.value(spec.externalFormReference, context)) : undefined,
      customHeaders: spec.headers,
      creationDate: this.tx.now,
      tenantId: instance.tenantId,
    });
  }

  /** Zeebe resolves a linked form when the task is created; a missing one is an incident, resolved once it is deployed. */
  private linkedForm(instance: Instance, definition: Definition, spec: NonNullable<FlowNode['userTask']>): string | undefined {
    if (!spec.formId) return undefined;
    if (spec.formBinding === 'deployment') {
      const key = definition.formKeys.get(spec.formId);
      if (!key) {
        throw new StepFailure(
          'FORM_NOT_FOUND',
          `Expected to use a form with id '${spec.formId}' with binding type 'deployment', but no such form found in the deployment which contained the current process.`,
        );
      }
      return key;
    }
    const key = this.tx.definitions.latestForm(spec.formId, instance.tenantId);
    if (!key) {
      throw new StepFailure(
        'FORM_NOT_FOUND',
        `Expected to find a form with id '${spec.formId}', but no form with this id is found, at least a form with this id should be available. To resolve the Incident please deploy a form with the same id`,
      );
    }
    return key;
  }

  /** A message subscription owned by `owner` for the catching node `catcher` (itself, a boundary, a gateway target). */
  private subscribe(instance: Instance, owner: ElementInstance, catcher: FlowNode, waitingNode: FlowNode): void {
    const message = catcher.message!;
    const context = this.visibleVariables(instance, owner.key);
    const name = String(this.value(message.name, context));
    let correlationKey: string | undefined;
    if (message.correlationKey) {
      const value = this.expression(message.correlationKey, context, 'EXTRACT_VALUE_ERROR');
      if (typeof value !== 'string' && typeof value !== 'number') {
        throw new StepFailure('EXTRACT_VALUE_ERROR', `correlation key "${message.correlationKey}" of "${catcher.id}" is ${JSON.stringify(value)}, not a string or number`);
      }
      correlationKey = String(value);
    }
    if (catcher === waitingNode) owner.wait = 'message';
    this.tx.effects.subscriptions.push({
      subscriptionKey: this.tx.keys.next(),
      messageName: name,
      correlationKey,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      processInstanceKey: instance.key,
      elementInstanceKey: owner.key,
      elementId: catcher.id,
      tenantId: instance.tenantId,
    });
  }

  private scheduleElementTimer(instance: Instance, owner: ElementInstance, catcher: FlowNode, isWait = true): void {
    const timer = catcher.timer!;
    const context = this.visibleVariables(instance, owner.key);
    const value = this.value(timer.expression, context);
    let schedule;
    try {
      schedule = scheduleTimer(timer, value, this.tx.now);
    } catch (error) {
      if (error instanceof TimerExpressionError) throw new StepFailure('EXTRACT_VALUE_ERROR', error.message);
      throw error;
    }
    if (isWait) owner.wait = 'timer';
    this.addTimer(instance, owner.key, catcher.id, schedule.dueAt, schedule.repetitions, schedule.cycle);
  }

  private addTimer(instance: Instance, ownerKey: string, elementId: string, dueAt: Date, repetitions: number, cycle?: string): void {
    this.tx.effects.timers.push({
      timerKey: this.tx.keys.next(),
      dueAt,
      processDefinitionKey: instance.processDefinitionKey,
      processInstanceKey: instance.key,
      elementInstanceKey: ownerKey,
      elementId,
      repetitions,
      cycle,
    });
  }

  /** Timers and subscriptions of the boundary events of an activity; they live as long as the activity. */
  private openBoundaries(instance: Instance, node: FlowNode, element: ElementInstance): void {
    for (const id of node.boundaries) {
      const boundary = this.node(instance, id);
      if (boundary.event === 'timer') this.scheduleElementTimer(instance, element, boundary, false);
      if (boundary.event === 'message') this.subscribe(instance, element, boundary, node);
    }
  }

  /** Start-event subscriptions of the event sub-processes of a scope; they live as long as the scope. */
  private openEventSubprocesses(instance: Instance, container: FlowNode, element: ElementInstance): void {
    for (const id of container.eventSubprocesses) {
      const start = this.node(instance, this.node(instance, id).startEventId!);
      if (start.event === 'timer') this.scheduleElementTimer(instance, element, start, false);
      if (start.event === 'message') this.subscribe(instance, element, start, container);
    }
  }

  private openEventGateway(instance: Instance, node: FlowNode, element: ElementInstance): void {
    element.wait = 'gateway';
    for (const flowId of node.outgoing) {
      const target = this.node(instance, this.flow(instance, flowId).targetId);
      if (target.event === 'timer') this.scheduleElementTimer(instance, element, target, false);
      else if (target.event === 'message' || target.type === 'bpmn:ReceiveTask') this.subscribe(instance, element, target, node);
    }
  }

  private callProcess(instance: Instance, node: FlowNode, element: ElementInstance): void {
    const called = node.called!;
    const context = this.visibleVariables(instance, element.key);
    const processId = String(this.value(called.processId, context));
    const definition = this.tx.definitions.latest(processId, instance.tenantId);
    if (!definition) throw new StepFailure('CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${processId}' to be deployed, but not found.`);
    if (!definition.model.nodes.get(definition.model.id)!.startEventId) {
      throw new StepFailure('CALLED_ELEMENT_ERROR', `Expected process with BPMN process id '${processId}' to have a none start event, but not found.`);
    }
    const variables = called.propagateAllParentVariables ? context : { ...instance.state.variables[element.key] };
    element.wait = 'call';
    const child = this.createInstance(definition, variables, { parent: { processInstanceKey: instance.key, elementInstanceKey: element.key } });
    if (child.status === 'ACTIVE') element.childKey = child.key;
  }

  // ---------------------------------------------------------------- triggers

  /** A timer or message arrived for `catcher`, owned by `owner`. */
  private trigger(instance: Instance, owner: ElementInstance, catcher: FlowNode, variables: Vars): void {
    if (owner.elementId === catcher.id) {
      return this.completeWithVariables(instance, owner, variables);
    }
    if (catcher.attachedTo) return this.triggerBoundary(instance, owner, catcher, variables);
    const ownerNode = this.node(instance, owner.elementId);
    if (ownerNode.type === 'bpmn:EventBasedGateway') {
      this.endElement(instance, owner, false);
      const target: ElementInstance = { key: this.tx.keys.next(), elementId: catcher.id, scopeKey: owner.scopeKey };
      instance.state.elements[target.key] = target;
      this.started(instance, catcher, target);
      return this.completeWithVariables(instance, target, variables);
    }
    // An event sub-process start event.
    this.triggerEventSubprocess(instance, owner, this.node(instance, catcher.scopeId), variables);
  }

  private triggerBoundary(instance: Instance, host: ElementInstance, boundary: FlowNode, variables: Vars): void {
    if (boundary.interrupting) this.endElement(instance, host, true);
    const element: ElementInstance = { key: this.tx.keys.next(), elementId: boundary.id, scopeKey: host.scopeKey };
    instance.state.elements[element.key] = element;
    this.started(instance, boundary, element);
    this.completeWithVariables(instance, element, variables);
  }

  private triggerEventSubprocess(instance: Instance, scope: ElementInstance, subprocess: FlowNode, variables: Vars): void {
    const start = this.node(instance, subprocess.startEventId!);
    if (start.interrupting) {
      for (const child of this.children(instance, scope.key)) this.endElement(instance, child, true);
      // Zeebe: an interrupted scope accepts no other event sub-process, but its own boundary events stay armed.
      const scopeNode = this.node(instance, scope.elementId);
      for (const id of scopeNode.eventSubprocesses) this.tx.effects.closedEvents.push(`${scope.key}/${this.node(instance, id).startEventId}`);
      for (const joinKey of Object.keys(instance.state.joins)) if (joinKey.startsWith(`${scope.key}/`)) delete instance.state.joins[joinKey];
    }
    const element: ElementInstance = { key: this.tx.keys.next(), elementId: subprocess.id, scopeKey: scope.key, wait: 'children' };
    instance.state.elements[element.key] = element;
    this.started(instance, subprocess, element);
    const startElement: ElementInstance = { key: this.tx.keys.next(), elementId: start.id, scopeKey: element.key };
    instance.state.elements[startElement.key] = startElement;
    this.started(instance, start, startElement);
    this.completeWithVariables(instance, startElement, variables);
  }

  // ---------------------------------------------------------------- completion

  /** Output mappings (or propagation of the given variables), then leave the element. */
  private completeWithVariables(instance: Instance, element: ElementInstance, variables: Vars): void {
    const node = this.node(instance, element.elementId);
    try {
      if (node.outputs.length) {
        const context = { ...this.visibleVariables(instance, element.key), ...variables };
        const results: [string, unknown][] = node.outputs.map((m) => [m.target, this.expression(m.source, context, 'IO_MAPPING_ERROR')]);
        for (const [target, value] of results) this.propagate(instance, element.scopeKey, target, value);
      } else {
        for (const [name, value] of Object.entries(variables)) this.propagate(instance, element.key, name, value);
      }
    } catch (error) {
      return this.failStep(instance, element, 'complete', error, variables);
    }
    this.complete(instance, element);
  }

  private complete(instance: Instance, element: ElementInstance): void {
    const node = this.node(instance, element.elementId);
    if (element.loopCounter !== undefined) return this.completeInner(instance, node, element);
    this.leave(instance, node, element);
  }

  /** Takes the outgoing flows of a completed element (gateways choose), then ends it. */
  private leave(instance: Instance, node: FlowNode, element: ElementInstance): void {
    let flows: string[];
    try {
      flows = this.outgoingFlows(instance, node, element);
    } catch (error) {
      return this.failStep(instance, element, 'leave', error);
    }
    const scopeKey = element.scopeKey;
    this.endElement(instance, element, false);
    this.flowsToTake.set(scopeKey, (this.flowsToTake.get(scopeKey) ?? 0) + flows.length);
    for (const flowId of flows) {
      this.flowsToTake.set(scopeKey, this.flowsToTake.get(scopeKey)! - 1);
      this.takeFlow(instance, flowId, scopeKey);
    }
    if (!this.flowsToTake.get(scopeKey)) this.flowsToTake.delete(scopeKey);
    this.completeScopeIfDone(instance, scopeKey);
  }

  private outgoingFlows(instance: Instance, node: FlowNode, element: ElementInstance): string[] {
    if (node.type !== 'bpmn:ExclusiveGateway' && node.type !== 'bpmn:InclusiveGateway') return node.outgoing;
    if (node.outgoing.length <= 1 && !this.flow(instance, node.outgoing[0] ?? '')?.condition) return node.outgoing;
    const context = this.visibleVariables(instance, element.scopeKey);
    const taken: string[] = [];
    for (const flowId of node.outgoing) {
      if (flowId === node.defaultFlow) continue;
      const condition = this.flow(instance, flowId).condition;
      if (!condition) continue;
      let passes: boolean;
      try {
        passes = evaluateCondition(condition, context, { now: this.tx.now });
      } catch (error) {
        // Zeebe: a condition that fails or is not a boolean is an EXTRACT_VALUE_ERROR; CONDITION_ERROR is "no flow taken".
        const wrongType = error instanceof FeelError && /^expected a BOOLEAN result, but was '(\w+)'$/.exec(error.reason);
        const message = wrongType
          ? `Expected result of the expression '${condition.replace(/^\s*=/, '')}' to be 'BOOLEAN', but was '${wrongType[1]}'.`
          : (error as Error).message;
        throw new StepFailure('EXTRACT_VALUE_ERROR', message);
      }
      if (passes) {
        taken.push(flowId);
        if (node.type === 'bpmn:ExclusiveGateway') break;
      }
    }
    if (taken.length === 0 && node.defaultFlow) taken.push(node.defaultFlow);
    if (taken.length === 0) {
      throw new StepFailure('CONDITION_ERROR', 'Expected at least one condition to evaluate to true, or to have a default flow');
    }
    return taken;
  }

  private takeFlow(instance: Instance, flowId: string, scopeKey: string): void {
    const target = this.node(instance, this.flow(instance, flowId).targetId);
    const joining = (target.type === 'bpmn:ParallelGateway' || target.type === 'bpmn:InclusiveGateway') && target.incoming.length > 1;
    if (!joining) return this.activate(instance, target, scopeKey);
    const joinKey = `${scopeKey}/${target.id}`;
    const arrived = (instance.state.joins[joinKey] ??= {});
    arrived[flowId] = (arrived[flowId] ?? 0) + 1;
    this.tryJoin(instance, target, scopeKey);
  }

  /** A parallel join needs a token on every incoming flow; an inclusive join one on each flow that can still get one. */
  private tryJoin(instance: Instance, gateway: FlowNode, scopeKey: string): boolean {
    const joinKey = `${scopeKey}/${gateway.id}`;
    const arrived = instance.state.joins[joinKey];
    if (!arrived) return false;
    const ready =
      gateway.type === 'bpmn:ParallelGateway'
        ? gateway.incoming.every((f) => (arrived[f] ?? 0) > 0)
        : !this.children(instance, scopeKey).some((child) => this.canReach(instance, child.elementId, gateway.id));
    if (!ready) return false;
    for (const flowId of Object.keys(arrived)) {
      if (--arrived[flowId]! <= 0) delete arrived[flowId];
    }
    if (!Object.keys(arrived).length) delete instance.state.joins[joinKey];
    this.activate(instance, gateway, scopeKey);
    return true;
  }

  private canReach(instance: Instance, fromId: string, toId: string): boolean {
    const seen = new Set<string>();
    const stack = [fromId];
    while (stack.length) {
      const id = stack.pop()!;
      if (id === toId) return true;
      if (seen.has(id)) continue;
      seen.add(id);
      const node = this.node(instance, id);
      for (const flowId of node.outgoing) stack.push(this.flow(instance, flowId).targetId);
      for (const boundaryId of node.boundaries) stack.push(boundaryId);
    }
    return false;
  }

  /** A scope with no active children and no waiting tokens is complete. */
  private completeScopeIfDone(instance: Instance, scopeKey: string): void {
    const scope = instance.state.elements[scopeKey];
    if (!scope || scope.wait !== 'children') return;
    if (this.children(instance, scopeKey).length > 0 || this.flowsToTake.get(scopeKey)) return;
    // Inclusive joins whose other paths died out may fire now.
    for (const joinKey of Object.keys(instance.state.joins).filter((k) => k.startsWith(`${scopeKey}/`))) {
      const gateway = this.node(instance, joinKey.slice(scopeKey.length + 1));
      if (this.tryJoin(instance, gateway, scopeKey)) return;
    }
    if (Object.keys(instance.state.joins).some((k) => k.startsWith(`${scopeKey}/`))) return;
    if (scopeKey === instance.key) return this.completeInstance(instance);
    scope.wait = undefined;
    const node = this.node(instance, scope.elementId);
    if (node.triggeredByEvent) {
      // An event sub-process completes into its enclosing scope, which may now be done too.
      const parentKey = scope.scopeKey;
      this.endElement(instance, scope, false);
      return this.completeScopeIfDone(instance, parentKey);
    }
    this.completeWithVariables(instance, scope, {});
  }

  private completeInstance(instance: Instance): void {
    const variables = { ...instance.state.variables[instance.key] };
    this.tx.completedVariables.set(instance.key, variables);
    const root = instance.state.elements[instance.key]!;
    this.closeOwned(instance, root.key);
    this.endInstance(instance, 'COMPLETED');
    if (instance.parentProcessInstanceKey) {
      this.toParent(instance, { kind: 'childCompleted', callElementKey: instance.parentElementInstanceKey!, variables });
    }
  }

  private endInstance(instance: Instance, status: 'COMPLETED' | 'TERMINATED'): void {
    instance.status = status;
    instance.endDate = this.tx.now;
    instance.hasIncident = false;
    instance.state = { elements: {}, variables: {}, joins: {} };
    this.tx.effects.ended.push(instance.key);
  }

  private toParent(instance: Instance, followUp: DistributiveOmit<FollowUp, 'instanceKey'>): void {
    const parentKey = instance.parentProcessInstanceKey!;
    const parent = this.tx.instances.get(parentKey);
    const command = { ...followUp, instanceKey: parentKey } as FollowUp;
    if (parent) this.applyFollowUp(parent, command);
    else this.tx.followUps.push(command);
  }

  applyFollowUp(instance: Instance, followUp: FollowUp): void {
    if (instance.status !== 'ACTIVE') return;
    if (followUp.kind === 'terminate') return this.cancel(instance);
    if (followUp.kind === 'childCompleted') return this.childCompleted(instance, followUp.callElementKey, followUp.variables);
    return this.childError(instance, followUp.callElementKey, followUp.code, followUp.message, followUp.variables);
  }

  // ---------------------------------------------------------------- multi-instance

  private startMultiInstance(instance: Instance, node: FlowNode, body: ElementInstance): void {
    const mi = node.multiInstance!;
    let items: unknown;
    try {
      this.openBoundaries(instance, node, body);
      items = this.expression(mi.inputCollection, this.visibleVariables(instance, body.scopeKey), 'EXTRACT_VALUE_ERROR');
      if (!Array.isArray(items)) throw new StepFailure('EXTRACT_VALUE_ERROR', `inputCollection "${mi.inputCollection}" of "${node.id}" is ${JSON.stringify(items)}, not a list`);
    } catch (error) {
      return this.failStep(instance, body, 'activate', error);
    }
    body.wait = 'children';
    body.mi = { items, started: 0, active: 0, done: 0, output: items.map(() => null) };
    if (mi.outputCollection) this.setVariable(instance, body.key, mi.outputCollection, body.mi.output);
    if (items.length === 0) return this.finishMultiInstance(instance, node, body);
    const first = mi.sequential ? 1 : items.length;
    for (let i = 0; i < first; i++) this.startInner(instance, node, body);
  }

  private startInner(instance: Instance, node: FlowNode, body: ElementInstance): void {
    const mi = body.mi!;
    const index = mi.started++;
    mi.active++;
    const inner: ElementInstance = { key: this.tx.keys.next(), elementId: node.id, scopeKey: body.key, loopCounter: index + 1 };
    instance.state.elements[inner.key] = inner;
    this.started(instance, node, inner);
    if (node.multiInstance!.inputElement) this.setVariable(instance, inner.key, node.multiInstance!.inputElement, mi.items[index]);
    this.setVariable(instance, inner.key, 'loopCounter', index + 1);
    this.enter(instance, node, inner);
  }

  private completeInner(instance: Instance, node: FlowNode, inner: ElementInstance): void {
    const body = instance.state.elements[inner.scopeKey]!;
    const mi = body.mi!;
    const spec = node.multiInstance!;
    const context = this.visibleVariables(instance, inner.key);
    if (spec.outputCollection && spec.outputElement) {
      mi.output[inner.loopCounter! - 1] = this.expression(spec.outputElement, context, 'IO_MAPPING_ERROR');
      this.setVariable(instance, body.key, spec.outputCollection, mi.output);
    }
    const done = spec.completionCondition ? evaluateCondition(spec.completionCondition, context, { now: this.tx.now }) : false;
    this.endElement(instance, inner, false);
    mi.active--;
    mi.done++;
    if (done) {
      for (const child of this.children(instance, body.key)) this.endElement(instance, child, true);
      return this.finishMultiInstance(instance, node, body);
    }
    if (spec.sequential && mi.started < mi.items.length) return this.startInner(instance, node, body);
    if (mi.active === 0) this.finishMultiInstance(instance, node, body);
  }

  private finishMultiInstance(instance: Instance, node: FlowNode, body: ElementInstance): void {
    const spec = node.multiInstance!;
    body.wait = undefined;
    const output = spec.outputCollection ? { [spec.outputCollection]: body.mi!.output } : {};
    body.mi = undefined;
    // The output collection is propagated like a job's result; the inner element's own outputs already ran.
    for (const [name, value] of Object.entries(output)) this.propagate(instance, body.scopeKey, name, value);
    this.leave(instance, node, body);
  }

  // ---------------------------------------------------------------- errors, escalations, termination

  private propagateError(instance: Instance, thrower: ElementInstance, code: string, message: string, variables: Vars): void {
    const caught = this.findCatch(instance, thrower, 'error', code);
    if (caught) return this.applyCatch(instance, caught, variables);
    if (instance.parentProcessInstanceKey) {
      // Uncaught here: the call activity in the parent gets the chance; the child ends with it.
      const callElementKey = instance.parentElementInstanceKey!;
      this.terminateElement(instance, instance.state.elements[instance.key]!);
      this.endInstance(instance, 'TERMINATED');
      return this.toParent(instance, { kind: 'childError', callElementKey, code, message, variables });
    }
    this.failStep(
      instance,
      thrower,
      'complete',
      new StepFailure('UNHANDLED_ERROR_EVENT', `Expected to throw an error event with the code '${code}' with message '${message}', but it was not caught. No error events are available in the scope.`),
      {},
    );
  }

  private throwEscalation(instance: Instance, thrower: ElementInstance, node: FlowNode): void {
    const caught = this.findCatch(instance, thrower, 'escalation', node.code ?? '');
    if (caught?.catcher.interrupting) return this.applyCatch(instance, caught, {});
    // Uncaught or non-interrupting: the thrower carries on (Zeebe raises no incident for escalations).
    if (caught) this.applyCatch(instance, caught, {});
    this.complete(instance, thrower);
  }

  private findCatch(
    instance: Instance,
    thrower: ElementInstance,
    kind: 'error' | 'escalation',
    code: string,
  ): { host: ElementInstance; catcher: FlowNode; viaEventSubprocess: boolean } | undefined {
    const matches = (n: FlowNode) => n.event === kind && (n.code === undefined || n.code === code);
    // The thrower's own boundary events count for tasks, not for the throwing end / throw event.
    let current: ElementInstance | undefined = this.node(instance, thrower.elementId).type.endsWith('Event')
      ? instance.state.elements[thrower.scopeKey]
      : thrower;
    while (current) {
      const node = this.node(instance, current.elementId);
      const candidates = node.boundaries.map((id) => this.node(instance, id)).filter(matches);
      const exact = candidates.find((n) => n.code === code) ?? candidates[0];
      if (exact && !(current.loopCounter !== undefined && node.multiInstance)) return { host: current, catcher: exact, viaEventSubprocess: false };
      const starts = node.eventSubprocesses.map((id) => this.node(instance, this.node(instance, id).startEventId!)).filter(matches);
      const start = starts.find((n) => n.code === code) ?? starts[0];
      if (start) return { host: current, catcher: start, viaEventSubprocess: true };
      if (!current.scopeKey) return undefined;
      current = instance.state.elements[current.scopeKey];
    }
    return undefined;
  }

  private applyCatch(instance: Instance, caught: { host: ElementInstance; catcher: FlowNode; viaEventSubprocess: boolean }, variables: Vars): void {
    if (caught.viaEventSubprocess) {
      return this.triggerEventSubprocess(instance, caught.host, this.node(instance, caught.catcher.scopeId), variables);
    }
    this.triggerBoundary(instance, caught.host, caught.catcher, variables);
  }

  /** A terminate end event ends every token of its scope, then the scope completes. */
  private terminateScope(instance: Instance, element: ElementInstance): void {
    const scopeKey = element.scopeKey;
    this.endElement(instance, element, false);
    for (const child of this.children(instance, scopeKey)) this.endElement(instance, child, true);
    for (const joinKey of Object.keys(instance.state.joins)) if (joinKey.startsWith(`${scopeKey}/`)) delete instance.state.joins[joinKey];
    this.completeScopeIfDone(instance, scopeKey);
  }

  /** Ends an element instance and, when terminated, everything inside it (children, a called process). */
  private endElement(instance: Instance, element: ElementInstance, terminated: boolean): void {
    if (terminated) this.terminateElement(instance, element);
    else {
      this.closeOwned(instance, element.key);
      this.ended(element, 'COMPLETED');
      delete instance.state.elements[element.key];
      delete instance.state.variables[element.key];
    }
  }

  private terminateElement(instance: Instance, element: ElementInstance): void {
    for (const child of this.children(instance, element.key)) this.terminateElement(instance, child);
    if (element.childKey) this.tx.followUps.push({ instanceKey: element.childKey, kind: 'terminate' });
    if (element.retry) this.tx.effects.resolvedIncidents.push(element.retry.incidentKey);
    this.closeOwned(instance, element.key);
    for (const joinKey of Object.keys(instance.state.joins)) if (joinKey.startsWith(`${element.key}/`)) delete instance.state.joins[joinKey];
    if (element.key !== instance.key) {
      this.ended(element, 'TERMINATED');
      delete instance.state.elements[element.key];
      delete instance.state.variables[element.key];
    }
  }

  /** Jobs, user tasks, timers and subscriptions owned by an element instance go with it. */
  private closeOwned(instance: Instance, key: string): void {
    this.tx.effects.ended.push(key);
  }

  private children(instance: Instance, scopeKey: string): ElementInstance[] {
    return Object.values(instance.state.elements).filter((e) => e.scopeKey === scopeKey && e.key !== instance.key);
  }

  // ---------------------------------------------------------------- element instance history

  /** An element instance was activated: its history row (Camunda's element instance), written with the command. */
  private started(instance: Instance, node: FlowNode, element: ElementInstance, type: ElementInstanceType = elementTypeOf(node)): void {
    this.tx.effects.elementInstances.set(element.key, {
      elementInstanceKey: element.key,
      processInstanceKey: instance.key,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      elementId: node.id,
      elementName: node.name,
      type,
      state: 'ACTIVE',
      scopeKey: element.scopeKey || instance.key,
      startDate: this.tx.now,
      tenantId: instance.tenantId,
    });
  }

  private ended(element: ElementInstance, state: 'COMPLETED' | 'TERMINATED'): void {
    const row = this.tx.effects.elementInstances.get(element.key);
    if (!row) {
      this.tx.effects.endedElementInstances.set(element.key, state);
      return;
    }
    row.state = state;
    row.endDate = this.tx.now;
  }

  // ---------------------------------------------------------------- incidents

  private failStep(instance: Instance, element: ElementInstance, step: 'activate' | 'complete' | 'leave', error: unknown, variables?: Vars): void {
    if (!(error instanceof StepFailure) && !(error instanceof FeelError)) throw error;
    const type = error instanceof StepFailure ? error.type : 'EXTRACT_VALUE_ERROR';
    const incidentKey = this.tx.keys.next();
    element.wait = 'incident';
    element.retry = { step, variables, incidentKey };
    instance.hasIncident = true;
    this.tx.effects.incidents.push({
      incidentKey,
      processInstanceKey: instance.key,
      elementInstanceKey: element.key,
      elementId: element.elementId,
      processDefinitionKey: instance.processDefinitionKey,
      bpmnProcessId: instance.bpmnProcessId,
      errorType: type,
      errorMessage: error.message,
      creationTime: this.tx.now,
      tenantId: instance.tenantId,
    });
  }

  // ---------------------------------------------------------------- variables

  private setVariable(instance: Instance, scopeKey: string, name: string, value: unknown): void {
    (instance.state.variables[scopeKey] ??= {})[name] = value;
    this.tx.effects.variables.set(`${scopeKey}/${name}`, { scopeKey, name, value, processInstanceKey: instance.key, tenantId: instance.tenantId });
  }

  /** Zeebe propagation: set where the variable already exists, looking outwards from `fromKey`; else at the process. */
  private propagate(instance: Instance, fromKey: string, name: string, value: unknown): void {
    const chain = fromKey ? this.scopeChain(instance, fromKey) : [instance.key];
    const owner = chain.find((key) => instance.state.variables[key] && name in instance.state.variables[key]!) ?? instance.key;
    this.setVariable(instance, owner, name, value);
  }

  /** A mapping target may be a path (`a.b`): the context is rebuilt around the new value. */
  private setPath(instance: Instance, scopeKey: string, target: string, value: unknown, context: Vars): void {
    const [head, ...rest] = target.split('.');
    if (!rest.length) {
      context[head!] = value;
      return this.setVariable(instance, scopeKey, head!, value);
    }
    const base = structuredClone(context[head!] ?? {}) as Vars;
    let cursor = base;
    for (const part of rest.slice(0, -1)) cursor = (cursor[part] ??= {}) as Vars;
    cursor[rest[rest.length - 1]!] = value;
    context[head!] = base;
    this.setVariable(instance, scopeKey, head!, base);
  }

  // ---------------------------------------------------------------- helpers

  private expression(source: string, context: Vars, type: IncidentType): unknown {
    try {
      return evaluate(source, context, { now: this.tx.now });
    } catch (error) {
      throw new StepFailure(type, (error as Error).message);
    }
  }

  /** Static value or `=expression`. */
  private value(source: string, context: Vars): unknown {
    if (!isExpression(source)) return source;
    return this.expression(source, context, 'EXTRACT_VALUE_ERROR');
  }

  private optionalString(source: string | undefined, context: Vars): string | undefined {
    if (!source) return undefined;
    const value = this.value(source, context);
    return value === null || value === undefined || value === '' ? undefined : String(value);
  }

  private list(source: string | undefined, context: Vars): string[] {
    if (!source) return [];
    const value = isExpression(source) ? this.expression(source, context, 'EXTRACT_VALUE_ERROR') : source.split(',');
    if (value === null) return [];
    if (!Array.isArray(value)) throw new StepFailure('EXTRACT_VALUE_ERROR', `"${source}" is ${JSON.stringify(value)}, not a list of strings`);
    return value.map((v) => String(v).trim()).filter(Boolean);
  }

  private optionalDate(source: string | undefined, context: Vars, what: string): Date | undefined {
    const text = this.optionalString(source, context);
    if (!text) return undefined;
    const date = new Date(text.replace(/\[.*\]$/, ''));
    if (Number.isNaN(date.getTime())) throw new StepFailure('EXTRACT_VALUE_ERROR', `${what} "${text}" is not an ISO 8601 date-time`);
    return date;
  }

  private waiting(instance: Instance, key: string, wait: ElementInstance['wait']): ElementInstance {
    const element = instance.state.elements[key];
    if (!element || element.wait !== wait) throw new ProcessError(`element instance ${key} is not waiting for a ${wait}`);
    return element;
  }

  private definition(instance: Instance): Definition {
    const definition = this.tx.definitions.byKey(instance.processDefinitionKey);
    if (!definition) throw new ProcessError(`process definition ${instance.processDefinitionKey} is unknown`);
    return definition;
  }

  private node(instance: Instance, id: string): FlowNode {
    const node = this.definition(instance).model.nodes.get(id);
    if (!node) throw new ProcessError(`element "${id}" is not in process "${instance.bpmnProcessId}"`);
    return node;
  }

  private flow(instance: Instance, id: string) {
    return this.definition(instance).model.flows.get(id)!;
  }
}

const ELEMENT_TYPES: Record<string, ElementInstanceType> = {
  'bpmn:StartEvent': 'START_EVENT',
  'bpmn:EndEvent': 'END_EVENT',
  'bpmn:IntermediateCatchEvent': 'INTERMEDIATE_CATCH_EVENT',
  'bpmn:IntermediateThrowEvent': 'INTERMEDIATE_THROW_EVENT',
  'bpmn:BoundaryEvent': 'BOUNDARY_EVENT',
  'bpmn:ServiceTask': 'SERVICE_TASK',
  'bpmn:SendTask': 'SEND_TASK',
  'bpmn:BusinessRuleTask': 'BUSINESS_RULE_TASK',
  'bpmn:ScriptTask': 'SCRIPT_TASK',
  'bpmn:UserTask': 'USER_TASK',
  'bpmn:ReceiveTask': 'RECEIVE_TASK',
  'bpmn:ManualTask': 'MANUAL_TASK',
  'bpmn:Task': 'TASK',
  'bpmn:CallActivity': 'CALL_ACTIVITY',
  'bpmn:ExclusiveGateway': 'EXCLUSIVE_GATEWAY',
  'bpmn:ParallelGateway': 'PARALLEL_GATEWAY',
  'bpmn:InclusiveGateway': 'INCLUSIVE_GATEWAY',
  'bpmn:EventBasedGateway': 'EVENT_BASED_GATEWAY',
};

/** Camunda's element instance type of a flow node (`ElementInstanceResult.type`). */
export function elementTypeOf(node: FlowNode): ElementInstanceType {
  if (node.type === 'bpmn:SubProcess') return node.triggeredByEvent ? 'EVENT_SUB_PROCESS' : 'SUB_PROCESS';
  return ELEMENT_TYPES[node.type] ?? 'UNKNOWN';
}
