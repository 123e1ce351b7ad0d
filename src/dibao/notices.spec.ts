import { PolicyProfiles } from '../policy/policy-profiles';
import {
  approvalNoticeText,
  assessmentReasons,
  chineseOf,
  citation,
  closureText,
  deathTerminationText,
  gradualExitText,
  hearingConclusionText,
  missingMaterialsText,
  publicNoticeText,
  recalculationText,
  refusalNoticeText,
  remediesOf,
  terminationText,
} from './notices';

// The real profiles: the remedies, the payment calendar and the citations are the ones a Jiaozuo family would read.
const jiaozuo = PolicyProfiles.load().inForce('jiaozuo', '2026-12-03');
const remedies = remediesOf(jiaozuo, '修武县'); // RegionRegistry.countyOf('410821100')
const decidedAt = new Date('2026-12-03T02:00:00Z'); // 10:00 in Shanghai
const appliedAt = new Date('2026-11-01T16:30:00Z'); // 2026-11-02 00:30 in Shanghai: the Shanghai date counts

/** What a family must never read: English, ¥, ISO dates or instants, profile ids, unmasked ID numbers, fen. */
function expectReadable(text: string): void {
  const withoutCaseNumbers = text.replace(/DB\d{6}-\d{4}-\d{6}/g, '');
  expect(withoutCaseNumbers).not.toMatch(/[A-Za-z]/);
  expect(withoutCaseNumbers).not.toMatch(/¥|\d{4}-\d{2}|\d{17}[\dX]|jiaozuo|分（|\.txt/);
  for (const amount of text.match(/[\d.]+元/g) ?? []) expect(amount).toMatch(/^\d+\.\d{2}…?元$/);
}

