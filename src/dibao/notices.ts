import { DateTime } from 'luxon';
import { yuan } from '../common/money';
import { maskIdNumbersIn } from '../common/id-number';
import type { Cited, ParameterName, Source } from '../policy/parameters';
import type { ResolvedProfile } from '../policy/policy-profiles';

/**
 * The texts a case produces, in Chinese. The public notice carries only name, household size and amount (法§11:
 * no ID number, phone, bank account, address detail or diagnosis); a refusal states every reason and its rule (法§45).
 */

/** An instant's date in Asia/Shanghai: 2026年12月3日. */
export const day = (at: Date) => DateTime.fromJSDate(at, { zone: 'Asia/Shanghai' }).toFormat('yyyy年M月d日');
/** 2026-11-01 → 2026年11月. */
const monthText = (isoDate: string) => `${Number(isoDate.slice(0, 4))}年${Number(isoDate.slice(5, 7))}月`;

/** 1–99 in Chinese numerals (第四十五条). */
function numeral(n: number): string {
  const d = '零一二三四五六七八九';
  if (n < 10) return d[n]!;
  const [tens, ones] = [Math.floor(n / 10), n % 10];
  return `${tens === 1 ? '' : d[tens]}十${ones ? d[ones] : ''}`;
}

/** The seed notices by the title a family can look up (the file names are ours: see src/policy/sources/README.md). */
const SEED_TITLES: Record<string, string> = {
  '000_23ba0740f7eaeaa3.txt': '甘南州民政局《关于进一步做好因疫因灾困难群众基本生活保障工作的通知》（州民电〔2022〕153号）',
  '001_f3cd0093bf4edb6a.txt': '《民政部 财政部关于切实保障好困难群众基本生活的通知》',
  '002_0858b8812067e8ef.txt': '同仁市民政局《关于巩固拓展脱贫攻坚兜底保障成果进一步做好困难群众基本生活保障工作实施方案的通知》',
  // The file carries no title line: named by its issuer, date and subject.
  '003_ea92d853b2b37869.txt': '云南省民政厅2022年6月28日关于进一步做好社会救助兜底保障相关事项的通知',
  '004_ab48a1bc071c0f38.txt': '焦作市民政局 焦作市财政局《进一步加强社会救助重点工作的若干措施》（焦民〔2022〕154号）',
};

/**
 * A profile citation as a person reads it: a law by title and articles (`行政复议法 §20 §24` →
 * 《中华人民共和国行政复议法》第二十条、第二十四条), a law by title only where no article is confirmed (`社会救助法`), a seed
 * notice by its title.
 */
export function citation(document: string): string {
  const law = /^(?:中华人民共和国)?(\S+?(?<!办)法)((?: §\d+)*)$/.exec(document);
  if (law) {
    const articles = [...law[2]!.matchAll(/§(\d+)/g)].map((m) => `第${numeral(Number(m[1]))}条`);
    return `《中华人民共和国${law[1]}》${articles.join('、')}`;
  }
  return SEED_TITLES[document] ?? document;
}

/** The family's remedies against an adverse decision, from the profile (administrativeReview, administrativeLitigation). */
export interface Remedies {
  review: Cited<{ body: string; days: number }>;
  litigation: Cited<{ body: string; months: number }>;
}

/** In a remedy's body, the name of the county the deciding township belongs to: `{county}人民政府` → 修武县人民政府. */
const COUNTY = '{county}';

/**
 * The remedies with the bodies named: `county` (RegionRegistry.countyOf of the case) fills `{county}`. A county the
 * registry does not know leaves the generic names (县级人民政府, 人民法院) rather than a code or an empty name.
 */
export function remediesOf(profile: Pick<ResolvedProfile, 'parameters'>, county: string | undefined): Remedies {
  const named = <T extends { body: string }>(cited: Cited<T>, generic: string): Cited<T> => {
    const body = cited.value.body;
    if (!body.includes(COUNTY)) return cited;
    return { ...cited, value: { ...cited.value, body: county ? body.split(COUNTY).join(county) : generic } };
  };
  return {
    review: named(profile.parameters.administrativeReview, '县级人民政府'),
    litigation: named(profile.parameters.administrativeLitigation, '人民法院'),
  };
}

