import { dueText } from './task-context';

describe('task context: due text', () => {
  it('reads the due instant in Asia/Shanghai, 24-hour clock', () => {
    expect(dueText(new Date('2026-12-10T09:00:00Z'))).toBe('2026年12月10日 17:00');
    // The end of a working day (24:00 Shanghai) is the last minute of that day, not the next day.
    expect(dueText(new Date('2026-09-20T15:59:59.999Z'))).toBe('2026年9月20日 23:59');
    expect(dueText(new Date('2026-09-20T16:00:00Z'))).toBe('2026年9月21日 00:00');
  });
});
