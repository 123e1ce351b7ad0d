import type { EngineUnderTest } from '../support/engine';
import {
  activate,
  activateNow,
  activateOne,
  type Camunda,
  completed,
  createInstance,
  deploy,
  describeEngines,
  fixture,
  type Fixture,
  incidents,
  instanceWhen,
  searchUntil,
  uniqueSuffix,
} from './conformance-helpers';

/**
 * Conformance, part B: events. Start, end, intermediate and boundary events (none, message, timer, error,
 * escalation, terminate), embedded and event sub-processes, and the engine clock — each asserted through the SDK
 * exactly as a Camunda 8.8 cluster answers. Time never passes by sleeping: the clock is pinned and moved.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

type ProcessInstance = Awaited<ReturnType<Camunda['getProcessInstance']>>;

/**
 * The engine clock of one describe: pinned at the start (half past the next full hour, so cron and cycle firings
 * fall at known points), moved only forwards, relative to where it is, and reset at the end.
 */
function pinnedClock(engine: () => EngineUnderTest) {
  const clock = {
    now: 0,
    async pin(at: number) {
      clock.now = at;
      await engine().camunda.pinClock({ timestamp: at });
    },
    advance: (ms: number) => clock.pin(clock.now + ms),
  };
  beforeAll(async () => {
    await clock.pin(Math.ceil(Date.now() / HOUR) * HOUR + 30 * MINUTE);
  });
  afterAll(async () => {
    // An embedded engine is gone with its describe; a real cluster gets its clock back.
    if (!engine().server) await engine().camunda.resetClock();
  });
  return clock;
}

/** The instances of a process, once `ready` holds for them. */
async function instancesOf(camunda: Camunda, processDefinitionId: string, ready: (items: ProcessInstance[]) => boolean = (items) => items.length > 0) {
  return searchUntil<ProcessInstance>(
    (c) => camunda.searchProcessInstances({ filter: { processDefinitionId }, page: { limit: 100 } } as never, c as never) as never,
    ready,
  );
}

/** The instance as it is now (after a command the embedded engine answers consistently; a real cluster soon). */
async function stateOf(camunda: Camunda, processInstanceKey: string, expected: ProcessInstance['state']) {
  return (await instanceWhen(camunda, processInstanceKey, (pi) => pi.state === expected)).state;
}

/** What a rejected call rejects with: the HTTP status and the problem title. */
async function rejection(call: Promise<unknown>): Promise<{ status?: number; title?: string }> {
  try {
    await call;
  } catch (error) {
    const { status, title } = error as { status?: number; title?: string };
    return { status, title };
  }
  throw new Error('expected the call to be rejected');
}

async function deployFixture(camunda: Camunda, name: string, replace: Record<string, string> = {}, suffix?: string): Promise<Fixture> {
  const base = fixture(name, suffix);
  let text = base.text;
  for (const [from, to] of Object.entries(replace)) text = text.split(from).join(to);
  const replaced: Fixture = { ...base, text, file: () => new File([text], name) };
  await deploy(camunda, replaced);
  return replaced;
}

const byKey = (a: { jobKey: string }, b: { jobKey: string }) => (BigInt(a.jobKey) < BigInt(b.jobKey) ? -1 : 1);

// ---------------------------------------------------------------------------------------------- start events

