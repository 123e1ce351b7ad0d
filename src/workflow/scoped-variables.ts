/**
 * Variables every procedure's instance carries so that the task API can scope tasks without knowing the procedure:
 * `regionCode` is the finest region of the case (a village's 12 digits), `subjectType` / `subjectId` name the case.
 */
export interface ScopedProcessVariables {
  regionCode: string;
  subjectType: string;
  subjectId: string;
}
