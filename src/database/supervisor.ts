import type { ChildProcess } from 'node:child_process';

/** Wait before restart attempt `attempt` (0, 1, 2 …): 0.5 s, 1 s, 2 s … doubling, at most 30 s. */
export function restartDelayMs(attempt: number): number {
  return Math.min(500 * 2 ** attempt, 30_000);
}

/** A process up this long before it died counts as healthy: the next restart waits the shortest delay again. */
const HEALTHY_MS = 30_000;

export interface Supervisor {
  /** Ends the watch: no restart after this; waits for a restart under way to finish. */
  stop(): Promise<void>;
}

/**
 * Watches a server process: when it fails (killed by a signal, or a non-zero exit code), `start` is called again (it
 * returns the new process once the server is ready, or rejects), after a back-off that grows while restarts fail or
 * die young. A clean exit (code 0) was asked for — a shutdown by an administrator, or the library's own exit hook on
 * SIGINT/SIGTERM while the service stops — and is not undone (systemd's Restart=on-failure).
 * `log` gets one line per event: the exit, and each failed or succeeded restart.
 */
export function supervise(first: ChildProcess, start: () => Promise<ChildProcess>, log: (line: string) => void): Supervisor {
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let restarting: Promise<void> | undefined;

  const watch = (child: ChildProcess) => {
    const startedAt = Date.now();
    child.once('exit', (code, signal) => {
      if (stopped) return;
      if (code === 0) {
        log('stopped (exit code 0): not restarted');
        return;
      }
      if (Date.now() - startedAt >= HEALTHY_MS) attempt = 0;
      log(`exited (${signal ?? `code ${code}`}); restarting in ${restartDelayMs(attempt)} ms`);
      schedule();
    });
  };
  const schedule = () => {
    timer = setTimeout(() => {
      timer = undefined;
      restarting = start().then(
        (child) => {
          restarting = undefined;
          if (stopped) return;
          log(`restarted after ${attempt + 1} attempt(s)`);
          attempt += 1;
          watch(child);
        },
        (error: unknown) => {
          restarting = undefined;
          if (stopped) return;
          attempt += 1;
          log(`restart failed (${error instanceof Error ? error.message : 'exited before it was ready'}); next attempt in ${restartDelayMs(attempt)} ms`);
          schedule();
        },
      );
    }, restartDelayMs(attempt));
  };
  watch(first);

  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await restarting;
    },
  };
}
