import { DateTime } from 'luxon';
import { maskIdNumbersIn } from '../common/id-number';

/**
 * The texts a case produces, in Chinese. The public notice carries only name, household size and amount (法§11:
 * no ID number, phone, bank account, address detail or diagnosis); a refusal states every reason and its rule (法§45).
 */

const yuan = (fen: number) => (fen / 100).toFixed(2);
const day = (at: Date) => DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日');

export function publicNoticeText(input: { applicantName: string; householdSize: number; benefitFen: number; noticeDays: number; endsAt: Date; township: string }): string {
  return [
    '最低生活保障审核确认结果公示',
    `申请人：${input.applicantName}；保障人口：${input.householdSize}人；月保障金额：${yuan(input.benefitFen)}元。`,
    `公示期${input.noticeDays}日，至${day(input.endsAt)}止。对公示内容有异议的，请在公示期内向${input.township}反映。`,
  ].join('\n');
}

export function refusalNoticeText(input: { applicantName: string; caseNumber: string; reasons: { reason: string; rule: string }[]; decidedAt: Date }): string {
  return [
    '最低生活保障申请不予批准告知书',
    `${input.applicantName}：`,
    `您于本乡镇（街道）提出的最低生活保障申请（编号${input.caseNumber}），经审核，于${day(input.decidedAt)}决定不予批准。理由如下：`,
    ...input.reasons.map((r, i) => `${i + 1}. ${r.reason}（依据：${r.rule}）`),
    '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
  ].join('\n');
}

export function missingMaterialsText(input: { applicantName: string; caseNumber: string; materials: string; dueAt: Date }): string {
  return [
    '补正材料一次性告知书',
    `${input.applicantName}：`,
    `您的最低生活保障申请（编号${input.caseNumber}）尚缺以下材料，请于${day(input.dueAt)}前一并补齐：`,
    input.materials.trim(),
    '可通过核对系统获取的信息无需您提供（社会救助法 §62）。',
  ].join('\n');
}

export function closureText(input: { applicantName: string; caseNumber: string; closedAt: Date }): string {
  return [
    '最低生活保障申请终止告知书',
    `${input.applicantName}：`,
    `您的最低生活保障申请（编号${input.caseNumber}）因未在期限内补齐材料，于${day(input.closedAt)}终止办理。您可重新提出申请。`,
  ].join('\n');
}

export function terminationText(input: { applicantName: string; caseNumber: string; reasons: string[]; familyStatement: string; decidedAt: Date; untilMonth: string }): string {
  const [year, month] = input.untilMonth.split('-').map(Number);
  return [
    '终止最低生活保障告知书',
    `${input.applicantName}：`,
    `经县级抽查复核，并听取您的陈述和申辩，于${day(input.decidedAt)}决定终止您家的最低生活保障（编号${input.caseNumber}），自${year}年${month}月起停发。理由如下：`,
    ...input.reasons.map((r, i) => `${i + 1}. ${r}（依据：社会救助法 §48）`),
    `您的陈述和申辩已记录在案：${input.familyStatement.trim()}`,
    '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
  ].join('\n');
}

const month = (isoDate: string) => isoDate.slice(0, 7);

/** Nobody of the household is left (the monthly death-record comparison): the benefit stops from `untilMonth`. */
export function deathTerminationText(input: { applicantName: string; caseNumber: string; deceasedName: string; diedOn: string; untilMonth: string }): string {
  return [
    '终止最低生活保障告知书',
    `${input.applicantName}家属：`,
    `经与死亡登记信息比对，${input.deceasedName}已于${input.diedOn}去世。其最低生活保障（编号${input.caseNumber}）自${month(input.untilMonth)}起停发（社会救助法 §48）。`,
    '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
  ].join('\n');
}

