import type { DeadlineQueries } from '../deadlines/deadline-queries';
import type { OutboxRepository } from '../outbox/outbox.repository';
import type { CamundaClient } from '../workflow/camunda-client';
import { INCIDENT_READ_ABANDON_MS, INCIDENT_READ_TIMEOUT_MS, Metrics } from './metrics.service';

/** The incident gauge against an engine that answers, hangs, or fails: a scrape never waits long and never fails. */
describe('Metrics: doudi_incidents_active', () => {
  const queries = { gauge: async () => [], oldestOpenSeconds: async () => 0 } as unknown as DeadlineQueries;
  const outbox = { backlog: async () => [] } as unknown as OutboxRepository;
  let answer: () => Promise<{ items: { errorType: string; processDefinitionId: string }[] }>;
  const calls: unknown[] = [];
  const camunda = {
    searchIncidents: (search: unknown) => {
      calls.push(search);
      return answer();
    },
  } as unknown as CamundaClient;
  const metrics = new Metrics(queries, outbox, camunda);
  const incident = (errorType: string, processDefinitionId: string) => ({ errorType, processDefinitionId });

  it('counts active incidents by error type and process, and asks the engine once per scrape', async () => {
    answer = async () => ({ items: [incident('JOB_NO_RETRIES', 'dibao-application'), incident('JOB_NO_RETRIES', 'dibao-application'), incident('IO_MAPPING_ERROR', 'temporary-aid')] });
    calls.length = 0;
    const text = await metrics.registry.metrics();
    expect(text).toContain('doudi_incidents_active{error_type="JOB_NO_RETRIES",process="dibao-application"} 2');
    expect(text).toContain('doudi_incidents_active{error_type="IO_MAPPING_ERROR",process="temporary-aid"} 1');
    expect(text).toContain('doudi_incidents_read_ok 1');
    expect(calls).toEqual([{ filter: { state: 'ACTIVE' }, page: { limit: 1000 } }]);
  });

  it('drops a series once its incidents are resolved', async () => {
    answer = async () => ({ items: [incident('JOB_NO_RETRIES', 'dibao-application')] });
    const text = await metrics.registry.metrics();
    expect(text).toContain('doudi_incidents_active{error_type="JOB_NO_RETRIES",process="dibao-application"} 1');
    expect(text).not.toContain('IO_MAPPING_ERROR');
  });

  it('answers within the timeout when the engine hangs, with the last values and read_ok 0', async () => {
    answer = () => new Promise(() => undefined);
    const started = Date.now();
    const text = await metrics.registry.metrics();
    expect(Date.now() - started).toBeLessThan(INCIDENT_READ_TIMEOUT_MS + 1_000);
    expect(text).toContain('doudi_incidents_read_ok 0');
    expect(text).toContain('doudi_incidents_active{error_type="JOB_NO_RETRIES",process="dibao-application"} 1');
  });

  it('gives up a hung read after INCIDENT_READ_ABANDON_MS; a failing engine answers at once; the next good read counts again', async () => {
    // The read of the previous test never returns: scrapes within the abandon time wait on it (the timeout, read_ok 0).
    const now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockReturnValue(now + INCIDENT_READ_ABANDON_MS + 1);
    try {
      answer = async () => {
        throw new Error('ECONNREFUSED');
      };
      const started = performance.now();
      expect(await metrics.registry.metrics()).toContain('doudi_incidents_read_ok 0');
      expect(performance.now() - started).toBeLessThan(INCIDENT_READ_TIMEOUT_MS / 2);
      answer = async () => ({ items: [] });
      const text = await metrics.registry.metrics();
      expect(text).toContain('doudi_incidents_read_ok 1');
      expect(text).not.toMatch(/^doudi_incidents_active\{/m);
    } finally {
      clock.mockRestore();
    }
  });
});
