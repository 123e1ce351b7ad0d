import { type CamundaClient, createCamundaClient } from '@camunda8/orchestration-cluster-api';
import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export type { CamundaClient };

/** Injection token of the Camunda 8.8 orchestration-cluster REST client, the service's only way to its engine. */
export const CAMUNDA_CLIENT = Symbol('CAMUNDA_CLIENT');

/**
 * Injection token of the client the job workers poll with. It is a client of its own because the SDK's backpressure
 * gate (profile BALANCED: 16 permits) counts every long-polling `activateJobs` as a request in flight: with more
 * job types than permits, the workers and every API call behind them would wait up to a whole poll (20 s). The
 * workers' client observes backpressure only (LEGACY); the API's client keeps the gate.
 */
export const CAMUNDA_WORKER_CLIENT = Symbol('CAMUNDA_WORKER_CLIENT');

/**
 * The 8.8 REST client of `@camunda8/sdk` (what `Camunda8.getOrchestrationClusterApiClient()` returns), created
 * directly: the SDK's wrapper drops every `CAMUNDA_SDK_*` option (backpressure, validation) on the way. Only our
 * validated config reaches it, never ambient environment variables.
 */
export function camundaClient(settings: Record<string, string | undefined>): CamundaClient {
  return createCamundaClient({ env: {}, config: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as never });
}

function serviceClient(config: AppConfig, backpressureProfile: 'BALANCED' | 'LEGACY'): CamundaClient {
  return camundaClient({
    CAMUNDA_REST_ADDRESS: config.ZEEBE_REST_ADDRESS,
    CAMUNDA_AUTH_STRATEGY: config.CAMUNDA_AUTH_STRATEGY,
    CAMUNDA_DEFAULT_TENANT_ID: config.CAMUNDA_TENANT_ID,
    CAMUNDA_OAUTH_URL: config.CAMUNDA_OAUTH_URL,
    CAMUNDA_CLIENT_ID: config.CAMUNDA_CLIENT_ID,
    CAMUNDA_CLIENT_SECRET: config.CAMUNDA_CLIENT_SECRET,
    CAMUNDA_BASIC_AUTH_USERNAME: config.CAMUNDA_BASIC_AUTH_USERNAME,
    CAMUNDA_BASIC_AUTH_PASSWORD: config.CAMUNDA_BASIC_AUTH_PASSWORD,
    CAMUNDA_SDK_BACKPRESSURE_PROFILE: backpressureProfile,
  });
}

export const camundaClientProvider: FactoryProvider<CamundaClient> = {
  provide: CAMUNDA_CLIENT,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => serviceClient(config, 'BALANCED'),
};

export const camundaWorkerClientProvider: FactoryProvider<CamundaClient> = {
  provide: CAMUNDA_WORKER_CLIENT,
  inject: [AppConfig],
  useFactory: (config: AppConfig) => serviceClient(config, 'LEGACY'),
};
