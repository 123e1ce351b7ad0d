import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceProcess, sleep } from './support/crash';
import { freePort } from './support/free-port';

/**
 * The real service (`src/main.ts`: embedded PostgreSQL, embedded engine, workers, timer sweep) stopped by SIGTERM
 * (an orchestrator) and by SIGINT to its whole process group (Ctrl-C in a terminal, which reaches PostgreSQL too):
 * it exits 0 by itself, with no error and no stack trace in its output.
 */
describe('graceful stop', () => {
  let dir: string;
  let service: ServiceProcess;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'doudi-stop-'));
    // The embedded server runs as the postgres user: it must reach its data folder inside.
    chmodSync(dir, 0o755);
    const [port, pgPort, enginePort] = [await freePort(), await freePort(), await freePort()];
    service = new ServiceProcess({ pgDir: join(dir, 'pg'), logDir: dir, port: port!, pgPort: pgPort!, enginePort: enginePort!, jwtSecret: 'graceful-stop-secret-of-32-characters!' });
  });

  afterAll(async () => {
    await service?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Started, healthy, models deployed and workers polling: everything a stop must wind down. */
  async function startAndSettle(): Promise<void> {
    await service.start();
    const until = Date.now() + 60_000;
    while (!readFileSync(service.logFile, 'utf8').includes('"msg":"deployed ')) {
      if (Date.now() > until) throw new Error(`models not deployed; log:\n${service.tail()}`);
      await sleep(100);
    }
  }

  /** Every line JSON (a stack trace or a console line is not), none naming an error or a cut connection. */
  function expectCleanOutput(): void {
    const json = (line: string) => {
      try {
        return typeof JSON.parse(line) === 'object';
      } catch {
        return false;
      }
    };
    const lines = readFileSync(service.logFile, 'utf8').split('\n').filter(Boolean);
    expect(lines.filter((line) => !json(line) || /Error|terminating connection/.test(line))).toEqual([]);
  }

  it.each([
    ['SIGTERM to the service', 'SIGTERM' as const, false],
    ['SIGINT to its process group (Ctrl-C)', 'SIGINT' as const, true],
  ])('%s: exit 0, no error, no stack trace', async (_, signal, group) => {
    await startAndSettle();
    const exit = await service.stopWith(signal, { group, timeoutMs: 30_000 });
    expect(exit).toEqual({ code: 0, signal: null });
    expectCleanOutput();
  }, 150_000);
});
