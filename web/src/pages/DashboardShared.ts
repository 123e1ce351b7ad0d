import { labelOr, type MessageKey, type Translate } from '../i18n';

/** The API's answers the dashboard reads (src/deadlines/deadline-queries.ts, src/sla/sla.service.ts, src/sla/incidents.dto.ts). */
export type DeadlineStatus = 'open' | 'at-risk' | 'breached' | 'met';
export const STATUSES: readonly DeadlineStatus[] = ['open', 'at-risk', 'breached', 'met'];

export interface StatusCounts {
  open: number;
  atRisk: number;
  breached: number;
  met: number;
}

export interface SummaryLine extends StatusCounts {
  region: string;
  name: string | null;
  byType: (StatusCounts & { type: string })[];
  timeToDecision: { procedure: string; decided: number; medianDays: number; p95Days: number }[];
}

export interface DeadlineRow {
  id: string;
  type: string;
  status: DeadlineStatus;
  subjectType: string;
  subjectId: string;
  regionCode: string;
  regionName: string | null;
  caseNumber: string | null;
  responsibleGroup: string;
  rule: string;
  startedAt: string;
  dueAt: string;
  metAt: string | null;
  breachedAt: string | null;
  calendar: string | null;
  calendarNote: string | null;
}

export interface IncidentItem {
  incidentKey: string;
  processDefinitionId: string | null;
  processInstanceKey: string;
  elementId: string | null;
  jobKey: string | null;
  errorType: string | null;
  errorMessage: string | null;
  reason: string;
  creationTime: string | null;
  subject: { subjectType: string | null; subjectId: string | null; regionCode: string; caseNumber?: string };
}

export interface IncidentRetryResult {
  incidentKey: string;
  processInstanceKey: string;
  jobKey: string | null;
  retries: number | null;
  resolved: true;
}

export interface RegionView {
  code: string;
  name: string;
  chain: { code: string; name: string }[];
}

/** The count of a status in a line (the summary's `atRisk` is the status `at-risk`). */
export const countOf = (c: StatusCounts, status: DeadlineStatus): number => (status === 'at-risk' ? c.atRisk : c[status]);

export const typeLabel = (t: Translate, type: string) => labelOr(t, `deadline.type.${type}`, type);
export const procedureLabel = (t: Translate, procedure: string) => labelOr(t, `dashboard.procedure.${procedure}`, procedure);
export const subjectLabel = (t: Translate, subjectType: string) => labelOr(t, `dashboard.subject.${subjectType}`, subjectType);
export const statusLabel = (t: Translate, status: DeadlineStatus) => t(`dashboard.status.${status}` as MessageKey);

/** The deadlines list behind a number. */
export function deadlinesHref(params: { region: string; status?: DeadlineStatus; type?: string }): string {
  const search = new URLSearchParams({ region: params.region });
  if (params.status) search.set('status', params.status);
  if (params.type) search.set('type', params.type);
  return `/dashboard/deadlines?${search.toString()}`;
}

/** Where a subject's page is: dibao cases have one. */
export const subjectHref = (subjectType: string | null, subjectId: string | null): string | null => (subjectType === 'dibao-case' && subjectId ? `/cases/${subjectId}` : null);
