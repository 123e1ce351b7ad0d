/** The API's answers the workbench reads (src/tasks/tasks.dto.ts, src/dibao/…). */
export interface TaskCaseContext {
  subjectType: 'dibao-case' | 'temporary-aid' | string;
  subjectId: string;
  caseNumber: string;
  caseStatus: string;
  applicantName: string;
  applicantIdNumber: string | null;
  villageCode: string;
  villageName: string | null;
  townshipCode: string;
  townshipName: string | null;
  householdSize: number;
  dueAt: string | null;
  dueText: string | null;
  facts?: TaskCaseFacts | null;
}

export interface TaskCycleContext {
  subjectType: 'payment-cycle';
  countyCode: string;
  countyName: string | null;
  month: string;
  monthText: string;
  cycleStatus: string;
  lineCount: number | null;
  totalFen: number | null;
  totalYuan: string | null;
  dueAt: string | null;
  dueText: string | null;
}

/** A county's task to replenish a township reserve fund below its threshold. */
export interface TaskFundContext {
  subjectType: 'reserve-fund-alert';
  subjectId: string;
  townshipCode: string;
  townshipName: string | null;
  countyCode: string;
  countyName: string | null;
  balanceFen: number;
  thresholdFen: number;
  alertStatus: 'open' | 'closed';
  raisedAt: string;
  dueAt: string | null;
  dueText: string | null;
}

export interface TaskCaseFacts {
  members: Record<string, unknown>[];
  incomes: { declared: Record<string, unknown>[]; verified: Record<string, unknown>[] | null };
  expenditures: Record<string, unknown>[];
  assets: { declared: Record<string, unknown> | null; verified: Record<string, unknown> | null };
  assessment: Record<string, unknown> | null;
  decisions: Record<string, unknown>[];
  objections: Record<string, unknown>[];
  timeline: Record<string, unknown>[];
  steps: { step: string; elementId: string; actorId: string; completedAt: string; values: Record<string, unknown> }[];
}

export type Urgency = 'overdue' | 'due-today' | 'at-risk' | null;

export interface TaskSummary {
  userTaskKey: string;
  name: string | null;
  state: string;
  elementId: string;
  processDefinitionId: string;
  processInstanceKey: string;
  candidateGroups: string[];
  assignee: string | null;
  creationDate: string | null;
  dueDate: string | null;
  regionCode: string;
  subjectType: string | null;
  subjectId: string | null;
  formKey: string | null;
  urgency?: Urgency;
  context: TaskCaseContext | TaskCycleContext | TaskFundContext | null;
}

/** The envelope of every paged list of the API (src/common/paging.ts). */
export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
  truncated: boolean;
}

export type TaskPage = Page<TaskSummary>;

export interface TaskDetail extends TaskSummary {
  form: Record<string, unknown> | null;
  variables: Record<string, unknown>;
}

export const isCycle = (c: TaskSummary['context']): c is TaskCycleContext => c?.subjectType === 'payment-cycle';
export const isFund = (c: TaskSummary['context']): c is TaskFundContext => c?.subjectType === 'reserve-fund-alert';
