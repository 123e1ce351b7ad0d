import { chineseOf, hearingConclusionText, publicNoticeText, refusalNoticeText } from './notices';

describe('dibao notices', () => {
  it('the public notice shows name, household size and amount only', () => {
    const text = publicNoticeText({ applicantName: '张三', householdSize: 3, benefitFen: 123_456, noticeDays: 7, endsAt: new Date('2026-03-09T15:59:59.999Z'), township: '城关镇' });
    expect(text).toContain('申请人：张三；保障人口：3人；月保障金额：1234.56元。');
    expect(text).toContain('公示期7日，至2026年3月9日止');
    expect(text).not.toMatch(/\d{17}[\dX]|身份证|电话|账号|诊断/);
  });

  it('a refusal states every reason with its rule', () => {
    const text = refusalNoticeText({
      applicantName: '李四',
      caseNumber: 'DB410821-2026-000001',
      reasons: [
        { reason: '家庭人均收入 700.00 元不低于低保标准 600.00 元', rule: '焦作市低保标准（dibaoStandardRuralFen）' },
        { reason: '乡镇审批意见：家庭财产超过规定', rule: '乡镇审批' },
      ],
      decidedAt: new Date('2026-03-02T02:00:00Z'),
    });
    expect(text).toContain('1. 家庭人均收入 700.00 元不低于低保标准 600.00 元（依据：焦作市低保标准（dibaoStandardRuralFen））');
    expect(text).toContain('2. 乡镇审批意见：家庭财产超过规定（依据：乡镇审批）');
    expect(text).toContain('于2026年3月2日决定不予批准');
  });

  it('a reduction after a review lists every reason, the steps, the statement and the month, in Chinese, ID numbers masked', () => {
    const text = hearingConclusionText({
      basis: '复查核算',
      applicantName: '孙五',
      caseNumber: 'DB410823-2026-000007',
      conclusion: 'reduce',
      assessmentReasons: ['家庭人均收入 ¥1800.00 不低于低保标准 ¥600.00 / Per-capita income is not below the standard'],
      assessmentSteps: ['财产性收入 ¥1800.00 / property income', '人均 ¥700.33… / per capita'],
      rule: '焦作市 jiaozuo-2022-154',
      hearingReasons: '租金时有时无',
      familyStatement: '房屋常空置，户主身份证 410823195001012014',
      decidedAt: new Date('2026-10-14T02:00:00Z'),
      fromMonth: '2026-11-01',
      oldBenefitFen: 60_000,
      newBenefitFen: 15_050,
    });
    expect(text.split('\n')).toEqual([
      '最低生活保障减发告知书',
      '孙五：',
      '经复查核算，并听取您的陈述和申辩，于2026年10月14日决定减发您家的最低生活保障金（编号DB410823-2026-000007），月保障金额由600.00元减为150.50元，自2026年11月起执行。此前各月照常发放。理由如下：',
      '1. 家庭人均收入 1800.00元 不低于低保标准 600.00元（依据：焦作市 jiaozuo-2022-154）',
      '2. 经办结论：租金时有时无（依据：社会救助法 §48）',
      '核算过程：',
      '- 财产性收入 1800.00元',
      '- 人均 700.33…元',
      '您的陈述和申辩已记录在案：房屋常空置，户主身份证 410823********2014',
      '如对本决定有异议，可依法申请行政复议或提起行政诉讼。',
    ]);
    expect(chineseOf('金融资产 ¥1000000.00 超过限额 ¥30000.00 / Financial assets are above the limit')).toBe('金融资产 1000000.00元 超过限额 30000.00元');
  });
});
