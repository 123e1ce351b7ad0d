/**
 * The contract between `bpmn/temporary-aid.bpmn`, its workers and the API (PROCEDURES.md §3). Deadlines are
 * computed by the service and workers from the profile and handed to the model as ISO 8601 UTC date-times.
 */
import type { ScopedProcessVariables } from '../workflow/scoped-variables';
import type { AidType, Severity, Tier } from './temporary-aid-rules';

export const TEMPORARY_AID_PROCESS_ID = 'temporary-aid';
export const TEMPORARY_AID_SUBJECT = 'temporary-aid';

export const TEMPORARY_AID_JOBS = {
  /** After the township's reply: the amount (table or proposal), the approval tier, the emergency-aid deadline. */
  propose: 'temporary-aid.propose',
  /** A township approval is filed with the county (报县备案). */
  fileWithCounty: 'temporary-aid.file-with-county',
  /** Payment: rescue first from the township reserve fund (or the county directly), otherwise by the county. */
  pay: 'temporary-aid.pay',
  /** Refusal with written reasons. */
  refuse: 'temporary-aid.refuse',
  /** Closed, with any referral to other assistance recorded. */
  close: 'temporary-aid.close',
  /** A deadline (`deadlineType`) passed: breach recorded and escalated to the county. */
  recordBreach: 'temporary-aid.record-breach',
} as const;

export const TEMPORARY_AID_MESSAGES = {
  /** Correlation key: requestId. Published by the payment; closes the emergency-aid watch. */
  aidPaid: 'temporary-aid.aid-paid',
  /** Correlation key: requestId. The paperwork of a rescue-first payment, filed through the API. */
  paperworkFiled: 'temporary-aid.paperwork-filed',
  // Also caught: 'deadline.moved' (src/deadlines/deadline-moved.ts), correlation key `${subjectId}/paperworkDueAt`,
  // time to live 0, carrying paperworkDueAt = the new instant; the paperwork's watch then waits for that instant.
} as const;

export const TEMPORARY_AID_DEADLINES = {
  reply: 'temporary-aid.reply',
  emergencyAid: 'temporary-aid.emergency-aid',
  paperwork: 'temporary-aid.paperwork',
  /** The approval of each tier, due approvalDueAt (temporaryAidApprovalWorkingDays after the reply); met when decided. */
  townshipApproval: 'temporary-aid.township-approval',
  countyApproval: 'temporary-aid.county-approval',
  jointMeeting: 'temporary-aid.joint-meeting',
} as const;

/** Per approval tier: its user task, its deadline and the group that must decide in time (the task's candidate group's role). */
export const APPROVAL_STEPS = {
  township: { elementId: 'Task_township_approval', deadline: TEMPORARY_AID_DEADLINES.townshipApproval, responsibleGroup: 'township-leader' },
  county: { elementId: 'Task_county_approval', deadline: TEMPORARY_AID_DEADLINES.countyApproval, responsibleGroup: 'county-civil-affairs' },
  'joint-meeting': { elementId: 'Task_joint_meeting', deadline: TEMPORARY_AID_DEADLINES.jointMeeting, responsibleGroup: 'county-civil-affairs' },
} as const;

export type ApprovalTier = keyof typeof APPROVAL_STEPS;

export function isApprovalTier(tier: unknown): tier is ApprovalTier {
  return typeof tier === 'string' && Object.hasOwn(APPROVAL_STEPS, tier);
}

export interface TemporaryAidStartVariables extends ScopedProcessVariables {
  requestId: string;
  townshipCode: string;
  countyCode: string;
  replyDueAt: string;
  /** For the reply form: the profile's limit (temporaryAidReplyHours) and the due instant in Asia/Shanghai. */
  replyHours: number;
  replyDueText: string;
}

/** What the township's reply form (temporary-aid-reply) gives. */
export interface ReplyVariables {
  aidType: AidType;
  severity: Severity;
  urgent?: boolean;
  /** Entered in yuan (two decimals); empty: the profile's table. */
  proposedYuan?: number | null;
  referral: string;
  replyNotes: string;
}

/** The approval tiers as the approving official reads them (分级审批, notice 001). */
export const TIER_TEXT: Record<Tier | 'ineligible', string> = {
  'rescue-first': '先行救助（事后补充说明）',
  township: '乡镇（街道）审批',
  county: '县级民政部门审批',
  'joint-meeting': '联席会议一事一议',
  ineligible: '不符合救助条件',
};

/** Written by `temporary-aid.propose`. */
export interface ProposalVariables {
  amountFen: number;
  /** For the approval form: the amount in yuan (580.00) and the tier in Chinese. */
  amountYuanText: string;
  tierText: string;
  tier: Tier | 'ineligible';
  emergency: boolean;
  aidDueAt: string | null;
  /** The due date of the approval task (township, county or joint meeting), temporaryAidApprovalWorkingDays after the reply; null for the other tiers. */
  approvalDueAt: string | null;
  ineligibleReasons: string[];
}
