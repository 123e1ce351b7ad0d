import { Camunda8 } from '@camunda8/sdk';
import type { FactoryProvider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

export type CamundaClient = ReturnType<Camunda8['getOrchestrationClusterApiClient']>;

/** Injection token of the Camunda 8.8 orchestration-cluster REST client, the service's only way to its engine. */
export const CAMUNDA_CLIENT = Symbol('CAMUNDA_CLIENT');

export const camundaClientProvider: FactoryProvider<CamundaClient> = {
  provide: CAMUNDA_CLIENT,
  inject: [AppConfig],
  useFactory: (config: AppConfig) =>
    new Camunda8({
      ZEEBE_REST_ADDRESS: config.ZEEBE_REST_ADDRESS,
      CAMUNDA_AUTH_STRATEGY: config.CAMUNDA_AUTH_STRATEGY,
      CAMUNDA_TENANT_ID: config.CAMUNDA_TENANT_ID,
      CAMUNDA_OAUTH_URL: config.CAMUNDA_OAUTH_URL,
      ZEEBE_CLIENT_ID: config.CAMUNDA_CLIENT_ID,
      ZEEBE_CLIENT_SECRET: config.CAMUNDA_CLIENT_SECRET,
      CAMUNDA_BASIC_AUTH_USERNAME: config.CAMUNDA_BASIC_AUTH_USERNAME,
      CAMUNDA_BASIC_AUTH_PASSWORD: config.CAMUNDA_BASIC_AUTH_PASSWORD,
    }).getOrchestrationClusterApiClient(),
};
