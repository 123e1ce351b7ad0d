import { bilingual, formatDate, formatFen, formatInstant, yuanToFen } from './format';

describe('workbench formatting', () => {
  it('shows fen as yuan in both languages', () => {
    expect(formatFen(123450, 'zh')).toBe('1,234.50元');
    expect(formatFen(123450, 'en')).toBe('¥1,234.50');
    expect(formatFen(5, 'zh')).toBe('0.05元');
    expect(formatFen(-100, 'en')).toBe('-¥1.00');
    expect(formatFen(null, 'zh')).toBe('—');
  });

  it('reads yuan into integer fen', () => {
    expect(yuanToFen('1234.5')).toBe(123450);
    expect(yuanToFen('0.07')).toBe(7);
    expect(yuanToFen('12')).toBe(1200);
    expect(yuanToFen('1.234')).toBeNull();
    expect(yuanToFen('-1')).toBeNull();
    expect(yuanToFen('abc')).toBeNull();
  });

  it('shows instants in Asia/Shanghai', () => {
    // 09:00 UTC is 17:00 in Beijing; 18:00 UTC already the next day there.
    expect(formatInstant('2026-12-10T09:00:00Z', 'zh')).toBe('2026年12月10日 17:00');
    expect(formatInstant('2026-12-10T18:00:00Z', 'en')).toBe('11 Dec 2026, 02:00');
    expect(formatDate('2026-12-10', 'zh')).toBe('2026年12月10日');
  });

  it('takes the half of a bilingual name in the reader\'s language', () => {
    expect(bilingual('受理 Accept application', 'zh')).toBe('受理');
    expect(bilingual('受理 Accept application', 'en')).toBe('Accept application');
    expect(bilingual('入户调查与家庭经济状况核对 Home investigation', 'zh')).toBe('入户调查与家庭经济状况核对');
    expect(bilingual('Only English', 'zh')).toBe('Only English');
  });
});