function remediesText(r: Remedies): string {
  return (
    `如对本决定不服，可以自知道本决定之日起${r.review.value.days}日内向${r.review.value.body}申请行政复议（${citation(r.review.source.document)}），` +
    `或者自知道本决定之日起${r.litigation.value.months}个月内直接向${r.litigation.value.body}提起行政诉讼（${citation(r.litigation.source.document)}）。`
  );
}

export function publicNoticeText(input: { applicantName: string; householdSize: number; benefitFen: number; noticeDays: number; endsAt: Date; township: string }): string {
  return [
    '最低生活保障审核确认结果公示',
    `申请人：${input.applicantName}；保障人口：${input.householdSize}人；月保障金额：${yuan(input.benefitFen)}元。`,
    `公示期${input.noticeDays}日，至${day(input.endsAt)}止。对公示内容有异议的，请在公示期内向${input.township}反映。`,
  ].join('\n');
}

/** Which parameter an assessment reason applies, by its wording (src/assessment/assess.ts); the most specific first. */
const REASON_RULES: [RegExp, ParameterName][] = [
  [/单人户/, 'singlePersonHousehold'],
  [/金融资产|财产条件/, 'financialAssetsLimitMonths'],
  [/边缘/, 'marginalMultiplePercent'],
  [/低收入/, 'lowIncomeMultiplePercent'],
];

/**
 * An assessment's reasons for a person: the Chinese half, members named instead of by their ids, each with the title
 * and article of the rule it applies (the citation the assessment used, else the profile's).
 */
export function assessmentReasons(
  result: { reasons: string[]; steps: { rule: string; source?: Source }[] },
  profile: Pick<ResolvedProfile, 'parameters'>,
  members: { id: string; name: string }[],
): { reason: string; rule: string }[] {
  const sourceOf = (name: ParameterName | undefined): Source => {
    const applied = result.steps.find((s) => (name ? s.rule === name : s.rule.startsWith('dibaoStandard')) && s.source);
    return applied?.source ?? profile.parameters[name ?? 'dibaoStandardRuralFen'].source;
  };
  return result.reasons.map((text) => {
    const reason = members.reduce((t, m) => t.split(m.id).join(m.name), chineseOf(text));
    const name = REASON_RULES.find(([pattern]) => pattern.test(reason))?.[1];
    return { reason, rule: citation(sourceOf(name).document) };
  });
}

export function refusalNoticeText(input: {
  applicantName: string;
  caseNumber: string;
  townshipName: string;
  appliedAt: Date;
  /** Each in Chinese, with the title and article of its rule (see `citation`). */
  reasons: { reason: string; rule: string }[];
  decidedAt: Date;
  remedies: Remedies;
}): string {
  return maskIdNumbersIn(
    [
      '最低生活保障申请不予批准告知书',
      `${input.applicantName}：`,
      `您于${day(input.appliedAt)}向${input.townshipName}提出的最低生活保障申请（编号${input.caseNumber}），经审核，于${day(input.decidedAt)}决定不予批准。理由如下：`,
      ...input.reasons.map((r, i) => `${i + 1}. ${r.reason}（依据：${r.rule}）`),
      remediesText(input.remedies),
    ].join('\n'),
  );
}

/**
 * Enrolment (法§45): amount, first month, how it is paid and the duty to report changes. The duty is the one of
 * 社会救助暂行办法 第十三条 (population, income or property changed: tell the township); the law's own article is not at
 * hand (src/policy/sources/README.md), so the regulation is cited until it is confirmed.
 */
