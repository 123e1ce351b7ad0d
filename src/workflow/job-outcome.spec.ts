import { DomainError } from '../common/domain-error';
import { retryBackOffMs, settleJob } from './job-outcome';

function recordingJob(retries: number) {
  const calls: { action: string; arg: unknown }[] = [];
  const act = (action: string) => async (arg: unknown) => {
    calls.push({ action, arg });
    return action;
  };
  return { calls, job: { retries, complete: act('complete'), error: act('error'), fail: act('fail') } };
}

describe('settleJob', () => {
  it('completes the job with the variables the handler returns', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => ({ amountFen: 12345 }));
    expect(calls).toEqual([{ action: 'complete', arg: { amountFen: 12345 } }]);
  });

  it('raises a BPMN error with the code of a domain error, masking ID numbers', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => {
      throw new DomainError('not-eligible', 'applicant 11010519491231002X is above the standard');
    });
    expect(calls).toEqual([{ action: 'error', arg: { errorCode: 'not-eligible', errorMessage: 'applicant 110105********002X is above the standard' } }]);
  });

  it('fails a technical error with one retry fewer and a back-off', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => {
      throw new Error('connection reset');
    });
    expect(calls).toEqual([{ action: 'fail', arg: { errorMessage: 'Error: connection reset', retries: 2, retryBackOff: 10_000 } }]);
  });

  it('fails the last retry without back-off, so the engine raises an incident at once', async () => {
    const { calls, job } = recordingJob(1);
    await settleJob(job, async () => {
      throw new Error('still down');
    });
    expect(calls[0].arg).toMatchObject({ retries: 0, retryBackOff: 0 });
  });

  it('backs off longer as retries run out, capped at ten minutes', () => {
    expect([retryBackOffMs(2), retryBackOffMs(1)]).toEqual([10_000, 20_000]);
    expect(retryBackOffMs(-20)).toBe(600_000);
  });
});
