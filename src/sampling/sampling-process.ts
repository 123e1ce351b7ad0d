import type { ScopedProcessVariables } from '../workflow/scoped-variables';

/**
 * A county review that corrects a township decision reaches the case as this message (correlation key: the case id);
 * bpmn/dibao-correction.bpmn starts on it. Sampling defines it, dibao listens: dependencies run dibao → sampling.
 */
export const COUNTY_CORRECTION_MESSAGE = 'dibao.county-correction';

/** The variables of the county-correction message (sent by `sampling.send-correction`). */
export interface CorrectionVariables extends ScopedProcessVariables {
  caseId: string;
  batchId: string;
  /** The township's decision the county corrected. */
  decision: 'approve' | 'refuse';
  correctionReasons: string;
}