describeEngines('conformance: start events', (engine) => {
  const clock = pinnedClock(engine);

  test('a none start event starts an instance that runs to its end event', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-start-none.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-start-none'));
    expect(await stateOf(camunda, key, 'COMPLETED')).toBe('COMPLETED');
  });

  test('publishing the message of a message start event creates an instance with the message variables', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-start-message.bpmn');
    const processId = f.id('conf-ev-start-message');
    // A process without a none start event cannot be created directly.
    expect(await rejection(camunda.createProcessInstance({ processDefinitionId: processId } as never))).toMatchObject({ status: 400 });
    await camunda.publishMessage({ name: f.id('conf-ev-msg-start'), correlationKey: '', variables: { applicant: 'Li Wei', amount: 420 } });
    const [instance] = await instancesOf(camunda, processId);
    const job = await activateOne(camunda, f.id('conf-ev-start-message.work'));
    expect(job.processInstanceKey).toBe(instance!.processInstanceKey);
    expect(job.variables).toEqual({ applicant: 'Li Wei', amount: 420 });
    // Each publication starts another instance.
    await camunda.publishMessage({ name: f.id('conf-ev-msg-start'), correlationKey: '', variables: { applicant: 'Wang Fang' } });
    expect(await instancesOf(camunda, processId, (items) => items.length === 2)).toHaveLength(2);
  });

  test('a message start with a correlation key: one active instance per key; the next buffered message starts one when it ends', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-start-message.bpmn');
    const processId = f.id('conf-ev-start-message');
    const name = f.id('conf-ev-msg-start');
    const work = f.id('conf-ev-start-message.work');
    await camunda.publishMessage({ name, correlationKey: 'applicant-1', timeToLive: HOUR, variables: { n: 1 } });
    const first = await activateOne(camunda, work);
    expect(first.variables).toEqual({ n: 1 });
    // Same key while the first instance is active: no second instance; the message stays buffered.
    await camunda.publishMessage({ name, correlationKey: 'applicant-1', timeToLive: HOUR, variables: { n: 2 } });
    // Another key starts its own instance.
    await camunda.publishMessage({ name, correlationKey: 'applicant-2', timeToLive: HOUR, variables: { n: 3 } });
    const other = await activateOne(camunda, work);
    expect(other.variables).toEqual({ n: 3 });
    expect(await instancesOf(camunda, processId, (i) => i.length >= 2)).toHaveLength(2);
    expect(await activateNow(camunda, work)).toHaveLength(0);
    await camunda.completeJob({ jobKey: first.jobKey });
    const next = await activateOne(camunda, work);
    expect(next.variables).toEqual({ n: 2 });
    expect(await instancesOf(camunda, processId, (i) => i.length >= 3)).toHaveLength(3);
  });

  test('a timer start with a cycle R3/PT1H creates a new instance at each of its three firings', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-start-timer-cycle.bpmn');
    const processId = f.id('conf-ev-start-cycle');
    await clock.advance(30 * MINUTE);
    expect(await instancesOf(camunda, processId, () => true)).toHaveLength(0);
    for (const expected of [1, 2, 3]) {
      await clock.advance(30 * MINUTE + (expected === 1 ? 0 : 30 * MINUTE));
      const items = await instancesOf(camunda, processId, (i) => i.length >= expected);
      expect(items).toHaveLength(expected);
      expect(items.every((pi) => pi.state === 'COMPLETED')).toBe(true);
    }
    // Three repetitions, then the cycle is exhausted.
    await clock.advance(HOUR);
    await clock.advance(HOUR);
    expect(await instancesOf(camunda, processId, (i) => i.length >= 3)).toHaveLength(3);
  });

  test('a timer start with a cron expression creates an instance at every firing, until a new version drops it', async () => {
    const { camunda } = engine();
    const suffix = uniqueSuffix();
    // The clock stands at half past an hour; "0 0 * * * *" fires at every full hour.
    expect(new Date(clock.now).getUTCMinutes()).toBe(30);
    const f = await deployFixture(camunda, 'events-start-timer-cron.bpmn', {}, suffix);
    const processId = f.id('conf-ev-start-cron');
    await clock.advance(20 * MINUTE);
    expect(await instancesOf(camunda, processId, () => true)).toHaveLength(0);
    for (const expected of [1, 2, 3]) {
      await clock.advance(expected === 1 ? 20 * MINUTE : HOUR);
      expect(await instancesOf(camunda, processId, (i) => i.length >= expected)).toHaveLength(expected);
    }
    // A new version without the timer start removes the subscription of the old one.
    await deployFixture(camunda, 'events-start-cron-v2.bpmn', {}, suffix);
    await clock.advance(HOUR);
    await clock.advance(HOUR);
    expect(await instancesOf(camunda, processId, (i) => i.length >= 3)).toHaveLength(3);
  });

  test('a timer start with a date fires once, at that date', async () => {
    const { camunda } = engine();
    const at = new Date(clock.now + 2 * HOUR).toISOString();
    const f = await deployFixture(camunda, 'events-start-timer-date.bpmn', { START_DATE: at });
    const processId = f.id('conf-ev-start-date');
    await clock.advance(HOUR + 59 * MINUTE);
    expect(await instancesOf(camunda, processId, () => true)).toHaveLength(0);
    await clock.advance(MINUTE);
    const [instance] = await instancesOf(camunda, processId);
    expect(Date.parse(instance!.startDate!)).toBe(Date.parse(at));
    await clock.advance(DAY);
    expect(await instancesOf(camunda, processId, (i) => i.length >= 1)).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------- end events

describeEngines('conformance: end events', (engine) => {
  test('an error end event in a sub-process is caught by the error boundary event on the sub-process', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-end-error-subprocess.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-end-error'));
    const job = await activateOne(camunda, f.id('conf-ev-end-error.handle'));
    expect(job.processInstanceKey).toBe(key);
    expect(job.elementId).toBe('handle');
    // The sub-process was left through its boundary: the normal path never runs.
    expect(await activateNow(camunda, f.id('conf-ev-end-error.normal'))).toHaveLength(0);
    await camunda.completeJob({ jobKey: job.jobKey });
    await completed(camunda, key);
    expect(await incidents(camunda, { processInstanceKey: key }, () => true)).toHaveLength(0);
  });

  test('a terminate end event ends every other branch of the process, and the instance completes', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-end-terminate.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-terminate'));
    const a = await activateOne(camunda, f.id('conf-ev-terminate.a'));
    const b = await activateOne(camunda, f.id('conf-ev-terminate.b'));
    await camunda.completeJob({ jobKey: a.jobKey });
    const pi = await completed(camunda, key);
    expect(pi.state).toBe('COMPLETED');
    // Branch b was terminated: its job is gone.
    expect(await rejection(camunda.completeJob({ jobKey: b.jobKey }))).toMatchObject({ status: 404 });
    expect(await activateNow(camunda, f.id('conf-ev-terminate.b'))).toHaveLength(0);
  });

  test('a terminate end event in a sub-process ends only the sub-process, which then completes', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-end-terminate-subprocess.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-terminate-sub'));
    const a = await activateOne(camunda, f.id('conf-ev-terminate-sub.a'));
    const b = await activateOne(camunda, f.id('conf-ev-terminate-sub.b'));
    await camunda.completeJob({ jobKey: a.jobKey });
    const after = await activateOne(camunda, f.id('conf-ev-terminate-sub.after'));
    expect(after.processInstanceKey).toBe(key);
    expect(await rejection(camunda.completeJob({ jobKey: b.jobKey }))).toMatchObject({ status: 404 });
    await camunda.completeJob({ jobKey: after.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- timer catch events

describeEngines('conformance: timer catch events', (engine) => {
  const clock = pinnedClock(engine);

  async function timerProcess(kind: 'timeDuration' | 'timeDate', expression: string) {
    const f = await deployFixture(engine().camunda, 'events-timer-catch.bpmn', { TIMER_KIND: kind, TIMER_EXPRESSION: expression });
    return { processId: f.id('conf-ev-timer-catch'), jobType: f.id('conf-ev-timer-catch.after') };
  }

  test('a duration timer (PT12H) fires twelve hours after the event is reached, not before', async () => {
    const { camunda } = engine();
    const { processId, jobType } = await timerProcess('timeDuration', 'PT12H');
    const key = await createInstance(camunda, processId);
    await clock.advance(11 * HOUR + 59 * MINUTE);
    expect(await activateNow(camunda, jobType)).toHaveLength(0);
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await clock.advance(MINUTE);
    const job = await activateOne(camunda, jobType);
    expect(job.processInstanceKey).toBe(key);
  });

  test('a date timer takes its date from a FEEL expression over a variable', async () => {
    const { camunda } = engine();
    const { processId, jobType } = await timerProcess('timeDate', '=date and time(decisionDue)');
    const due = new Date(clock.now + 5 * HOUR).toISOString();
    const key = await createInstance(camunda, processId, { decisionDue: due });
    await clock.advance(4 * HOUR);
    expect(await activateNow(camunda, jobType)).toHaveLength(0);
    await clock.advance(HOUR);
    const job = await activateOne(camunda, jobType);
    expect(job.processInstanceKey).toBe(key);
    expect(job.variables).toEqual({ decisionDue: due });
  });

  test('a long duration (P40D) is still waiting on day 39 and fires on day 40', async () => {
    const { camunda } = engine();
    const { processId, jobType } = await timerProcess('timeDuration', '=duration("P40D")');
    const key = await createInstance(camunda, processId);
    await clock.advance(39 * DAY);
    expect(await activateNow(camunda, jobType)).toHaveLength(0);
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await clock.advance(DAY);
    expect((await activateOne(camunda, jobType)).processInstanceKey).toBe(key);
  });

  test('a timer whose expression yields no date raises an EXTRACT_VALUE_ERROR incident on the catch event', async () => {
    const { camunda } = engine();
    const { processId } = await timerProcess('timeDate', '=date and time(decisionDue)');
    const key = await createInstance(camunda, processId);
    const [incident] = await incidents(camunda, { processInstanceKey: key });
    expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'wait', state: 'ACTIVE' });
  });

  test('timers due by one move of the clock fire in due order, within and across instances', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-timer-order.bpmn');
    const processId = f.id('conf-ev-timer-order');
    const first = await createInstance(camunda, processId);
    await clock.advance(30 * MINUTE);
    const second = await createInstance(camunda, processId);
    // Due: first.early +1h, second.early +1h30, first.late +2h, second.late +2h30.
    await clock.advance(3 * HOUR);
    const jobs = (await activate(camunda, f.id('conf-ev-timer-order.work'), { count: 4 })).sort(byKey);
    expect(jobs.map((j) => [j.processInstanceKey, j.elementId])).toEqual([
      [first, 'earlyWork'],
      [second, 'earlyWork'],
      [first, 'lateWork'],
      [second, 'lateWork'],
    ]);
  });

  test('timers of instances started at the same time with equal durations all fire', async () => {
    const { camunda } = engine();
    const { processId, jobType } = await timerProcess('timeDuration', 'PT1H');
    const keys = [await createInstance(camunda, processId), await createInstance(camunda, processId), await createInstance(camunda, processId)];
    await clock.advance(HOUR);
    const jobs = (await activate(camunda, jobType, { count: 3 })).sort(byKey);
    expect(jobs.map((j) => j.processInstanceKey)).toEqual(keys);
  });
});

// ---------------------------------------------------------------------------------------------- timer boundary events

describeEngines('conformance: timer boundary events', (engine) => {
  const clock = pinnedClock(engine);

  test('an interrupting timer boundary cancels the task and takes the boundary path', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-boundary-timer.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-boundary-timer'));
    const work = await activateOne(camunda, f.id('conf-ev-boundary-timer.work'), { timeout: 10 * DAY });
    await clock.advance(59 * MINUTE);
    expect(await activateNow(camunda, f.id('conf-ev-boundary-timer.escalate'))).toHaveLength(0);
    await clock.advance(MINUTE);
    const escalate = await activateOne(camunda, f.id('conf-ev-boundary-timer.escalate'));
    expect(escalate.processInstanceKey).toBe(key);
    expect(await rejection(camunda.completeJob({ jobKey: work.jobKey }))).toMatchObject({ status: 404 });
    expect(await activateNow(camunda, f.id('conf-ev-boundary-timer.work'))).toHaveLength(0);
    await camunda.completeJob({ jobKey: escalate.jobKey });
    await completed(camunda, key);
  });

  test('the boundary timer goes away when the task completes first', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-boundary-timer.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-boundary-timer'));
    const work = await activateOne(camunda, f.id('conf-ev-boundary-timer.work'));
    await clock.advance(30 * MINUTE);
    await camunda.completeJob({ jobKey: work.jobKey });
    await completed(camunda, key);
    await clock.advance(2 * HOUR);
    expect(await activateNow(camunda, f.id('conf-ev-boundary-timer.escalate'))).toHaveLength(0);
    expect(await stateOf(camunda, key, 'COMPLETED')).toBe('COMPLETED');
  });

  test('a non-interrupting timer boundary with a cycle R2/PT1H fires twice while the task stays active', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-boundary-timer-cycle.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-boundary-cycle'));
    const work = await activateOne(camunda, f.id('conf-ev-boundary-cycle.work'), { timeout: 10 * DAY });
    const remind = f.id('conf-ev-boundary-cycle.remind');
    await clock.advance(HOUR);
    const firstReminder = await activateOne(camunda, remind, { timeout: 10 * DAY });
    await clock.advance(HOUR);
    const secondReminder = await activateOne(camunda, remind, { timeout: 10 * DAY });
    expect([firstReminder.processInstanceKey, secondReminder.processInstanceKey]).toEqual([key, key]);
    await clock.advance(HOUR);
    await clock.advance(HOUR);
    expect(await activateNow(camunda, remind)).toHaveLength(0);
    // The task was never interrupted.
    for (const job of [firstReminder, secondReminder, work]) await camunda.completeJob({ jobKey: job.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- messages

describeEngines('conformance: message events', (engine) => {
  const clock = pinnedClock(engine);
  const catchProcess = async () => {
    const f = await deployFixture(engine().camunda, 'events-message-catch.bpmn');
    return { f, processId: f.id('conf-ev-message-catch'), message: f.id('conf-ev-msg-catch'), after: f.id('conf-ev-message-catch.after') };
  };

  test('a message catch event correlates by the correlation key its FEEL expression gives', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    const key = await createInstance(camunda, processId, { orderId: 'order-1' });
    await camunda.publishMessage({ name: message, correlationKey: 'order-2', variables: { paid: false } });
    expect(await activateNow(camunda, after)).toHaveLength(0);
    const published = await camunda.publishMessage({ name: message, correlationKey: 'order-1', variables: { paid: true } });
    expect(published.messageKey).toMatch(/^\d+$/);
    const job = await activateOne(camunda, after);
    expect(job.processInstanceKey).toBe(key);
    expect(job.variables).toEqual({ orderId: 'order-1', paid: true });
  });

  test('a correlation key expression without a value raises an EXTRACT_VALUE_ERROR incident', async () => {
    const { camunda } = engine();
    const { processId } = await catchProcess();
    const key = await createInstance(camunda, processId, { somethingElse: 1 });
    const [incident] = await incidents(camunda, { processInstanceKey: key });
    expect(incident).toMatchObject({ errorType: 'EXTRACT_VALUE_ERROR', elementId: 'wait', state: 'ACTIVE' });
  });

  test('a receive task correlates by its subscription correlation key', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-receive-task.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-receive-task'), { orderNumber: 7 });
    const result = await camunda.correlateMessage({ name: f.id('conf-ev-msg-receive'), correlationKey: 'order-7', variables: { received: true } });
    expect(result.processInstanceKey).toBe(key);
    const job = await activateOne(camunda, f.id('conf-ev-receive-task.after'));
    expect(job.variables).toEqual({ orderNumber: 7, received: true });
  });

  test('a message published with a time to live before the instance waits is buffered and correlated on arrival', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    await camunda.publishMessage({ name: message, correlationKey: 'early-1', timeToLive: HOUR, variables: { early: true } });
    const key = await createInstance(camunda, processId, { orderId: 'early-1' });
    const job = await activateOne(camunda, after);
    expect(job.processInstanceKey).toBe(key);
    expect(job.variables).toEqual({ orderId: 'early-1', early: true });
  });

  test('a message with time to live 0 is not buffered', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    await camunda.publishMessage({ name: message, correlationKey: 'late-1', timeToLive: 0 });
    const key = await createInstance(camunda, processId, { orderId: 'late-1' });
    expect(await activateNow(camunda, after)).toHaveLength(0);
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await camunda.publishMessage({ name: message, correlationKey: 'late-1' });
    expect((await activateOne(camunda, after)).processInstanceKey).toBe(key);
  });

  test('a second message with the same id is rejected while the first is buffered', async () => {
    const { camunda } = engine();
    const { message } = await catchProcess();
    const messageId = `id-${uniqueSuffix()}`;
    await camunda.publishMessage({ name: message, correlationKey: 'dup-1', messageId, timeToLive: HOUR });
    expect(await rejection(camunda.publishMessage({ name: message, correlationKey: 'dup-1', messageId, timeToLive: HOUR }))).toEqual({
      status: 409,
      title: 'ALREADY_EXISTS',
    });
  });

  test('the same message id under another correlation key is another message', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    const messageId = `id-${uniqueSuffix()}`;
    await camunda.publishMessage({ name: message, correlationKey: 'same-id-1', messageId, timeToLive: HOUR });
    await camunda.publishMessage({ name: message, correlationKey: 'same-id-2', messageId, timeToLive: HOUR, variables: { second: true } });
    const key = await createInstance(camunda, processId, { orderId: 'same-id-2' });
    const job = await activateOne(camunda, after);
    expect(job.processInstanceKey).toBe(key);
    expect(job.variables).toEqual({ orderId: 'same-id-2', second: true });
  });

  test('a buffered message expires with its time to live on the engine clock; then its id is free again', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    const messageId = `id-${uniqueSuffix()}`;
    await camunda.publishMessage({ name: message, correlationKey: 'ttl-1', messageId, timeToLive: HOUR, variables: { stale: true } });
    await clock.advance(HOUR + MINUTE);
    const key = await createInstance(camunda, processId, { orderId: 'ttl-1' });
    expect(await activateNow(camunda, after)).toHaveLength(0);
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await camunda.publishMessage({ name: message, correlationKey: 'ttl-1', messageId, timeToLive: HOUR, variables: { stale: false } });
    expect((await activateOne(camunda, after)).variables).toEqual({ orderId: 'ttl-1', stale: false });
  });

  test('correlateMessage answers the instance it reached, and 404 when nothing waits', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    const key = await createInstance(camunda, processId, { orderId: 'corr-1' });
    const result = await camunda.correlateMessage({ name: message, correlationKey: 'corr-1', variables: { via: 'correlate' } });
    expect(result.processInstanceKey).toBe(key);
    expect(result.messageKey).toMatch(/^\d+$/);
    expect((await activateOne(camunda, after)).variables).toEqual({ orderId: 'corr-1', via: 'correlate' });
    expect(await rejection(camunda.correlateMessage({ name: message, correlationKey: 'corr-1' }))).toMatchObject({ status: 404, title: 'NOT_FOUND' });
  });

  test('a buffered message correlates at most once per process', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    await camunda.publishMessage({ name: message, correlationKey: 'once-1', timeToLive: HOUR, variables: { n: 1 } });
    const first = await createInstance(camunda, processId, { orderId: 'once-1' });
    const second = await createInstance(camunda, processId, { orderId: 'once-1' });
    const jobs = await activate(camunda, after, { count: 2, waitMs: 1_500 });
    expect(jobs.map((j) => j.processInstanceKey)).toEqual([first]);
    expect(await stateOf(camunda, second, 'ACTIVE')).toBe('ACTIVE');
  });

  test('a published message reaches one subscription per process, not every waiting instance', async () => {
    const { camunda } = engine();
    const { processId, message, after } = await catchProcess();
    const first = await createInstance(camunda, processId, { orderId: 'shared-1' });
    const second = await createInstance(camunda, processId, { orderId: 'shared-1' });
    await camunda.publishMessage({ name: message, correlationKey: 'shared-1' });
    const jobs = await activate(camunda, after, { count: 2, waitMs: 1_500 });
    expect(jobs).toHaveLength(1);
    expect([first, second]).toContain(jobs[0]!.processInstanceKey);
    // The next publication reaches the other one.
    await camunda.publishMessage({ name: message, correlationKey: 'shared-1' });
    const next = await activateOne(camunda, after);
    expect(next.processInstanceKey).toBe(jobs[0]!.processInstanceKey === first ? second : first);
  });

  test('a non-interrupting message boundary fires at every message while the task stays active', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-message-boundary.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-message-boundary'), { orderId: 'nb-1' });
    const work = await activateOne(camunda, f.id('conf-ev-message-boundary.work'));
    await camunda.publishMessage({ name: f.id('conf-ev-msg-info'), correlationKey: 'nb-1', variables: { note: 'first' } });
    const firstInfo = await activateOne(camunda, f.id('conf-ev-message-boundary.info'));
    await camunda.publishMessage({ name: f.id('conf-ev-msg-info'), correlationKey: 'nb-1', variables: { note: 'second' } });
    const secondInfo = await activateOne(camunda, f.id('conf-ev-message-boundary.info'));
    expect([firstInfo.processInstanceKey, secondInfo.processInstanceKey]).toEqual([key, key]);
    for (const job of [firstInfo, secondInfo, work]) await camunda.completeJob({ jobKey: job.jobKey });
    await completed(camunda, key);
  });

  test('an interrupting message boundary cancels the task and takes the boundary path', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-message-boundary.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-message-boundary'), { orderId: 'ib-1' });
    const work = await activateOne(camunda, f.id('conf-ev-message-boundary.work'));
    await camunda.publishMessage({ name: f.id('conf-ev-msg-cancel'), correlationKey: 'ib-1', variables: { reason: 'withdrawn' } });
    const cancelled = await activateOne(camunda, f.id('conf-ev-message-boundary.cancelled'));
    expect(cancelled.processInstanceKey).toBe(key);
    expect(cancelled.variables).toEqual({ orderId: 'ib-1', reason: 'withdrawn' });
    expect(await rejection(camunda.completeJob({ jobKey: work.jobKey }))).toMatchObject({ status: 404 });
    // The other boundary's subscription went with the task.
    expect(await rejection(camunda.correlateMessage({ name: f.id('conf-ev-msg-info'), correlationKey: 'ib-1' }))).toMatchObject({ status: 404 });
    await camunda.completeJob({ jobKey: cancelled.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- errors

describeEngines('conformance: error events', (engine) => {
  test('an error boundary on a service task catches the error code a worker throws', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-error-boundary.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-error-boundary'), { amount: 10 });
    const work = await activateOne(camunda, f.id('conf-ev-error-boundary.work'));
    await camunda.throwJobError({ jobKey: work.jobKey, errorCode: 'PAYMENT_FAILED', errorMessage: 'card declined', variables: { declined: true } });
    const handle = await activateOne(camunda, f.id('conf-ev-error-boundary.handle'));
    expect(handle.processInstanceKey).toBe(key);
    expect(handle.variables).toEqual({ amount: 10, declined: true });
    await camunda.completeJob({ jobKey: handle.jobKey });
    await completed(camunda, key);
  });

  test('an error no catch event matches raises an UNHANDLED_ERROR_EVENT incident', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-error-boundary.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-error-boundary'));
    const work = await activateOne(camunda, f.id('conf-ev-error-boundary.work'));
    await camunda.throwJobError({ jobKey: work.jobKey, errorCode: 'SOMETHING_ELSE', errorMessage: 'unexpected' });
    const [incident] = await incidents(camunda, { processInstanceKey: key });
    expect(incident).toMatchObject({ errorType: 'UNHANDLED_ERROR_EVENT', elementId: 'work', state: 'ACTIVE', processInstanceKey: key });
    expect((await instanceWhen(camunda, key, (pi) => pi.hasIncident)).state).toBe('ACTIVE');
    expect(await activateNow(camunda, f.id('conf-ev-error-boundary.handle'))).toHaveLength(0);
  });

  test('an error thrown in a sub-process is caught by an error event sub-process of the enclosing scope', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-error-event-subprocess.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-error-esp'));
    const work = await activateOne(camunda, f.id('conf-ev-error-esp.work'));
    const other = await activateOne(camunda, f.id('conf-ev-error-esp.other'));
    await camunda.throwJobError({ jobKey: work.jobKey, errorCode: 'SUB_FAILED', variables: { failure: 'x' } });
    const handle = await activateOne(camunda, f.id('conf-ev-error-esp.handle'));
    expect(handle.processInstanceKey).toBe(key);
    expect(handle.variables).toMatchObject({ failure: 'x' });
    // The interrupting event sub-process cancelled the sub-process with its other branch.
    expect(await rejection(camunda.completeJob({ jobKey: other.jobKey }))).toMatchObject({ status: 404 });
    await camunda.completeJob({ jobKey: handle.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- escalations

describeEngines('conformance: escalation events', (engine) => {
  test('a non-interrupting escalation boundary on the sub-process: both paths continue', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-escalation-boundary-noninterrupting.bpmn');
    const id = (s: string) => f.id(`conf-ev-esc-noninterrupting${s}`);
    const key = await createInstance(camunda, id(''));
    const handler = await activateOne(camunda, id('.handler'));
    const inner = await activateOne(camunda, id('.inner'));
    expect([handler.processInstanceKey, inner.processInstanceKey]).toEqual([key, key]);
    await camunda.completeJob({ jobKey: inner.jobKey });
    await camunda.completeJob({ jobKey: (await activateOne(camunda, id('.after'))).jobKey });
    await camunda.completeJob({ jobKey: handler.jobKey });
    await completed(camunda, key);
  });

  test('an interrupting escalation boundary cancels the sub-process', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-escalation-boundary-interrupting.bpmn');
    const id = (s: string) => f.id(`conf-ev-esc-interrupting${s}`);
    const key = await createInstance(camunda, id(''));
    const handler = await activateOne(camunda, id('.handler'));
    expect(handler.processInstanceKey).toBe(key);
    expect(await activateNow(camunda, id('.inner'))).toHaveLength(0);
    await camunda.completeJob({ jobKey: handler.jobKey });
    await completed(camunda, key);
    expect(await activateNow(camunda, id('.after'))).toHaveLength(0);
  });

  test('an escalation end event is caught by an escalation event sub-process', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-escalation-event-subprocess.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-esc-esp'));
    await camunda.completeJob({ jobKey: (await activateOne(camunda, f.id('conf-ev-esc-esp.work'))).jobKey });
    const handler = await activateOne(camunda, f.id('conf-ev-esc-esp.handler'));
    expect(handler.processInstanceKey).toBe(key);
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await camunda.completeJob({ jobKey: handler.jobKey });
    await completed(camunda, key);
  });

  test('an escalation nobody catches lets the process continue, without an incident', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-escalation-uncaught.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-esc-uncaught'));
    const after = await activateOne(camunda, f.id('conf-ev-esc-uncaught.after'));
    expect(after.processInstanceKey).toBe(key);
    expect(await incidents(camunda, { processInstanceKey: key }, () => true)).toHaveLength(0);
    await camunda.completeJob({ jobKey: after.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- sub-processes

describeEngines('conformance: sub-processes and event sub-processes', (engine) => {
  const clock = pinnedClock(engine);

  test('nested embedded sub-processes run through and the process continues after them', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-subprocess-nested.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-nested'), { household: 3 });
    const work = await activateOne(camunda, f.id('conf-ev-nested.work'));
    expect(work.variables).toEqual({ household: 3 });
    await camunda.completeJob({ jobKey: work.jobKey, variables: { approved: true } });
    const after = await activateOne(camunda, f.id('conf-ev-nested.after'));
    expect(after.variables).toEqual({ household: 3, approved: true });
    await camunda.completeJob({ jobKey: after.jobKey });
    await completed(camunda, key);
  });

  test('an interrupting message event sub-process cancels all other work of its scope', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-esp-message-interrupting.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-esp-message'), { orderId: 'abort-1' });
    const a = await activateOne(camunda, f.id('conf-ev-esp-message.a'));
    const b = await activateOne(camunda, f.id('conf-ev-esp-message.b'));
    // Branch a already waits at the parallel join when the event sub-process interrupts.
    await camunda.completeJob({ jobKey: a.jobKey });
    const result = await camunda.correlateMessage({ name: f.id('conf-ev-msg-abort'), correlationKey: 'abort-1', variables: { aborted: true } });
    expect(result.processInstanceKey).toBe(key);
    const handler = await activateOne(camunda, f.id('conf-ev-esp-message.handler'));
    expect(handler.variables).toEqual({ orderId: 'abort-1', aborted: true });
    expect(await rejection(camunda.completeJob({ jobKey: b.jobKey }))).toMatchObject({ status: 404 });
    // Interrupted: the start event's subscription is closed too.
    expect(await rejection(camunda.correlateMessage({ name: f.id('conf-ev-msg-abort'), correlationKey: 'abort-1' }))).toMatchObject({ status: 404 });
    await camunda.completeJob({ jobKey: handler.jobKey });
    await completed(camunda, key);
  });

  test('an interrupting event sub-process inside a sub-process closes the other event sub-processes but not the boundary events', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-esp-interrupting-in-subprocess.bpmn');
    const id = (s: string) => f.id(`conf-ev-esp-in-sub${s}`);
    const key = await createInstance(camunda, id(''), { orderId: 'stop-1' });
    const work = await activateOne(camunda, id('.work'));
    await camunda.publishMessage({ name: f.id('conf-ev-msg-stop'), correlationKey: 'stop-1' });
    const handler = await activateOne(camunda, id('.handler'), { timeout: 10 * DAY });
    expect(handler.processInstanceKey).toBe(key);
    expect(await rejection(camunda.completeJob({ jobKey: work.jobKey }))).toMatchObject({ status: 404 });
    // The non-interrupting timer event sub-process of the interrupted scope no longer fires...
    await clock.advance(30 * MINUTE);
    expect(await activateNow(camunda, id('.nudge'))).toHaveLength(0);
    // ...but the sub-process's own boundary timer still does, and interrupts the sub-process with its handler.
    await clock.advance(30 * MINUTE);
    const timeout = await activateOne(camunda, id('.timeout'));
    expect(timeout.processInstanceKey).toBe(key);
    expect(await rejection(camunda.completeJob({ jobKey: handler.jobKey }))).toMatchObject({ status: 404 });
    await camunda.completeJob({ jobKey: timeout.jobKey });
    await completed(camunda, key);
  });

  test('a non-interrupting timer event sub-process runs alongside the main path', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-esp-timer-noninterrupting.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-esp-timer'));
    const work = await activateOne(camunda, f.id('conf-ev-esp-timer.work'), { timeout: 10 * DAY });
    await clock.advance(HOUR);
    const remind = await activateOne(camunda, f.id('conf-ev-esp-timer.remind'));
    expect(remind.processInstanceKey).toBe(key);
    await camunda.completeJob({ jobKey: remind.jobKey });
    expect(await stateOf(camunda, key, 'ACTIVE')).toBe('ACTIVE');
    await camunda.completeJob({ jobKey: work.jobKey });
    await completed(camunda, key);
  });

  test('event sub-process subscriptions close when their scope completes', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-esp-closes.bpmn');
    const key = await createInstance(camunda, f.id('conf-ev-esp-closes'), { orderId: 'closes-1' });
    // While the sub-process runs, its non-interrupting event sub-process listens, message after message.
    for (const n of [1, 2]) {
      const result = await camunda.correlateMessage({ name: f.id('conf-ev-msg-closes'), correlationKey: 'closes-1', variables: { n } });
      expect(result.processInstanceKey).toBe(key);
    }
    const handlers = await activate(camunda, f.id('conf-ev-esp-closes.handler'), { count: 2 });
    expect(handlers.map((j) => j.processInstanceKey)).toEqual([key, key]);
    for (const job of handlers) await camunda.completeJob({ jobKey: job.jobKey });
    await camunda.completeJob({ jobKey: (await activateOne(camunda, f.id('conf-ev-esp-closes.work'))).jobKey });
    const after = await activateOne(camunda, f.id('conf-ev-esp-closes.after'), { timeout: 10 * DAY });
    expect(await rejection(camunda.correlateMessage({ name: f.id('conf-ev-msg-closes'), correlationKey: 'closes-1' }))).toMatchObject({ status: 404 });
    await clock.advance(2 * HOUR);
    expect(await activateNow(camunda, f.id('conf-ev-esp-closes.late'))).toHaveLength(0);
    await camunda.completeJob({ jobKey: after.jobKey });
    await completed(camunda, key);
  });
});

// ---------------------------------------------------------------------------------------------- clock

describeEngines('conformance: clock', (engine) => {
  afterAll(async () => {
    if (!engine().server) await engine().camunda.resetClock();
  });

  test('pinClock moves time forward for timers; resetClock returns to the real time', async () => {
    const { camunda } = engine();
    const f = await deployFixture(camunda, 'events-timer-catch.bpmn', { TIMER_KIND: 'timeDuration', TIMER_EXPRESSION: 'PT1H' });
    const processId = f.id('conf-ev-timer-catch');
    const jobType = f.id('conf-ev-timer-catch.after');
    await camunda.resetClock();
    const realStart = Date.now();
    const first = await createInstance(camunda, processId);
    expect(await activateNow(camunda, jobType)).toHaveLength(0);
    await camunda.pinClock({ timestamp: realStart + 2 * HOUR });
    expect((await activateOne(camunda, jobType)).processInstanceKey).toBe(first);
    // Back on the real clock, a new timer is due one real hour from now, not from the pinned time.
    await camunda.resetClock();
    const realAgain = Date.now();
    const second = await createInstance(camunda, processId);
    expect(await activateNow(camunda, jobType)).toHaveLength(0);
    await camunda.pinClock({ timestamp: realAgain + HOUR + MINUTE });
    expect((await activateOne(camunda, jobType)).processInstanceKey).toBe(second);
  });
});
