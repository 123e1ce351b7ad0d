import type { LogEvent } from '@camunda8/orchestration-cluster-api/logger';
import { LogRateLimiter } from '../common/log-rate-limit';
import { camundaClient, sdkLogTransport } from './camunda-client';

class Sink {
  readonly lines: { level: string; line: any }[] = [];
  warn(fields: object, msg: string) {
    this.lines.push({ level: 'warn', line: { ...fields, msg } });
  }
  error(fields: object, msg: string) {
    this.lines.push({ level: 'error', line: { ...fields, msg } });
  }
}

const activationError = (message: string): LogEvent => ({
  level: 'error',
  scope: 'worker:doudi@host',
  ts: 0,
  args: ['activation.error', Object.assign(new Error(message), { status: 503 })],
});

describe('the SDK log transport', () => {
  it('writes one line per cause per interval, with the count of the repeats it swallowed', () => {
    let now = 0;
    const sink = new Sink();
    const transport = sdkLogTransport(sink, new LogRateLimiter(30_000, () => now));
    for (let i = 0; i < 100; i += 1) transport(activationError("the engine's database is unavailable (ECONNREFUSED)"));
    transport(activationError('another cause'));
    transport({ level: 'info', scope: 'x', ts: 0, args: ['worker.start'] });
    expect(sink.lines.map((l) => [l.level, l.line.msg, l.line.suppressedRepeats])).toEqual([
      ['error', 'camunda sdk: activation.error', undefined],
      ['error', 'camunda sdk: activation.error', undefined],
    ]);
    expect(sink.lines[0]!.line.err.status).toBe(503);
    now = 30_000;
    transport(activationError("the engine's database is unavailable (ECONNREFUSED)"));
    expect(sink.lines[2]!.line.suppressedRepeats).toBe(99);
  });

  it('is what a real client logs through: nothing reaches the console', async () => {
    const events: LogEvent[] = [];
    const console = jest.spyOn(global.console, 'error').mockImplementation(() => undefined);
    const log = jest.spyOn(global.console, 'log').mockImplementation(() => undefined);
    const client = camundaClient({ CAMUNDA_REST_ADDRESS: 'http://127.0.0.1:1', CAMUNDA_AUTH_STRATEGY: 'NONE' }, (event) => events.push(event));
    const worker = client.createJobWorker({ jobType: 'nobody', jobTimeoutMs: 1_000, maxParallelJobs: 1, pollTimeoutMs: 1_000, jobHandler: async () => undefined as never });
    try {
      const until = Date.now() + 10_000;
      while (!events.some((e) => e.level === 'error') && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      worker.stop();
      console.mockRestore();
      log.mockRestore();
    }
    expect(events.some((e) => e.level === 'error' && e.args[0] === 'activation.error')).toBe(true);
    expect(console).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
  });
});
