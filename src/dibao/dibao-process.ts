/**
 * The contract between `bpmn/dibao-application.bpmn`, its workers and the API: process id, job types, messages,
 * candidate groups and the process variables each side reads or writes. Change one side, change it here.
 *
 * Deadlines are computed by workers from the policy profile and the holiday calendar and handed to the model as
 * ISO 8601 UTC date-times (timers and user-task due dates read them); the model holds no local numbers.
 */

import { COUNTY_CORRECTION_MESSAGE } from '../sampling/sampling-process';
import type { ScopedProcessVariables } from '../workflow/scoped-variables';

export const DIBAO_PROCESS_ID = 'dibao-application';

export const DIBAO_JOBS = {
  /** After acceptance: fixes the profile version in force and computes every procedure deadline. */
  recordAcceptance: 'dibao.record-acceptance',
  /** Missing materials listed once and all together; the deadline to supply them. */
  requestMaterials: 'dibao.request-materials',
  /** Materials not supplied in time: the application is closed with a written notice. */
  closeApplication: 'dibao.close-application',
  /** Income assessment with the profile version of acceptance. */
  assess: 'dibao.assess',
  /** Public notice posted (name, household size, amount only); its end date. */
  publishNotice: 'dibao.publish-notice',
  /** Approval after an undisputed notice: enrolment from the month after approval. */
  enrol: 'dibao.enrol',
  /** Refusal: written notice with every reason and the rule behind it. */
  issueRefusal: 'dibao.issue-refusal',
  /** Every township decision (approval or refusal) enters the county sampling pool. */
  enterSamplingPool: 'dibao.enter-sampling-pool',
  /** The whole-procedure deadline passed: breach recorded, county escalated. */
  recordBreach: 'dibao.record-breach',
  /** The refusal notice delivered: its deadline met at the delivery. */
  recordDelivery: 'dibao.record-delivery',
  /** The county's follow-up done: its deadline met. */
  recordFollowUp: 'dibao.record-follow-up',
} as const;

/**
 * `bpmn/dibao-correction.bpmn`: a county sampling review corrected a township decision (message start), or a
 * periodic review found an enrolled household no longer eligible for a reason other than work (none start, through
 * the outbox): both hear the family before the benefit is reduced or ends (法§48).
 */
export const CORRECTION_PROCESS_ID = 'dibao-correction';

/** The service tasks of `bpmn/dibao-correction.bpmn`. */
export const CORRECTION_JOBS = {
  /** Chooses the path from the case as it stands: re-open a refusal, hear the family of an enrolment, or nothing. */
  checkCorrection: 'dibao.check-correction',
  /** A fresh procedure for a wrongly refused case. */
  reopen: 'dibao.reopen',
  /** After the hearing: terminate or (review) reduce with a written notice (法§48), or keep the benefit. */
  concludeHearing: 'dibao.conclude-hearing',
} as const;

export const DIBAO_MESSAGES = {
  /** Correlation key: caseId. */
  materialsSupplied: 'dibao.materials-supplied',
  /** Correlation key: caseId. Only caught while the notice runs. */
  objectionLodged: 'dibao.objection-lodged',
  /** Correlation key: caseId. The county granted the one extension to the longer limit. */
  deadlineExtended: 'dibao.deadline-extended',
  /** Correlation key: caseId. Starts bpmn/dibao-correction.bpmn (message start: one correction at a time per case). */
  countyCorrection: COUNTY_CORRECTION_MESSAGE,
} as const;

/** Why the family is heard: a county correction (the default, its message carries no reason) or a review. */
export type HearingReason = 'correction' | 'review';

/** Set by the review that starts the hearing (POST /api/v1/dibao/cases/{id}/reviews). */
export interface ReviewHearingVariables extends ScopedProcessVariables {
  caseId: string;
  hearingReason: 'review';
  /** Opened by the review (hearingWorkingDays of the profile in force); the hearing task's due date. */
  hearingDueAt: string;
  /** The benefit paid while the hearing is open; a reduction must stay below it (the form's max). */
  currentBenefitFen: number;
  /** The same in yuan (600.00), shown in the hearing form. */
  currentBenefitYuanText: string;
  /** The review's assessment reasons in Chinese with their rules, shown in the hearing form. */
  reviewReasons: string[];
}

/** Set by the hearing form (`dibao-hearing`). */
export interface HearingVariables {
  familyStatement: string;
  hearingConclusion: 'terminate' | 'reduce' | 'keep';
  /** With `reduce`: the new monthly benefit in yuan (two decimals); stored in fen. */
  reducedBenefitYuan?: number;
  hearingReasons: string;
}

