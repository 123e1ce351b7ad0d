import { DomainError } from '../common/domain-error';
import { CalendarDataError, CalendarError, OutsideCalendarError } from '../policy/holiday-calendar';
import { PolicyError } from '../policy/policy-profiles';
import { BusinessOutcome, classifyJobFailure, incidentReason, ListenerVerdict, retryBackOffMs, settleJob } from './job-outcome';

function recordingJob(retries: number) {
  const calls: { action: string; arg: unknown }[] = [];
  const act = (action: string) => async (arg: unknown) => {
    calls.push({ action, arg });
    return action;
  };
  return { calls, job: { retries, complete: act('complete'), error: act('error'), fail: act('fail'), completeListener: act('completeListener') } };
}

describe('settleJob', () => {
  it('completes the job with the variables the handler returns', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => ({ amountFen: 12345 }));
    expect(calls).toEqual([{ action: 'complete', arg: { amountFen: 12345 } }]);
  });

  it("completes a listener's job with its verdict, never with variables; a denial's reason is masked", async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => ListenerVerdict.accept());
    await settleJob(job, async () => ListenerVerdict.deny('申请人 11010519491231002X 的收入未核实'));
    expect(calls).toEqual([
      { action: 'completeListener', arg: ListenerVerdict.accept() },
      { action: 'completeListener', arg: expect.objectContaining({ denied: true, deniedReason: '申请人 110105********002X 的收入未核实' }) },
    ]);
  });

  it('raises a BPMN error with the code of a declared business outcome, masking ID numbers', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => {
      throw new BusinessOutcome('not-eligible', 'applicant 11010519491231002X is above the standard');
    });
    expect(calls).toEqual([{ action: 'error', arg: { errorCode: 'not-eligible', errorMessage: 'applicant 110105********002X is above the standard' } }]);
  });

  it('retries a DomainError thrown in a worker (e.g. engine-unavailable, 503): no model catches it', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => {
      throw new DomainError('engine-unavailable', 'the workflow engine did not start the procedure', 503);
    });
    expect(calls).toEqual([{ action: 'fail', arg: { errorMessage: 'DomainError: the workflow engine did not start the procedure', retries: 2, retryBackOff: 10_000 } }]);
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

describe('classifyJobFailure', () => {
  it('makes a date outside the holiday calendar a data problem naming the date and the missing year', () => {
    // Built by hand: which years the calendar covers changes with its data.
    const outside = new OutsideCalendarError('2024-12-31 is outside the holiday calendar: there is no notice for 2024', '2024-12-31', [2025, 2026]);
    expect(classifyJobFailure(outside)).toEqual({
      kind: 'data',
      reason: '节假日日历未覆盖 2024-12-31（缺少 2024 年度数据）The holiday calendar does not cover 2024-12-31 (no data for 2024)',
      errorMessage: '节假日日历未覆盖 2024-12-31（缺少 2024 年度数据）The holiday calendar does not cover 2024-12-31 (no data for 2024): 2024-12-31 is outside the holiday calendar: there is no notice for 2024',
    });
  });

  it('makes any other calendar error a data problem', () => {
    expect(classifyJobFailure(new CalendarDataError('no <year>.yaml holiday data files'))).toMatchObject({ kind: 'data', reason: expect.stringContaining('holiday calendar data is invalid') });
    expect(classifyJobFailure(new CalendarError('2026-10-01 is not a working day'))).toMatchObject({ kind: 'data', reason: expect.stringMatching(/^节假日日历/) });
  });

  it('makes a missing policy profile version a data problem, also as the no-profile-in-force domain error', () => {
    const reason = '没有适用的政策参数版本 No policy profile version applies';
    expect(classifyJobFailure(new PolicyError('profile "tongren" has no version in force on 2020-01-01'))).toEqual({
      kind: 'data',
      reason,
      errorMessage: `${reason}: profile "tongren" has no version in force on 2020-01-01`,
    });
    expect(classifyJobFailure(new DomainError('no-profile-in-force', 'no version in force'))).toMatchObject({ kind: 'data', reason });
  });

  it('finds a data problem wrapped as the cause of another error', () => {
    expect(classifyJobFailure(new Error('payroll failed', { cause: new PolicyError('x') }))).toMatchObject({ kind: 'data' });
  });

  it('makes only a BusinessOutcome a business outcome; other domain errors and everything else are technical', () => {
    expect(classifyJobFailure(new BusinessOutcome('not-eligible', 'above the standard'))).toEqual({ kind: 'business', errorCode: 'not-eligible', errorMessage: 'above the standard' });
    expect(classifyJobFailure(new DomainError('not-eligible', 'above the standard'))).toEqual({ kind: 'technical', errorMessage: 'DomainError: above the standard' });
    expect(classifyJobFailure(new TypeError('x is undefined'))).toEqual({ kind: 'technical', errorMessage: 'TypeError: x is undefined' });
    expect(classifyJobFailure('a string')).toEqual({ kind: 'technical', errorMessage: 'a string' });
  });
});

describe('settleJob on a data problem', () => {
  it('fails the job with no retries and no back-off, so the incident is raised at once, with the reason first', async () => {
    const { calls, job } = recordingJob(3);
    await settleJob(job, async () => {
      throw new PolicyError('no policy profile version "gone-v1" for applicant 11010519491231002X');
    });
    expect(calls).toEqual([
      {
        action: 'fail',
        arg: { errorMessage: '没有适用的政策参数版本 No policy profile version applies: no policy profile version "gone-v1" for applicant 110105********002X', retries: 0, retryBackOff: 0 },
      },
    ]);
  });
});

describe('incidentReason', () => {
  it('takes the reason a worker put at the head of a data problem', () => {
    const message = classifyJobFailure(new PolicyError('no version in force on 2020-01-01')).errorMessage;
    expect(incidentReason('JOB_NO_RETRIES', message)).toBe('没有适用的政策参数版本 No policy profile version applies');
    const calendar = classifyJobFailure(new OutsideCalendarError('2024-12-31 is outside: no notice', '2024-12-31', [])).errorMessage;
    expect(incidentReason('JOB_NO_RETRIES', calendar)).toBe('节假日日历未覆盖 2024-12-31（缺少 2024 年度数据）The holiday calendar does not cover 2024-12-31 (no data for 2024)');
  });

  it('names other incidents by type, in Chinese then English', () => {
    expect(incidentReason('JOB_NO_RETRIES', 'Error: connection reset')).toBe('任务多次重试仍失败（技术故障）The job failed on every retry (a technical fault)');
    expect(incidentReason('EXTRACT_VALUE_ERROR', "failed to evaluate expression 'x': no variable found")).toMatch(/^流程表达式无法求值 /);
    expect(incidentReason('DECISION_EVALUATION_ERROR', undefined)).toBe('流程故障 An engine incident (DECISION_EVALUATION_ERROR)');
  });
});