/** A household recalculated after a member's death and the family's hearing; a benefit of 0 ends it. */
export function recalculationText(input: { applicantName: string; deceasedName: string; diedOn: string; livingMembers: number; oldBenefitFen: number; newBenefitFen: number; fromMonth: string; familyStatement: string }): string {
  const change =
    input.newBenefitFen > 0
      ? `月保障金额由${yuan(input.oldBenefitFen)}元调整为${yuan(input.newBenefitFen)}元，自${month(input.fromMonth)}起执行。`
      : `家庭已不符合保障条件，最低生活保障自${month(input.fromMonth)}起停发。`;
  return [
    '最低生活保障调整告知书',
    `${input.applicantName}家庭：`,
    `因家庭成员${input.deceasedName}于${input.diedOn}去世，经听取您家陈述，按在世${input.livingMembers}人重新核算，${change}`,
    `您的陈述已记录在案：${input.familyStatement.trim()}`,
    '依据：社会救助法 §48。如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
  ].join('\n');
}

/** Work lifted the household above the standard: paid as before from `fromMonth` until before `untilMonth`. */
export function gradualExitText(input: { applicantName: string; caseNumber: string; profileName: string; months: number; fromMonth: string; lastMonth: string; untilMonth: string; benefitFen: number; source: string }): string {
  return [
    '最低生活保障渐退告知书',
    `${input.applicantName}：`,
    `经复核，您家因家庭成员就业，家庭人均收入超过当地低保标准。按${input.profileName}规定给予渐退期${input.months}个月（${month(input.fromMonth)}至${month(input.lastMonth)}），` +
      `期间按月${yuan(input.benefitFen)}元照常发放，自${month(input.untilMonth)}起停发（编号${input.caseNumber}）。`,
    `依据：${input.source}；社会救助法 §48。如对本决定有异议，可依法申请行政复议或提起行政诉讼。`,
  ].join('\n');
}

/** The Chinese half of an assessment's bilingual text ("中文 / English"), its ¥ amounts written x.xx元 (fractions of a fen kept). */
export function chineseOf(text: string): string {
  return text.split(' / ')[0]!.replace(/¥(\d+\.\d+…?)/g, '$1元').trim();
}

/**
 * After hearing the family (法§48) the benefit ends or is reduced from `fromMonth` (the next unpaid month): a periodic
 * review found the household no longer eligible (`basis` 复查核算), or a county correction (县级抽查复核). Every reason
 * is listed: the findings (a review's assessment reasons, with the profile that sets them, and its steps), the
 * caseworker's conclusion and the family's statement. Free text is masked: a caseworker may have typed an ID number.
 */
export function hearingConclusionText(input: {
  basis: string;
  applicantName: string;
  caseNumber: string;
  conclusion: 'terminate' | 'reduce';
  assessmentReasons: string[];
  assessmentSteps: string[];
  rule: string;
  hearingReasons: string;
  familyStatement: string;
  decidedAt: Date;
  fromMonth: string;
  oldBenefitFen: number;
  newBenefitFen: number;
}): string {
  const [year, mon] = input.fromMonth.split('-').map(Number);
  const change =
    input.conclusion === 'terminate'
      ? `决定终止您家的最低生活保障（编号${input.caseNumber}），自${year}年${mon}月起停发。`
      : `决定减发您家的最低生活保障金（编号${input.caseNumber}），月保障金额由${yuan(input.oldBenefitFen)}元减为${yuan(input.newBenefitFen)}元，自${year}年${mon}月起执行。`;
  const reasons = [...input.assessmentReasons.map((r) => `${chineseOf(r)}（依据：${input.rule}）`), `经办结论：${input.hearingReasons.trim()}（依据：社会救助法 §48）`];
  return maskIdNumbersIn(
    [
      input.conclusion === 'terminate' ? '终止最低生活保障告知书' : '最低生活保障减发告知书',
      `${input.applicantName}：`,
      `经${input.basis}，并听取您的陈述和申辩，于${day(input.decidedAt)}${change}此前各月照常发放。理由如下：`,
      ...reasons.map((r, i) => `${i + 1}. ${r}`),
      ...(input.assessmentSteps.length ? ['核算过程：', ...input.assessmentSteps.map((step) => `- ${chineseOf(step)}`)] : []),
      `您的陈述和申辩已记录在案：${input.familyStatement.trim()}`,
      '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
    ].join('\n'),
  );
}
