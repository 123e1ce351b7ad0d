/** The case or cycle an incident's process instance works on, from its `subjectType`, `subjectId`, `regionCode`. */
export interface IncidentSubject {
  /** Null while the instance has not set it yet (a payment cycle before it opened). */
  subjectType: string | null;
  subjectId: string | null;
  /** The instance's `regionCode`, else its `countyCode`. */
  regionCode: string;
  /** A dibao case's case number or a temporary-aid request's number. */
  caseNumber?: string;
}

/** An open engine incident of any of our procedures, as supervisors see it. */
export interface IncidentItem {
  incidentKey: string;
  processDefinitionId: string | null;
  processInstanceKey: string;
  elementId: string | null;
  jobKey: string | null;
  /** Camunda's raw type and message. */
  errorType: string | null;
  errorMessage: string | null;
  /** What went wrong in plain words, Chinese then English. */
  reason: string;
  creationTime: string | null;
  subject: IncidentSubject;
  /** The first version's field, dibao cases only: kept for its clients; `subject` carries the same. */
  case?: { subjectType: 'dibao-case'; id: string; caseNumber?: string; regionCode: string };
}

/** What `POST /sla/incidents/{key}/retry` did. */
export interface IncidentRetryResult {
  incidentKey: string;
  processInstanceKey: string;
  /** The job given retries again, for a job incident. */
  jobKey: string | null;
  retries: number | null;
  resolved: true;
}
