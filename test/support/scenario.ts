import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { Role } from '../../src/auth/roles';
import { Clock } from '../../src/common/clock';
import { idNumberCheckChar } from '../../src/common/id-number';
import { WorkflowService } from '../../src/workflow/workflow.service';
import { strictClient } from './engine';
import { startTestApp, type TestApp } from './test-app';

/** One clock for the service and the engine: tests move it, never sleep until a deadline. */
export class TestClock extends Clock {
  constructor(public current: Date) {
    super();
  }
  now(): Date {
    return this.current;
  }
}

/** A valid resident ID number of a region and birth date. */
export function idNumber(region: string, birth: string, sequence = '123'): string {
  const first17 = `${region.slice(0, 6)}${birth}${sequence}`;
  return `${first17}${idNumberCheckChar(first17)}`;
}

export interface Task {
  userTaskKey: string;
  elementId: string;
  subjectId: string;
  /** Its variable scope in the engine. */
  elementInstanceKey: string;
}

export interface Actor {
  roles: Role[];
  region: string;
  id?: string;
}

/**
 * The whole service on an engine (the embedded one, or a real Camunda 8.8 at `address`), driven through its API as
 * integrators and caseworkers would, with the service clock and the engine clock moved together.
 */
export class Scenario {
  private constructor(
    readonly testApp: TestApp,
    readonly clock: TestClock,
  ) {}

  static async start(at: Date, address?: string): Promise<Scenario> {
    const clock = new TestClock(at);
    const testApp = await startTestApp(address ? { ZEEBE_REST_ADDRESS: address } : {}, { withEngine: !address, clock });
    const scenario = new Scenario(testApp, clock);
    await scenario.moveTo(at);
    await testApp.app.get(WorkflowService).ready;
    return scenario;
  }

  get app(): INestApplication {
    return this.testApp.app;
  }

  /** Moves both clocks; the engine fires every timer now due before this returns (embedded engine). */
  async moveTo(at: Date): Promise<void> {
    this.clock.current = at;
    await strictClient(this.testApp.config.ZEEBE_REST_ADDRESS!).pinClock({ timestamp: at.getTime() });
  }

  async close(): Promise<void> {
    await this.testApp.close();
  }

  async token(actor: Actor): Promise<string> {
    return this.testApp.token(actor.roles, actor.region, actor.id ?? `${actor.roles[0]}@${actor.region}`);
  }

  async get(actor: Actor, path: string) {
    return request(this.app.getHttpServer()).get(path).set('Authorization', `Bearer ${await this.token(actor)}`);
  }

  async post(actor: Actor, path: string, body: object = {}, headers: Record<string, string> = {}) {
    const call = request(this.app.getHttpServer()).post(path).set('Authorization', `Bearer ${await this.token(actor)}`);
    for (const [name, value] of Object.entries(headers)) call.set(name, value);
    return call.send(body);
  }

  /** A one-member household applying in a village: the smallest valid application. */
  static application(village: string, name: string, birth: string, sequence = '123'): Record<string, unknown> {
    return {
      regionCode: village,
      channel: 'self',
      requestType: 'household',
      area: 'rural',
      members: [{ id: 'm1', name, idNumber: idNumber(village, birth, sequence), age: 2026 - Number(birth.slice(0, 4)), relation: 'applicant', seriousIllness: false, inSchool: false, employed: false }],
      incomes: [],
      expenditures: [],
      assets: { financialFen: 0 },
    };
  }

  /** Applies through the integrator API; returns the case id. */
  async apply(actor: Actor, body: Record<string, unknown>, idempotencyKey?: string): Promise<string> {
    const response = await this.post(actor, '/api/v1/dibao/applications', body, idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {});
    if (response.status !== 201) throw new Error(`applying: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.caseId as string;
  }

  /** The case's open task at `elementId`, as the actor sees it through the task API, once the procedure reaches it. */
  async taskOf(caseId: string, elementId: string, actor: Actor): Promise<Task> {
    const c = await this.get(actor, `/api/v1/dibao/cases/${caseId}`);
    if (c.status !== 200) throw new Error(`reading case ${caseId}: ${c.status} ${JSON.stringify(c.body)}`);
    return this.taskIn(c.body.processInstanceKey, elementId, actor);
  }

  /** The open task at `elementId` of a process instance, as the actor sees it through the task API. */
  async taskIn(processInstanceKey: string, elementId: string, actor: Actor): Promise<Task> {
    return this.until(
      `task ${elementId} of instance ${processInstanceKey}`,
      async () => ((await this.get(actor, `/api/v1/tasks?processInstanceKey=${processInstanceKey}`)).body.items ?? []).find((t: { elementId: string }) => t.elementId === elementId),
      (task) => task !== undefined,
    );
  }

  /** Completes the case's task at `elementId` through the task API, as the actor. */
  async completeTask(caseId: string, elementId: string, actor: Actor, variables: Record<string, unknown>): Promise<void> {
    await this.complete(await this.taskOf(caseId, elementId, actor), actor, variables);
  }

  /** Completes the instance's task at `elementId` through the task API, as the actor. */
  async completeIn(processInstanceKey: string, elementId: string, actor: Actor, variables: Record<string, unknown>): Promise<void> {
    await this.complete(await this.taskIn(processInstanceKey, elementId, actor), actor, variables);
  }

  private async complete(task: Task, actor: Actor, variables: Record<string, unknown>): Promise<void> {
    const done = await this.post(actor, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables });
    if (done.status !== 204) throw new Error(`completing ${task.elementId}: ${done.status} ${JSON.stringify(done.body)}`);
  }

  /**
   * Waits until `check` passes: workers complete jobs asynchronously after an API call returns. This polls for
   * work that is already due; it never waits for a deadline (the clock does not move while polling).
   */
  async until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last: T;
    for (;;) {
      last = await read();
      if (check(last)) return last;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${String(JSON.stringify(last, null, 2)).slice(0, 2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
