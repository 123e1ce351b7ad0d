import { Camunda8 } from '@camunda8/sdk';
import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import type { CamundaClient } from '../../src/workflow/camunda-client';
import { createTestDatabase } from './test-app';

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
  return new Camunda8({
    ZEEBE_REST_ADDRESS: address,
    CAMUNDA_AUTH_STRATEGY: 'NONE',
    CAMUNDA_SDK_VALIDATION: 'req:strict,res:strict',
    CAMUNDA_SDK_LOG_LEVEL: 'error',
  } as never).getOrchestrationClusterApiClient();
}

export async function startEngineUnderTest(target: EngineTarget): Promise<EngineUnderTest> {
  if (!target.embedded) {
    const address = target.address!;
    return { camunda: strictClient(address), address, close: async () => undefined };
  }
  const databaseUrl = await createTestDatabase();
  const server = await startEngineServer({ databaseUrl, port: 0 });
  return { camunda: strictClient(server.url), address: server.url, server, databaseUrl, close: () => server.close() };
}
