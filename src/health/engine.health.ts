import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';

const TIMEOUT_MS = 3_000;

/** The workflow engine is up when it answers GET /v2/topology. */
@Injectable()
export class EngineHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly config: AppConfig,
    @Inject(CAMUNDA_CLIENT) private readonly client: CamundaClient,
  ) {}

  async check(key: string) {
    const indicator = this.health.check(key);
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      });
      const topology = await Promise.race([this.client.getTopology(), timeout]);
      return indicator.up({ address: this.config.ZEEBE_REST_ADDRESS, gatewayVersion: topology.gatewayVersion, brokers: topology.brokers.length });
    } catch (error) {
      return indicator.down({ address: this.config.ZEEBE_REST_ADDRESS, message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