export function approvalNoticeText(input: {
  applicantName: string;
  caseNumber: string;
  townshipName: string;
  appliedAt: Date;
  decidedAt: Date;
  householdSize: number;
  benefitFen: number;
  fromMonth: string;
  payment: Cited<{ creditedByDay: number; holidayDirection: 'previous' | 'next' }>;
  remedies: Remedies;
}): string {
  const holiday = input.payment.value.holidayDirection === 'previous' ? '提前' : '顺延';
  return [
    '最低生活保障批准告知书',
    `${input.applicantName}：`,
    `您于${day(input.appliedAt)}向${input.townshipName}提出的最低生活保障申请（编号${input.caseNumber}），经审核，于${day(input.decidedAt)}决定批准。` +
      `保障人口${input.householdSize}人，月保障金额${yuan(input.benefitFen)}元，自${monthText(input.fromMonth)}起按月发放。`,
    `保障金实行社会化发放，于每月${input.payment.value.creditedByDay}日前直接发放到您家的社会保障卡或银行账户（遇法定节假日${holiday}）（依据：${citation(input.payment.source.document)}）。`,
    `家庭人口、收入、财产状况发生变化的，请及时告知${input.townshipName}（依据：《社会救助暂行办法》第十三条）。`,
    remediesText(input.remedies),
  ].join('\n');
}

/** A request, not a decision (no remedies): every missing material at once, where to bring them and by when. */
export function missingMaterialsText(input: { applicantName: string; caseNumber: string; townshipName: string; materials: string; dueAt: Date }): string {
  return [
    '补正材料一次性告知书',
    `${input.applicantName}：`,
    `您的最低生活保障申请（编号${input.caseNumber}）尚缺以下材料，请于${day(input.dueAt)}前一并向${input.townshipName}补齐：`,
    input.materials.trim(),
    `可通过核对系统获取的信息无需您提供（依据：${citation('社会救助法 §62')}）。逾期未补齐的，申请将终止办理。`,
  ].join('\n');
}

/** The application closed because the materials were not supplied in time: a decision, so with the remedies. */
export function closureText(input: { applicantName: string; caseNumber: string; townshipName: string; closedAt: Date; remedies: Remedies }): string {
  return [
    '最低生活保障申请终止告知书',
    `${input.applicantName}：`,
    `您向${input.townshipName}提出的最低生活保障申请（编号${input.caseNumber}）因未在期限内补齐材料，于${day(input.closedAt)}终止办理。您可重新提出申请。`,
    remediesText(input.remedies),
  ].join('\n');
}

export function terminationText(input: { applicantName: string; caseNumber: string; reasons: string[]; familyStatement: string; decidedAt: Date; untilMonth: string; remedies: Remedies }): string {
  const [year, month] = input.untilMonth.split('-').map(Number);
  return [
    '终止最低生活保障告知书',
    `${input.applicantName}：`,
    `经县级抽查复核，并听取您的陈述和申辩，于${day(input.decidedAt)}决定终止您家的最低生活保障（编号${input.caseNumber}），自${year}年${month}月起停发。理由如下：`,
    ...input.reasons.map((r, i) => `${i + 1}. ${r}（依据：${citation('社会救助法 §48')}）`),
    `您的陈述和申辩已记录在案：${input.familyStatement.trim()}`,
    remediesText(input.remedies),
  ].join('\n');
}

/** 2026-11-20 → 2026年11月20日 (a calendar date, no zone to convert). */
export const dateText = (isoDate: string) => `${monthText(isoDate)}${Number(isoDate.slice(8, 10))}日`;

/** Nobody of the household is left (the monthly death-record comparison): the benefit stops from `untilMonth`. */
export function deathTerminationText(input: { applicantName: string; caseNumber: string; deceasedName: string; diedOn: string; untilMonth: string; remedies: Remedies }): string {
  return [
    '终止最低生活保障告知书',
    `${input.applicantName}家属：`,
    `经与死亡登记信息比对，${input.deceasedName}已于${dateText(input.diedOn)}去世。其最低生活保障（编号${input.caseNumber}）自${monthText(input.untilMonth)}起停发（依据：${citation('社会救助法 §48')}）。`,
    remediesText(input.remedies),
  ].join('\n');
}

