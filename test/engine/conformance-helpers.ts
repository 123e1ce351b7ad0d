import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CamundaClient } from '../../src/workflow/camunda-client';
import { ENGINE_TARGETS, type EngineTarget, type EngineUnderTest, startEngineUnderTest } from '../support/engine';

/**
 * Shared plumbing of the engine conformance suites: fixtures made unique per use, deployment, and polling reads
 * (a real cluster's search side is eventually consistent; the embedded engine answers at once).
 */

export type Camunda = CamundaClient;
type Job = Awaited<ReturnType<Camunda['activateJobs']>>['jobs'][number];
type UserTask = Awaited<ReturnType<Camunda['searchUserTasks']>>['items'][number];
type Incident = NonNullable<Awaited<ReturnType<Camunda['searchIncidents']>>['items']>[number];
type ProcessInstance = Awaited<ReturnType<Camunda['getProcessInstance']>>;
type Variable = Awaited<ReturnType<Camunda['searchVariables']>>['items'][number];

/** How long a read waits for the search side of a real cluster to catch up. */
export const EVENTUALLY_MS = 15_000;

/**
 * Runs `body` once per engine target with one engine for the whole describe; a target that is not available
 * (no real Camunda configured) prints a visible skipped line.
 */
export function describeEngines(title: string, body: (engine: () => EngineUnderTest) => void): void {
  describe.each(ENGINE_TARGETS.map((t) => [t.name, t] as [string, EngineTarget]))(`${title} — %s`, (_, target) => {
    if (!target.embedded && !target.address) {
      describe.skip('not available', () => test('skipped', () => undefined));
      return;
    }
    let engine: EngineUnderTest | undefined;
    beforeAll(async () => {
      engine = await startEngineUnderTest(target);
    });
    afterAll(async () => {
      await engine?.close();
    });
    body(() => engine!);
  });
}

