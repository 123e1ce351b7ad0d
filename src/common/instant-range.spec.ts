import { validateSync } from 'class-validator';
import { IsInstantOrDate, instantRange } from './instant-range';
import { likeLiteral, orderBy, page, pageOfAll } from './paging';
import { InvalidRequestException } from './problem';

class Query {
  @IsInstantOrDate() from!: string;
}
const valid = (from: string) => validateSync(Object.assign(new Query(), { from })).length === 0;

describe('instant ranges of the list routes', () => {
  it('a bare date is its whole day in Asia/Shanghai, the end the next day’s start', () => {
    expect(instantRange('2026-12-04', '2026-12-04')).toEqual({ from: new Date('2026-12-03T16:00:00.000Z'), to: new Date('2026-12-04T16:00:00.000Z') });
  });

  it('an instant is itself, in its own offset; a space before the offset is a "+" that came unencoded', () => {
    expect(instantRange('2026-12-04T09:30:00+08:00', '2026-12-04T02:00:00Z')).toEqual({ from: new Date('2026-12-04T01:30:00Z'), to: new Date('2026-12-04T02:00:00Z') });
    expect(instantRange('2026-12-04T09:30:00 08:00', undefined)).toEqual({ from: new Date('2026-12-04T01:30:00Z'), to: undefined });
  });

  it('refuses an empty range naming to', () => {
    expect(() => instantRange('2026-12-04', '2026-12-03')).toThrow(InvalidRequestException);
    try {
      instantRange('2026-12-04T00:00:00Z', '2026-12-04T00:00:00Z');
      throw new Error('not refused');
    } catch (error) {
      expect((error as InvalidRequestException).fieldProblems).toEqual([{ field: 'to', message: expect.stringContaining('must be after from') }]);
    }
  });

  it('accepts dates that exist and instants with an offset only', () => {
    for (const ok of ['2026-12-04', '2024-02-29', '2026-12-04T09:00+08:00', '2026-12-04T09:00:00.123Z', '2026-12-04T09:00:00-0500']) expect([ok, valid(ok)]).toEqual([ok, true]);
    for (const bad of ['2026-02-30', '2025-02-29', '2026-12-04T09:00:00', '2026-12-04T25:00:00Z', '1899-12-31', 'today', '20261204', '2026-12-04T09:00:00+08:00x']) expect([bad, valid(bad)]).toEqual([bad, false]);
  });
});

describe('paging helpers', () => {
  it('a page says whether more match beyond it', () => {
    expect(page([1, 2], 5, { offset: 0, limit: 2 })).toEqual({ items: [1, 2], total: 5, offset: 0, limit: 2, truncated: true });
    expect(page([5], 5, { offset: 4, limit: 2 })).toMatchObject({ truncated: false });
    expect(pageOfAll([1, 2, 3, 4, 5], { offset: 2, limit: 2 })).toEqual({ items: [3, 4], total: 5, offset: 2, limit: 2, truncated: true });
  });

  it('orders by the whitelisted column with the id as tie-break in the same direction', () => {
    expect(orderBy({ dueAt: 'due_at' }, 'dueAt', 'desc', 'id')).toBe('ORDER BY due_at DESC NULLS LAST, id DESC');
    expect(() => orderBy({ dueAt: 'due_at' }, 'due_at; DROP TABLE deadline', 'asc', 'id')).toThrow();
  });

  it('escapes LIKE wildcards and the escape character', () => {
    expect(likeLiteral('50%_a\\b')).toBe('50\\%\\_a\\\\b');
  });
});
