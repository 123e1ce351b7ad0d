import { spawn, type ChildProcess } from 'node:child_process';
import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import { FORM_SUBMISSION } from '../../src/tasks/task-listeners';
import { type CamundaClient, camundaClient } from '../../src/workflow/camunda-client';
import { freePort } from './free-port';
import { createTestDatabase, migrationUrlOf } from './test-app';

export { freePort };

/**
 * The engines a conformance test runs against: always the embedded one (on a fresh test database), and a real
 * Camunda 8.8 when CAMUNDA_REST_ADDRESS or ZEEBE_REST_ADDRESS points at one. Every call goes through the SDK with
 * request and response validation strict, so each answer is checked against Camunda's own API contract.
 */
export interface EngineTarget {
  name: string;
  /** Undefined when the target is not available here; the suite prints a visible skip line. */
  address?: string;
  embedded: boolean;
}

export const REAL_CAMUNDA_ADDRESS = process.env.CAMUNDA_REST_ADDRESS ?? process.env.ZEEBE_REST_ADDRESS;

export const ENGINE_TARGETS: EngineTarget[] = [
  { name: 'embedded engine', embedded: true },
  { name: `real Camunda 8.8${REAL_CAMUNDA_ADDRESS ? ` at ${REAL_CAMUNDA_ADDRESS}` : ' (skipped: set CAMUNDA_REST_ADDRESS to run)'}`, address: REAL_CAMUNDA_ADDRESS, embedded: false },
];

export interface EngineUnderTest {
  camunda: CamundaClient;
  address: string;
  /** The embedded server, to reach into its clock or restart it; undefined against a real cluster. */
  server?: EngineServer;
  databaseUrl?: string;
  close(): Promise<void>;
}

export function strictClient(address: string): CamundaClient {
  return camundaClient({ CAMUNDA_REST_ADDRESS: address, CAMUNDA_AUTH_STRATEGY: 'NONE', CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict', CAMUNDA_SDK_LOG_LEVEL: 'error' });
}

/**
 * A completion by a client of the engine other than our task API (Tasklist, a script), the way issue 20 lets one
 * pass the task listeners: claimed by `assignee`, the form's values declared on the task (FORM_SUBMISSION: Camunda
 * 8.8's listeners cannot see a completion's own variables), then completed with the same values. Rejects as the
 * engine does (409 with the listener's reason when denied).
 */
export async function completeThroughEngine(
  client: CamundaClient,
  task: { userTaskKey: string; elementInstanceKey: string },
  assignee: string,
  values: Record<string, unknown>,
  /** What is declared on the task, when not `values`; null: nothing (as Tasklist does). */
  declared: Record<string, unknown> | null = values,
): Promise<void> {
  const userTaskKey = task.userTaskKey as never;
  await client.assignUserTask({ userTaskKey, assignee, allowOverride: true });
  if (declared) {
    await client.createElementInstanceVariables({ elementInstanceKey: task.elementInstanceKey as never, variables: { [FORM_SUBMISSION]: { userTaskKey: task.userTaskKey, values: declared } }, local: true });
  }
  await client.completeUserTask({ userTaskKey, variables: values });
}

export async function startEngineUnderTest(target: EngineTarget): Promise<EngineUnderTest> {
  if (!target.embedded) {
    const address = target.address!;
    return { camunda: strictClient(address), address, close: async () => undefined };
  }
  const databaseUrl = await createTestDatabase();
  const server = await startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 });
  return { camunda: strictClient(server.url), address: server.url, server, databaseUrl, close: () => server.close() };
}

/** `npm run engine`'s entry point as a child process of its own, so it can be killed for real. */
export async function startEngineProcess(databaseUrl: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/engine/main.ts'], {
    env: { ...process.env, DATABASE_URL: databaseUrl, DATABASE_MIGRATION_URL: migrationUrlOf(databaseUrl), EMBEDDED_ENGINE_PORT: String(port), NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('embedded engine: Camunda 8.8 REST API')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`engine exited with ${code} before it was ready:\n${output}`)));
  });
  return child;
}

export function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
