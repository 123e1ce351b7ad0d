import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { signDevToken } from '../../src/auth/dev-token';
import type { AppConfig } from '../../src/config/app-config';
import { WorkflowService } from '../../src/workflow/workflow.service';
import type { Actor, Task, TestClock } from './scenario';
import { LogCapture, testConfig } from './test-app';

/**
 * One service replica in this process: the whole app (migrations at start-up, job workers, outbox dispatcher and
 * reconciler, deadline sweeper, calendar refresh, demo seeder) on a shared database and engine, driven through its
 * own HTTP server as a load balancer would send a request to one replica or another.
 */
export class Replica {
  private constructor(
    readonly name: string,
    readonly app: INestApplication,
    readonly config: AppConfig,
    readonly logs: LogCapture,
  ) {}

  /** Builds and starts a replica (`createApp` + `init`: every start-up and background job runs as in `npm start`). */
  static async start(name: string, databaseUrl: string, env: Record<string, string>, clock?: TestClock): Promise<Replica> {
    const config = testConfig(databaseUrl, env);
    const logs = new LogCapture();
    const app = await createApp(config, { logDestination: logs, clock });
    await app.init();
    return new Replica(name, app, config, logs);
  }

  get db(): DataSource {
    return this.app.get(DataSource);
  }

  /** Resolves once this replica deployed the models and its workers poll. */
  ready(): Promise<unknown> {
    return this.app.get(WorkflowService).ready;
  }

  token(actor: Actor): Promise<string> {
    return signDevToken(this.config.AUTH_JWT_SECRET!, { sub: actor.id ?? `${actor.roles[0]}@${actor.region}`, roles: actor.roles, region: actor.region });
  }

  async get(actor: Actor, path: string) {
    return request(this.app.getHttpServer()).get(path).set('Authorization', `Bearer ${await this.token(actor)}`);
  }

  async post(actor: Actor, path: string, body: object = {}, headers: Record<string, string> = {}) {
    const call = request(this.app.getHttpServer()).post(path).set('Authorization', `Bearer ${await this.token(actor)}`);
    for (const [header, value] of Object.entries(headers)) call.set(header, value);
    return call.send(body);
  }

  /** The case as the actor reads it through this replica. */
  async readCase(caseId: string, actor: Actor): Promise<Record<string, any>> {
    const response = await this.get(actor, `/api/v1/dibao/cases/${caseId}`);
    if (response.status !== 200) throw new Error(`${this.name}: reading case ${caseId}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  }

  /** The case's open task at `elementId`, as the actor sees it through this replica's task API. */
  async taskOf(caseId: string, elementId: string, actor: Actor): Promise<Task> {
    return until(`${this.name}: task ${elementId} of case ${caseId}`, async () => {
      const c = await this.readCase(caseId, actor);
      if (!c.processInstanceKey) return undefined;
      const listed = await this.get(actor, `/api/v1/tasks?processInstanceKey=${c.processInstanceKey}`);
      return ((listed.body.items ?? []) as Task[]).find((t) => t.elementId === elementId);
    }, (task) => task !== undefined) as Promise<Task>;
  }

  /** Claims and completes the case's task at `elementId` through this replica, as the actor. */
  async complete(caseId: string, elementId: string, actor: Actor, variables: Record<string, unknown>): Promise<void> {
    const task = await this.taskOf(caseId, elementId, actor);
    const claimed = await this.post(actor, `/api/v1/tasks/${task.userTaskKey}/claim`);
    if (claimed.status >= 300) throw new Error(`${this.name}: claiming ${elementId}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
    const done = await this.post(actor, `/api/v1/tasks/${task.userTaskKey}/complete`, { variables });
    if (done.status !== 204) throw new Error(`${this.name}: completing ${elementId}: ${done.status} ${JSON.stringify(done.body)}`);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** Polls `read` until `check` passes (work already due, done asynchronously by workers): never waits for a deadline. */
export async function until<T>(what: string, read: () => Promise<T>, check: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: T;
  for (;;) {
    last = await read();
    if (check(last)) return last;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last: ${String(JSON.stringify(last, null, 2)).slice(0, 2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
