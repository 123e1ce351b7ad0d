import { isCalendarDate, isCalendarMonth } from './calendar-date';
import { ageOn } from './id-number';
import { isEngineKey } from './params';
import { shapeProblems } from './request-validation';
import { isNotBlank } from './text';

describe('request validation rules', () => {
  it('finds control characters in strings and keys, naming the path as fieldProblems does', () => {
    const { problems } = shapeProblems({ members: [{ id: 'm\u00001', name: 'ok\tok\n' }], 'k\u0007': 'x', note: 'a\r\nb' });
    expect(problems.map((p) => p.field).sort()).toEqual(['k\\u0007', 'members[0].id']);
    expect(shapeProblems('\u0000', 'id').problems).toEqual([{ field: 'id', message: expect.stringContaining('control characters') }]);
  });

  it('stops at the depth limit without recursing (5,000 levels do not overflow the stack)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i += 1) deep = [deep];
    expect(shapeProblems(deep)).toEqual({ tooDeep: true, problems: [{ field: 'body', message: 'body is nested more than 32 levels deep' }] });
    let ok: unknown = 1;
    for (let i = 0; i < 32; i += 1) ok = { a: ok };
    expect(shapeProblems(ok).tooDeep).toBe(false);
  });

  it('knows real calendar dates and months', () => {
    expect(['2026-02-28', '2028-02-29', '1900-01-01', '2199-12-31'].every(isCalendarDate)).toBe(true);
    expect(['2026-02-30', '2026-13-01', '2026-00-10', '0000-01-01', '1899-12-31', '2026-2-3', ' 2026-02-03', 2026].some(isCalendarDate)).toBe(false);
    expect(isCalendarMonth('2026-12')).toBe(true);
    expect(['2026-13', '1899-12', '2026-1'].some(isCalendarMonth)).toBe(false);
  });

  it('knows engine keys: decimal int64 above zero', () => {
    expect(['1', '2251799813685249', '9223372036854775807'].every(isEngineKey)).toBe(true);
    expect(['0', '-1', '01', '9223372036854775808', '1e3', '12a', ''].some(isEngineKey)).toBe(false);
  });

  it('counts ages in completed years and refuses blank text', () => {
    expect(ageOn('1990-09-14', '2026-09-14')).toBe(36);
    expect(ageOn('1990-09-15', '2026-09-14')).toBe(35);
    expect(['x', ' 张三 '].every(isNotBlank)).toBe(true);
    expect(['', ' ', '\u3000', '\t\n'].some(isNotBlank)).toBe(false);
  });
});