describe('dibao notices', () => {
  it('cites a law article and a seed notice by title and article, never by file or profile id', () => {
    expect(citation('社会救助法 §45')).toBe('《中华人民共和国社会救助法》第四十五条');
    expect(citation('行政复议法 §20')).toBe('《中华人民共和国行政复议法》第二十条');
    expect(citation('行政复议法 §20 §24')).toBe('《中华人民共和国行政复议法》第二十条、第二十四条');
    expect(citation('行政诉讼法 §18 §46')).toBe('《中华人民共和国行政诉讼法》第十八条、第四十六条');
    expect(citation('社会救助法')).toBe('《中华人民共和国社会救助法》');
    expect(citation('中华人民共和国社会救助法')).toBe('《中华人民共和国社会救助法》');
    expect(citation('社会救助法 §18')).toBe('《中华人民共和国社会救助法》第十八条');
    expect(citation('004_ab48a1bc071c0f38.txt')).toBe('焦作市民政局 焦作市财政局《进一步加强社会救助重点工作的若干措施》（焦民〔2022〕154号）');
  });

  it('public notice', () => {
    const text = publicNoticeText({ applicantName: '张三', householdSize: 3, benefitFen: 123_456, noticeDays: 7, endsAt: new Date('2026-03-09T15:59:59.999Z'), township: '城关镇人民政府' });
    expect(text).not.toMatch(/\d{17}[\dX]|身份证|电话|账号|诊断/);
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('refusal: township by name, application date, every reason in Chinese with its rule, the remedies', () => {
    const result = {
      reasons: [
        '家庭人均收入 ¥700.00 不低于低保标准 ¥600.00 / Per-capita income is not below the standard',
        '金融资产 ¥50000.00 超过限额 ¥14400.00 / Financial assets are above the limit',
        'm2 本人收入不低于标准，不能按“单人户”纳入 / m2: own income is not below the standard',
      ],
      steps: [{ rule: 'dibaoStandardRuralFen', source: { document: '社会救助法 §18', passage: 'gist' } }],
    };
    const reasons = [{ reason: '乡镇审核意见：家庭有经营性车辆未申报', rule: citation('社会救助法 §45') }, ...assessmentReasons(result, jiaozuo, [{ id: 'm2', name: '李小四' }])];
    const text = refusalNoticeText({ applicantName: '李四', caseNumber: 'DB410821-2026-000001', townshipName: '城关镇人民政府', appliedAt, reasons, decidedAt, remedies });
    expect(text).toContain('您于2026年11月2日向城关镇人民政府提出');
    expect(text).toContain('60日内向修武县人民政府申请行政复议（《中华人民共和国行政复议法》第二十条、第二十四条）');
    expect(text).toContain('6个月内直接向修武县人民法院提起行政诉讼（《中华人民共和国行政诉讼法》第十八条、第四十六条）');
    // The asset limit is a local rule: the law by title, not an article that says something else (§62 is about data).
    expect(text).toContain('超过限额 14400.00元（依据：《中华人民共和国社会救助法》）');
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('approval: amount, first month, how it is paid, the duty to report changes, the remedies', () => {
    const text = approvalNoticeText({
      applicantName: '王五', caseNumber: 'DB410821-2026-000002', townshipName: '城关镇人民政府', appliedAt, decidedAt, householdSize: 3, benefitFen: 58_000, fromMonth: '2027-01-01',
      payment: jiaozuo.parameters.paymentCalendar, remedies,
    });
    expect(text).toContain('月保障金额580.00元，自2027年1月起按月发放');
    expect(text).toContain('每月10日前');
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('the remedies name the county of the deciding township; an unknown county leaves the generic names', () => {
    expect(remedies.review.value.body).toBe('修武县人民政府');
    expect(remedies.litigation.value.body).toBe('修武县人民法院');
    const unknown = remediesOf(jiaozuo, undefined);
    expect([unknown.review.value.body, unknown.litigation.value.body]).toEqual(['县级人民政府', '人民法院']);
    // A body written out in a profile (no {county}) is printed as written.
    const court = { ...jiaozuo.parameters.administrativeLitigation, value: { body: '焦作市山阳区人民法院', months: 6 } };
    expect(remediesOf({ parameters: { ...jiaozuo.parameters, administrativeLitigation: court } }, '修武县').litigation.value.body).toBe('焦作市山阳区人民法院');
  });

  it('missing materials (a request: the township and the date, no remedies) and closure (a decision: the remedies)', () => {
    // Due at the end of 2026-12-17 in Shanghai (15:59:59Z): the Shanghai date is the one stated.
    const missing = missingMaterialsText({ applicantName: '赵六', caseNumber: 'DB410821-2026-000003', townshipName: '城关镇人民政府', materials: '1. 户口簿\n2. 残疾人证', dueAt: new Date('2026-12-17T15:59:59Z') });
    const closure = closureText({ applicantName: '赵六', caseNumber: 'DB410821-2026-000003', townshipName: '城关镇人民政府', closedAt: decidedAt, remedies });
    expect(missing).toContain('请于2026年12月17日前一并向城关镇人民政府补齐');
    expect(missing).not.toContain('行政复议');
    expect(closure).toContain('于2026年12月3日终止办理');
    expect(closure).toContain('向修武县人民政府申请行政复议');
    expectReadable(missing);
    expectReadable(closure);
    expect(missing).toMatchSnapshot();
    expect(closure).toMatchSnapshot();
  });

  it('termination after a county correction', () => {
    const text = terminationText({ applicantName: '钱七', caseNumber: 'DB410821-2026-000004', reasons: ['县级抽查发现家庭有未申报的商铺出租收入'], familyStatement: '商铺已于去年转让', decidedAt, untilMonth: '2027-01-01', remedies });
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('termination after the household died out', () => {
    const text = deathTerminationText({ applicantName: '周八', caseNumber: 'DB410821-2026-000005', deceasedName: '周八', diedOn: '2026-11-20', untilMonth: '2026-12-01', remedies });
    expect(text).toContain('已于2026年11月20日去世');
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('recalculation after a death: reduced, and ended', () => {
    const input = { applicantName: '吴九', deceasedName: '吴老汉', diedOn: '2026-11-20', livingMembers: 2, oldBenefitFen: 90_000, fromMonth: '2027-01-01', familyStatement: '无异议', remedies };
    const reduced = recalculationText({ ...input, newBenefitFen: 60_050 });
    const ended = recalculationText({ ...input, newBenefitFen: 0 });
    expectReadable(reduced);
    expectReadable(ended);
    expect(reduced).toMatchSnapshot();
    expect(ended).toMatchSnapshot();
  });

  it('gradual exit', () => {
    const text = gradualExitText({
      applicantName: '郑十', caseNumber: 'DB410821-2026-000006', profileName: jiaozuo.profileName, months: 6, fromMonth: '2027-01-01', lastMonth: '2027-06-01', untilMonth: '2027-07-01', benefitFen: 45_000,
      source: jiaozuo.parameters.gradualExitMonths.source.document, remedies,
    });
    expect(text).toContain('渐退期6个月（2027年1月至2027年6月）');
    expectReadable(text);
    expect(text).toMatchSnapshot();
  });

  it('reduction and termination after a review hearing: findings with their rules, steps, statement masked, remedies', () => {
    const result = {
      reasons: ['家庭人均收入 ¥1800.00 不低于低保标准 ¥600.00 / Per-capita income is not below the standard'],
      steps: [{ rule: 'dibaoStandardRuralFen', source: { document: '社会救助法 §18', passage: 'gist' } }],
    };
    const input = {
      basis: '复查核算', applicantName: '孙五', caseNumber: 'DB410823-2026-000007', findings: assessmentReasons(result, jiaozuo, []),
      assessmentSteps: ['财产性收入 ¥1800.00 / property income', '人均 ¥700.33… / per capita'], hearingReasons: '租金时有时无',
      familyStatement: '房屋常空置，户主身份证 410823195001012014', decidedAt, fromMonth: '2027-01-01', oldBenefitFen: 60_000, remedies: remediesOf(jiaozuo, '武陟县'), // county 410823
    };
    const reduced = hearingConclusionText({ ...input, conclusion: 'reduce', newBenefitFen: 15_050 });
    const ended = hearingConclusionText({ ...input, conclusion: 'terminate', newBenefitFen: 0 });
    expect(reduced).toContain('月保障金额由600.00元减为150.50元，自2027年1月起执行');
    expect(reduced).toContain('410823********2014');
    expect(reduced).toContain('向武陟县人民政府申请行政复议');
    expectReadable(reduced);
    expectReadable(ended);
    expect(reduced).toMatchSnapshot();
    expect(ended).toMatchSnapshot();
    expect(chineseOf('金融资产 ¥1000000.00 超过限额 ¥30000.00 / Financial assets are above the limit')).toBe('金融资产 1000000.00元 超过限额 30000.00元');
  });
});
