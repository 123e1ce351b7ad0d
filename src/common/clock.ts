/**
 * The one clock of the service. Everything that needs "now" injects it, so tests move time instead of sleeping.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** What the embedded engine offers (src/engine/engine.ts): its own clock, pinned by `PUT /v2/clock`. */
export interface EngineTime {
  now(): Date;
}

/**
 * The embedded engine's clock, read in the same process (a pin is an in-memory instant there, persisted for restarts):
 * moving the engine's clock moves the service's "now" with its timers, so deadlines, SLA, notices and the monthly
 * start see the instant the timers fire at. Only for training and development installs (`serviceClock`).
 */
export class EngineClock extends Clock {
  constructor(private readonly engine: EngineTime) {
    super();
  }

  now(): Date {
    return this.engine.now();
  }
}

/**
 * The service's clock: the embedded engine's outside production (one clock for a training install), the system's in
 * production and with an external Camunda (whose clock the service cannot read synchronously, and must not follow).
 */
export function serviceClock(config: { NODE_ENV: string }, embeddedEngine?: EngineTime): Clock {
  return embeddedEngine && config.NODE_ENV !== 'production' ? new EngineClock(embeddedEngine) : new SystemClock();
}