export function uniqueSuffix(): string {
  return `${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}

/**
 * A fixture from test/engine/models: every name starting with `conf-` (process ids, job types, message names,
 * form ids) gets a suffix of its own, so runs and tests never meet each other's instances or jobs.
 */
export interface Fixture {
  name: string;
  text: string;
  /** The name a `conf-…` identifier of the fixture has in this copy. */
  id(name: string): string;
  file(): File;
}

export function fixture(fileName: string, suffix = uniqueSuffix()): Fixture {
  const raw = readFileSync(join(__dirname, 'models', fileName), 'utf8');
  const id = (name: string) => `${name}-${suffix}`;
  const text = raw.replace(/\bconf-[A-Za-z0-9_.-]*[A-Za-z0-9_]/g, (name) => id(name));
  return { name: fileName, text, id, file: () => new File([text], fileName) };
}

export async function deploy(camunda: Camunda, ...fixtures: Fixture[]) {
  return camunda.createDeployment({ resources: fixtures.map((f) => f.file()) });
}

/** Polls a search until `ready` holds for its items; returns them. */
export async function searchUntil<T>(
  search: (consistency: { consistency: { waitUpToMs: number; predicate: (r: { items?: T[] }) => boolean } }) => PromiseLike<{ items?: T[] }>,
  ready: (items: T[]) => boolean = (items) => items.length > 0,
  waitUpToMs = EVENTUALLY_MS,
): Promise<T[]> {
  const result = await search({ consistency: { waitUpToMs, predicate: (r) => ready(r.items ?? []) } });
  return result.items ?? [];
}

/** Activates jobs of a type, long-polling until at least `count` came (or the wait ran out: fewer). */
export async function activate(camunda: Camunda, type: string, options: { count?: number; timeout?: number; worker?: string; fetchVariable?: string[]; waitMs?: number } = {}): Promise<Job[]> {
  const count = options.count ?? 1;
  const deadline = Date.now() + (options.waitMs ?? EVENTUALLY_MS);
  const jobs: Job[] = [];
  while (jobs.length < count && Date.now() < deadline) {
    const { jobs: got } = await camunda.activateJobs({
      type,
      worker: options.worker ?? 'conformance',
      timeout: options.timeout ?? 60_000,
      maxJobsToActivate: count - jobs.length,
      fetchVariable: options.fetchVariable,
      requestTimeout: Math.max(Math.min(deadline - Date.now(), 5_000), 100),
    });
    jobs.push(...got);
  }
  return jobs;
}

/** Exactly one job of the type, waiting for it. */
export async function activateOne(camunda: Camunda, type: string, options: { timeout?: number; worker?: string; fetchVariable?: string[] } = {}): Promise<Job> {
  const [job] = await activate(camunda, type, options);
  if (!job) throw new Error(`no job of type ${type} became activatable`);
  return job;
}

/** One short activation: what is activatable right now (an empty list proves nothing is). */
export async function activateNow(camunda: Camunda, type: string, count = 10, timeout = 60_000): Promise<Job[]> {
  const { jobs } = await camunda.activateJobs({ type, worker: 'conformance', timeout, maxJobsToActivate: count, requestTimeout: 500 });
  return jobs;
}

export async function completeJob(camunda: Camunda, type: string, variables: Record<string, unknown> = {}): Promise<Job> {
  const job = await activateOne(camunda, type);
  await camunda.completeJob({ jobKey: job.jobKey, variables });
  return job;
}

export async function userTasks(camunda: Camunda, filter: Record<string, unknown>, ready?: (items: UserTask[]) => boolean): Promise<UserTask[]> {
  return searchUntil<UserTask>((c) => camunda.searchUserTasks({ filter } as never, c as never), ready);
}

export async function userTaskOf(camunda: Camunda, processInstanceKey: string, elementId?: string): Promise<UserTask> {
  const [task] = await userTasks(camunda, { processInstanceKey, state: 'CREATED', ...(elementId ? { elementId } : {}) });
  return task!;
}

export async function incidents(camunda: Camunda, filter: Record<string, unknown>, ready?: (items: Incident[]) => boolean): Promise<Incident[]> {
  return searchUntil<Incident>((c) => camunda.searchIncidents({ filter } as never, c as never), ready);
}

/** A process instance once `ready` holds for it (e.g. its state). */
export async function instanceWhen(camunda: Camunda, processInstanceKey: string, ready: (pi: ProcessInstance) => boolean): Promise<ProcessInstance> {
  const [pi] = await searchUntil<ProcessInstance>(
    (c) => camunda.searchProcessInstances({ filter: { processInstanceKey } } as never, c as never) as never,
    (items) => items.length === 1 && ready(items[0]!),
  );
  return pi!;
}

export const completed = (camunda: Camunda, key: string) => instanceWhen(camunda, key, (pi) => pi.state === 'COMPLETED');

/** The variables of one scope (the process instance itself unless `scopeKey`), values parsed from their JSON. */
export async function variablesOf(camunda: Camunda, processInstanceKey: string, ready: (vars: Record<string, unknown>) => boolean = () => true, scopeKey = processInstanceKey) {
  let parsed: Record<string, unknown> = {};
  await searchUntil<Variable>(
    (c) => camunda.searchVariables({ filter: { processInstanceKey, scopeKey }, page: { limit: 1000 } } as never, c as never),
    (items) => {
      parsed = Object.fromEntries(items.map((v) => [v.name, JSON.parse(v.value!)]));
      return ready(parsed);
    },
  );
  return parsed;
}

export async function createInstance(camunda: Camunda, processDefinitionId: string, variables: Record<string, unknown> = {}) {
  const { processInstanceKey } = await camunda.createProcessInstance({ processDefinitionId: processDefinitionId as never, variables });
  return processInstanceKey;
}

/** The HTTP status and problem detail of a call expected to be refused. */
export async function rejectionOf(call: Promise<unknown>): Promise<{ status?: number; detail: string }> {
  try {
    await call;
  } catch (error) {
    const e = error as { status?: number; statusCode?: number; response?: { status?: number }; body?: { status?: number; detail?: string }; detail?: string; message?: string };
    return { status: e.status ?? e.statusCode ?? e.response?.status ?? e.body?.status, detail: String(e.body?.detail ?? e.detail ?? e.message ?? error) };
  }
  throw new Error('the call was expected to be refused, but it succeeded');
}
