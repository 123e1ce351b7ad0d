import { publicNoticeText, refusalNoticeText } from './notices';

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
});
