import { type CamundaClient, createCamundaClient } from '@camunda8/orchestration-cluster-api';
import type { LogEvent, LogTransport } from '@camunda8/orchestration-cluster-api/logger';
import { type FactoryProvider, Logger } from '@nestjs/common';
import { LogRateLimiter } from '../common/log-rate-limit';
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
export function camundaClient(settings: Record<string, string | undefined>, transport: LogTransport = sdkLogTransport()): CamundaClient {
  return createCamundaClient({
    env: {},
    config: Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as never,
    // Without a transport the SDK writes to the console, past pino and its ID-number mask.
    log: { level: (settings.CAMUNDA_SDK_LOG_LEVEL as never) ?? 'warn', transport },
  });
}

/** Nest's Logger (through nestjs-pino: fields, then the message). */
interface LineSink {
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

/**
 * The SDK's log events as lines of our logger (pino: JSON, the mask, the error serializer). Warnings and errors only,
 * rate-limited per cause: while the engine or its database is away every worker fails its poll again and again
 * (the SDK polls again after 1 ms), which once made ≈470 lines a second.
 */
export function sdkLogTransport(sink: LineSink = new Logger('camunda-sdk'), limiter = sharedLimiter): LogTransport {
  return (event: LogEvent) => {
    if (event.level !== 'error' && event.level !== 'warn') return;
    const [first, ...rest] = event.args;
    const what = event.code ?? (typeof first === 'string' ? first : 'sdk');
    const err = [first, ...rest, event.data].find((arg) => arg instanceof Error || (typeof arg === 'object' && arg !== null && 'message' in arg)) as
      | { message?: unknown; code?: unknown; status?: unknown }
      | undefined;
    // The worker's name (scope) is the same in every worker: the cause is what failed and why.
    const cause = `${event.level}|${what}|${String(err?.status ?? '')}|${String(err?.code ?? '')}|${String(err?.message ?? '')}`;
    const suppressed = limiter.admit(cause);
    if (suppressed === undefined) return;
    sink[event.level]({ scope: event.scope, ...(err ? { err } : {}), ...(suppressed ? { suppressedRepeats: suppressed } : {}) }, `camunda sdk: ${what}`);
  };
}

const sharedLimiter = new LogRateLimiter();

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