/** A household recalculated after a member's death and the family's hearing; a benefit of 0 ends it. */
export function recalculationText(input: { applicantName: string; deceasedName: string; diedOn: string; livingMembers: number; oldBenefitFen: number; newBenefitFen: number; fromMonth: string; familyStatement: string; remedies: Remedies }): string {
  const change =
    input.newBenefitFen > 0
      ? `月保障金额由${yuan(input.oldBenefitFen)}元调整为${yuan(input.newBenefitFen)}元，自${monthText(input.fromMonth)}起执行。`
      : `家庭已不符合保障条件，最低生活保障自${monthText(input.fromMonth)}起停发。`;
  return [
    '最低生活保障调整告知书',
    `${input.applicantName}家庭：`,
    `因家庭成员${input.deceasedName}于${dateText(input.diedOn)}去世，经听取您家陈述，按在世${input.livingMembers}人重新核算，${change}`,
    `您的陈述已记录在案：${input.familyStatement.trim()}`,
    `依据：${citation('社会救助法 §48')}。`,
    remediesText(input.remedies),
  ].join('\n');
}

/** Work lifted the household above the standard: paid as before from `fromMonth` until before `untilMonth`. */
export function gradualExitText(input: { applicantName: string; caseNumber: string; profileName: string; months: number; fromMonth: string; lastMonth: string; untilMonth: string; benefitFen: number; source: string; remedies: Remedies }): string {
  return [
    '最低生活保障渐退告知书',
    `${input.applicantName}：`,
    `经复核，您家因家庭成员就业，家庭人均收入超过当地低保标准。给予渐退期${input.months}个月（${monthText(input.fromMonth)}至${monthText(input.lastMonth)}），` +
      `期间按月${yuan(input.benefitFen)}元照常发放，自${monthText(input.untilMonth)}起停发（编号${input.caseNumber}）。`,
    `依据：${citation(input.source)}；${citation('社会救助法 §48')}。`,
    remediesText(input.remedies),
  ].join('\n');
}

/** The Chinese half of an assessment's bilingual text ("中文 / English"), its ¥ amounts written x.xx元 (fractions of a fen kept). */
export function chineseOf(text: string): string {
  return text.split(' / ')[0]!.replace(/¥(\d+\.\d+…?)/g, '$1元').trim();
}

/**
 * After hearing the family (法§48) the benefit ends or is reduced from `fromMonth` (the next unpaid month): a periodic
 * review found the household no longer eligible (`basis` 复查核算), or a county correction (县级抽查复核). Every reason
 * is listed: the findings (a review's assessment reasons, with the rules that set them, and its steps), the
 * caseworker's conclusion and the family's statement. Free text is masked: a caseworker may have typed an ID number.
 */
export function hearingConclusionText(input: {
  basis: string;
  applicantName: string;
  caseNumber: string;
  conclusion: 'terminate' | 'reduce';
  /** The findings, in Chinese with their rules (a review's: `assessmentReasons`). */
  findings: { reason: string; rule: string }[];
  assessmentSteps: string[];
  hearingReasons: string;
  familyStatement: string;
  decidedAt: Date;
  fromMonth: string;
  oldBenefitFen: number;
  newBenefitFen: number;
  remedies: Remedies;
}): string {
  const [year, mon] = input.fromMonth.split('-').map(Number);
  const change =
    input.conclusion === 'terminate'
      ? `决定终止您家的最低生活保障（编号${input.caseNumber}），自${year}年${mon}月起停发。`
      : `决定减发您家的最低生活保障金（编号${input.caseNumber}），月保障金额由${yuan(input.oldBenefitFen)}元减为${yuan(input.newBenefitFen)}元，自${year}年${mon}月起执行。`;
  const reasons = [...input.findings.map((r) => `${r.reason}（依据：${r.rule}）`), `经办结论：${input.hearingReasons.trim()}（依据：${citation('社会救助法 §48')}）`];
  return maskIdNumbersIn(
    [
      input.conclusion === 'terminate' ? '终止最低生活保障告知书' : '最低生活保障减发告知书',
      `${input.applicantName}：`,
      `经${input.basis}，并听取您的陈述和申辩，于${day(input.decidedAt)}${change}此前各月照常发放。理由如下：`,
      ...reasons.map((r, i) => `${i + 1}. ${r}`),
      ...(input.assessmentSteps.length ? ['核算过程：', ...input.assessmentSteps.map((step) => `- ${chineseOf(step)}`)] : []),
      `您的陈述和申辩已记录在案：${input.familyStatement.trim()}`,
      remediesText(input.remedies),
    ].join('\n'),
  );
}
