import { auditedValues, MAX_AUDITED_CHARS } from './audited-values';

describe('audited values of a completion', () => {
  it('keeps the decision and its reasons as submitted', () => {
    expect(auditedValues({ decision: 'refuse', decisionReasons: '收入超过标准', urgent: false, proposedYuan: 500 })).toEqual({ decision: 'refuse', decisionReasons: '收入超过标准', urgent: false, proposedYuan: 500 });
  });

  it('masks ID numbers in text and under ID-number keys, nested too', () => {
    const values = auditedValues({
      reasons: '申请人（410821198001011234）收入超过标准',
      members: [{ name: '张三', idNumber: '41082119800101123X' }],
    });
    expect(values).toEqual({ reasons: '申请人（410821********1234）收入超过标准', members: [{ name: '张三', idNumber: '410821********123X' }] });
  });

  it('records a huge value by its size only', () => {
    const upload = 'x'.repeat(MAX_AUDITED_CHARS + 10);
    expect(auditedValues({ scan: upload, note: 'ok' })).toEqual({ scan: { omitted: `${MAX_AUDITED_CHARS + 12} characters` }, note: 'ok' });
  });
});
