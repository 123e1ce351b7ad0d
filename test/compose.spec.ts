import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

interface Service {
  image?: string;
  build?: string;
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as { services: Record<string, Service> };
const { services } = compose;

/** `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has. */
function composeCli(): string[] | undefined {
  for (const cli of [['docker', 'compose'], ['docker-compose']]) {
    if (spawnSync(cli[0], [...cli.slice(1), 'version'], { encoding: 'utf8' }).status === 0) return cli;
  }
  return undefined;
}

describe('docker-compose.yml', () => {
  it('runs Camunda 8.8 with Elasticsearch, PostgreSQL and the service built from the Dockerfile', () => {
    expect(Object.keys(services).sort()).toEqual(['camunda', 'doudi', 'elasticsearch', 'postgres']);
    expect(services.camunda.image).toMatch(/^camunda\/camunda:8\.8\./);
    expect(services.camunda.ports).toEqual(expect.arrayContaining(['8088:8080', '26500:26500']));
    expect(services.camunda.environment?.CAMUNDA_DATA_SECONDARYSTORAGE_ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
    expect(services.doudi.build).toBe('.');
  });

  it('gives every service a health check and starts each only after what it needs is healthy', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, healthcheck: Boolean(service.healthcheck?.test?.length) }).toEqual({ name, healthcheck: true });
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services[dependency]).toBeDefined();
        expect(condition).toBe('service_healthy');
      }
    }
    expect(Object.keys(services.doudi.depends_on ?? {}).sort()).toEqual(['camunda', 'postgres']);
  });

  it('points the service at the stack: its PostgreSQL, the Camunda REST API, production auth', () => {
    const env = services.doudi.environment ?? {};
    expect(env.DATABASE_URL).toMatch(/@postgres:5432\/doudi$/);
    expect(env.ZEEBE_REST_ADDRESS).toBe('http://camunda:8080');
    expect(env).toMatchObject({ NODE_ENV: 'production', AUTH_MODE: 'oidc' });
  });

  const cli = composeCli();
  if (!cli) console.warn('docker-compose.yml: no `docker compose` or `docker-compose` here, so `config` was not run (.ci/run installs one)');
  (cli ? it : it.skip)('is accepted by `docker compose config`', () => {
    const result = spawnSync(cli![0], [...cli!.slice(1), 'config', '-q'], { encoding: 'utf8' });
    expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
