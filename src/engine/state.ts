/**
 * The durable shape of one process instance and the rows a command creates besides it. The interpreter changes
 * an `Instance` in memory and lists its side rows in `Effects`; the store writes both in one transaction.
 */

export type Wait = 'job' | 'userTask' | 'timer' | 'message' | 'call' | 'gateway' | 'children' | 'incident';

export interface ElementInstance {
  key: string;
  elementId: string;
  /** The element instance of the enclosing process / sub-process / multi-instance body; '' for the process itself. */
  scopeKey: string;
  wait?: Wait;
  /** Multi-instance body: the items, how many inner instances started / ended, and the collected output. */
  mi?: { items: unknown[]; started: number; active: number; done: number; output: unknown[] };
  /** Inner instance of a multi-instance body: its loopCounter (1-based). */
  loopCounter?: number;
  /** Set while an incident holds the element: which step to retry when it is resolved. */
  retry?: { step: 'activate' | 'complete' | 'leave'; variables?: Record<string, unknown>; incidentKey: string };
  /** The JOB_NO_RETRIES incident on this element's job, while it is open. */
  jobIncidentKey?: string;
  /** Child process instance of a call activity. */
  childKey?: string;
}

export interface InstanceState {
  elements: Record<string, ElementInstance>;
  /** Variables by scope (element instance key). */
  variables: Record<string, Record<string, unknown>>;
  /** Tokens waiting at joining gateways: `${scopeKey}/${gatewayId}` → flow id → count. */
  joins: Record<string, Record<string, number>>;
  /** The correlation key of the message that started the instance: no other message start with it while active. */
  startCorrelationKey?: string;
}

export type InstanceStatus = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

export interface Instance {
  key: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  status: InstanceStatus;
  tenantId: string;
  startDate: Date;
  endDate?: Date;
  parentProcessInstanceKey?: string;
  parentElementInstanceKey?: string;
  hasIncident: boolean;
  state: InstanceState;
  isNew: boolean;
}

export interface NewJob {
  jobKey: string;
  type: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  elementId: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  scopeKeys: string[];
  customHeaders: Record<string, string>;
  retries: number;
  tenantId: string;
  /** A task listener's job (default: the element's own, BPMN_ELEMENT / UNSPECIFIED). */
  kind?: 'BPMN_ELEMENT' | 'TASK_LISTENER';
  listenerEventType?: 'UNSPECIFIED' | 'ASSIGNING' | 'COMPLETING';
  /** A task listener job's view of its user task (Camunda's `userTask` of an activated job). */
  userTask?: Record<string, unknown>;
}

export interface NewUserTask {
  userTaskKey: string;
  elementId: string;
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  version: number;
  processName?: string;
  name?: string;
  assignee?: string;
  candidateGroups: string[];
  candidateUsers: string[];
  dueDate?: Date;
  followUpDate?: Date;
  priority: number;
  formKey?: string;
  externalFormReference?: string;
  customHeaders: Record<string, string>;
  creationDate: Date;
  tenantId: string;
}

export interface NewTimer {
  timerKey: string;
  dueAt: Date;
  processDefinitionKey: string;
  processInstanceKey?: string;
  elementInstanceKey?: string;
  elementId: string;
  repetitions: number;
  cycle?: string;
}

export interface NewSubscription {
  subscriptionKey: string;
  messageName: string;
  correlationKey?: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  processInstanceKey?: string;
  elementInstanceKey?: string;
  elementId: string;
  tenantId: string;
}

export type IncidentType =
  | 'JOB_NO_RETRIES'
  | 'TASK_LISTENER_NO_RETRIES'
  | 'IO_MAPPING_ERROR'
  | 'CONDITION_ERROR'
  | 'EXTRACT_VALUE_ERROR'
  | 'CALLED_ELEMENT_ERROR'
  | 'UNHANDLED_ERROR_EVENT'
  | 'FORM_NOT_FOUND';

export interface NewIncident {
  incidentKey: string;
  processInstanceKey: string;
  elementInstanceKey: string;
  elementId: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  errorType: IncidentType;
  errorMessage: string;
  jobKey?: string;
  creationTime: Date;
  tenantId: string;
}

/** Camunda's element instance types (`ElementInstanceResult.type`) the engine produces. */
export type ElementInstanceType =
  | 'SUB_PROCESS'
  | 'EVENT_SUB_PROCESS'
  | 'START_EVENT'
  | 'INTERMEDIATE_CATCH_EVENT'
  | 'INTERMEDIATE_THROW_EVENT'
  | 'BOUNDARY_EVENT'
  | 'END_EVENT'
  | 'SERVICE_TASK'
  | 'RECEIVE_TASK'
  | 'USER_TASK'
  | 'MANUAL_TASK'
  | 'TASK'
  | 'EXCLUSIVE_GATEWAY'
  | 'INCLUSIVE_GATEWAY'
  | 'PARALLEL_GATEWAY'
  | 'EVENT_BASED_GATEWAY'
  | 'MULTI_INSTANCE_BODY'
  | 'CALL_ACTIVITY'
  | 'BUSINESS_RULE_TASK'
  | 'SCRIPT_TASK'
  | 'SEND_TASK'
  | 'UNKNOWN';

export type ElementInstanceState = 'ACTIVE' | 'COMPLETED' | 'TERMINATED';

/** An element instance activated by this command; `state` / `endDate` set when it also ended within it. */
export interface NewElementInstance {
  elementInstanceKey: string;
  processInstanceKey: string;
  processDefinitionKey: string;
  bpmnProcessId: string;
  elementId: string;
  elementName?: string;
  type: ElementInstanceType;
  state: ElementInstanceState;
  /** The enclosing element instance (sub-process, multi-instance body), or the process instance. */
  scopeKey: string;
  startDate: Date;
  endDate?: Date;
  tenantId: string;
}

export interface Effects {
  jobs: NewJob[];
  userTasks: NewUserTask[];
  timers: NewTimer[];
  subscriptions: NewSubscription[];
  incidents: NewIncident[];
  /** Incidents the command resolved. */
  resolvedIncidents: string[];
  /** Element instances that ended: their jobs, timers, subscriptions go; their open user tasks are cancelled. */
  ended: string[];
  /** User tasks completed by this command (not cancelled). */
  completedUserTasks: string[];
  /** Jobs completed or thrown by this command. */
  settledJobs: string[];
  /** Timers that fired (start-event cycles are rescheduled as new rows). */
  firedTimers: string[];
  /** Timers and subscriptions of one catch element closed while their owner goes on (`${elementInstanceKey}/${elementId}`). */
  closedEvents: string[];
  /** Element instances activated by this command (history rows), by key. */
  elementInstances: Map<string, NewElementInstance>;
  /** Element instances activated by earlier commands that this one completed or terminated. */
  endedElementInstances: Map<string, Exclude<ElementInstanceState, 'ACTIVE'>>;
  /** Changed variables: `${scopeKey}/${name}` → row. */
  variables: Map<string, { scopeKey: string; name: string; value: unknown; processInstanceKey: string; tenantId: string }>;
}

export function emptyEffects(): Effects {
  return {
    jobs: [],
    userTasks: [],
    timers: [],
    subscriptions: [],
    incidents: [],
    resolvedIncidents: [],
    ended: [],
    completedUserTasks: [],
    settledJobs: [],
    firedTimers: [],
    closedEvents: [],
    elementInstances: new Map(),
    endedElementInstances: new Map(),
    variables: new Map(),
  };
}
