import { LogRateLimiter } from './log-rate-limit';

describe('LogRateLimiter', () => {
  it('writes one line per cause per interval and counts the repeats it swallowed', () => {
    let now = 0;
    const limiter = new LogRateLimiter(1_000, () => now);
    expect(limiter.admit('ECONNREFUSED')).toBe(0);
    expect(limiter.admit('ECONNREFUSED')).toBeUndefined();
    expect(limiter.admit('ECONNREFUSED')).toBeUndefined();
    // Another cause has its own budget.
    expect(limiter.admit('57P01')).toBe(0);
    now = 999;
    expect(limiter.admit('ECONNREFUSED')).toBeUndefined();
    now = 1_000;
    expect(limiter.admit('ECONNREFUSED')).toBe(3);
    expect(limiter.admit('ECONNREFUSED')).toBeUndefined();
    now = 5_000;
    expect(limiter.admit('ECONNREFUSED')).toBe(1);
    expect(limiter.admit('57P01')).toBe(0);
  });

  it('stays bounded when causes keep changing', () => {
    let now = 0;
    const limiter = new LogRateLimiter(10, () => now);
    for (let i = 0; i < 5_000; i += 1) {
      now = i;
      expect(limiter.admit(`cause ${i}`)).toBe(0);
    }
    expect((limiter as unknown as { causes: Map<string, unknown> }).causes.size).toBeLessThanOrEqual(1_000);
  });
});
