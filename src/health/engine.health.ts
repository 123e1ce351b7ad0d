import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfig } from '../config/app-config';
import { CAMUNDA_CLIENT, CamundaClient } from '../workflow/camunda-client';

const TIMEOUT_MS = 3_000;

/**
 * The workflow engine is up when GET /v2/topology answers and every partition it lists is healthy: a gateway that
 * answers while its partitions cannot work (the embedded engine without its database) is down.
 */
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
      // A partition works when one of its replicas leads it and is healthy (a follower down is redundancy lost, not an outage).
      const replicas = topology.brokers.flatMap((broker) => broker.partitions);
      const ids = [...new Set(replicas.map((p) => p.partitionId))];
      const failing = ids.filter((id) => !replicas.some((p) => p.partitionId === id && p.role === 'leader' && p.health === 'healthy'));
      const details = { address: this.config.ZEEBE_REST_ADDRESS, gatewayVersion: topology.gatewayVersion, brokers: topology.brokers.length };
      if (ids.length === 0) return indicator.down({ ...details, message: 'no partitions' });
      if (failing.length > 0) return indicator.down({ ...details, message: `no healthy leader for partition ${failing.join(', ')}` });
      return indicator.up(details);
    } catch (error) {
      return indicator.down({ address: this.config.ZEEBE_REST_ADDRESS, message: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }
}