/** Written by `dibao.check-correction`. */
export interface CorrectionPathVariables {
  correctionPath: 'reopen' | 'hear' | 'none';
  /** reopen: the instance of the refused procedure (cancelled if it still runs) and the new acceptance deadline. */
  previousProcessInstanceKey?: string | null;
  acceptDueAt?: string;
  /** hear: when the hearing must be done (hearingWorkingDays), and the benefit a reduction must stay below. */
  hearingDueAt?: string;
  currentBenefitFen?: number;
  currentBenefitYuanText?: string;
}

export const CANDIDATE_GROUPS = {
  villageCommittee: 'village-committee',
  townshipCaseworker: 'township-caseworker',
  townshipLeader: 'township-leader',
  countyCivilAffairs: 'county-civil-affairs',
} as const;

/** Variables set when the API starts the process. */
export interface DibaoStartVariables extends ScopedProcessVariables {
  caseId: string;
  /** When the township must have accepted or asked for materials (computed by the API at application). */
  acceptDueAt: string;
  /** Region codes of the case: village (12 digits), township (9), county (6). */
  villageCode: string;
  townshipCode: string;
  countyCode: string;
  /** `household` or `single-person` (the applicant asks for a single-person household). */
  requestType: 'household' | 'single-person';
  relativesCase: boolean;
  objectionRaised: boolean;
}

/** Written by `dibao.record-acceptance`. */
export interface AcceptanceVariables {
  profileVersionId: string;
  acceptedAt: string;
  investigationDueAt: string;
  procedureDueAt: string;
  procedureExtendedDueAt: string;
  /** The limit the deadline watch waits on (`deadline.moved` correlates on subjectId + "/" + it); the extension sets procedureExtendedDueAt. */
  watchedDeadline: 'procedureDueAt';
  villageReviewRequired: boolean;
  /** A member is a registered relative of a caseworker or village cadre (近亲属备案). */
  relativesCase: boolean;
  /** The household's members as the investigation form offers them (`valuesKey`): id and relation, no name or ID number. */
  memberOptions: { label: string; value: string }[];
}

/** Written by `dibao.assess`. */
export interface AssessmentVariables {
  assessmentOutcome: 'eligible' | 'single-person' | 'marginal' | 'not-eligible';
  benefitFen: number;
  /** Plain-language reasons of the assessment (shown in the audit forms). */
  assessmentReasons: string[];
  /** For the audit forms, as the caseworker reads them: the outcome in Chinese, the benefit in yuan, the reasons in Chinese. */
  assessmentOutcomeText: string;
  benefitYuanText: string;
  assessmentReasonTexts: string[];
  /** The choices of the township's decision form (`valuesKey` of bpmn/forms/dibao-decision.form). */
  decisionOptions: { label: string; value: 'approve' | 'refuse' }[];
}

/** The BPMN error of `dibao.publish-notice` when an approval has no benefit to pay: the decision is taken again. */
export const ZERO_BENEFIT_APPROVAL = 'zero-benefit-approval';

/**
 * What the township may decide on an assessment: the benefit is the gap between the standard and the household's
 * income (PROCEDURES.md §2), so an assessment of 0 fen found the household above the standard and leaves only a
 * refusal with its written reasons (法§45); the one option's label says why.
 */
export const ASSESSMENT_OUTCOME_TEXT: Record<AssessmentVariables['assessmentOutcome'], string> = {
  eligible: '符合条件，整户纳入低保',
  'single-person': '低保边缘家庭，成员参照“单人户”纳入低保',
  marginal: '低保边缘家庭，不符合低保条件',
  'not-eligible': '不符合低保条件',
};

export function decisionOptions(benefitFen: number): AssessmentVariables['decisionOptions'] {
  if (benefitFen > 0) return [{ label: '批准', value: 'approve' }, { label: '不予批准', value: 'refuse' }];
  return [{ label: `不予批准（${zeroBenefitReason()}）`, value: 'refuse' }];
}

export function zeroBenefitReason(): string {
  return '核算月保障金额为0.00元，家庭不符合低保条件，不能批准';
}

/** Set by the township audit forms. */
export interface DecisionVariables {
  /** Caseworker's proposal. */
  proposal: 'approve' | 'refuse';
  proposalReasons: string;
  /** Leader's or joint meeting's decision. */
  decision: 'approve' | 'refuse';
  decisionReasons: string;
}
