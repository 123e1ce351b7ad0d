import { EngineClock, serviceClock, SystemClock } from './clock';

describe('serviceClock', () => {
  const engine = { now: () => new Date('2026-09-24T01:00:00Z') };

  it("reads the embedded engine's clock outside production", () => {
    for (const NODE_ENV of ['development', 'test']) {
      const clock = serviceClock({ NODE_ENV }, engine);
      expect(clock).toBeInstanceOf(EngineClock);
      expect(clock.now()).toEqual(new Date('2026-09-24T01:00:00Z'));
    }
  });

  it('keeps the system clock in production, and without an embedded engine', () => {
    expect(serviceClock({ NODE_ENV: 'production' }, engine)).toBeInstanceOf(SystemClock);
    expect(serviceClock({ NODE_ENV: 'development' })).toBeInstanceOf(SystemClock);
  });
});
