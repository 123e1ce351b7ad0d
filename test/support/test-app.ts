import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import type { AppOptions } from '../../src/app.module';
import { serviceClock } from '../../src/common/clock';
import { signDevToken } from '../../src/auth/dev-token';
import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import type { Role } from '../../src/auth/roles';
import { AppConfig, loadConfig } from '../../src/config/app-config';

/** `url` with its database replaced by the one `databaseUrl` names. */
function onDatabaseOf(url: string, databaseUrl: string): string {
  const result = new URL(url);
  result.pathname = new URL(databaseUrl).pathname;
  return result.toString();
}

/**
 * The schema owner's connection to the database of `databaseUrl` (a service-role URL of this run), for migrations and
 * for tests that need the owner's powers; `databaseUrl` itself when the run has one role only.
 */
export function migrationUrlOf(databaseUrl: string): string {
  const ownerUrl = process.env.DATABASE_MIGRATION_URL;
  return ownerUrl ? onDatabaseOf(ownerUrl, databaseUrl) : databaseUrl;
}

/**
 * A database of its own for one test file, on the run's server, migrated by the app at start-up: created (and so
 * owned) by the owner role; the service role's URL to it is returned.
 */
export async function createTestDatabase(): Promise<string> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set: run the tests through jest (global setup)');
  const name = `doudi_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: migrationUrlOf(serverUrl) });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Collects every log line the app writes. */
export class LogCapture extends Writable {
  readonly lines: string[] = [];
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  }
  get text(): string {
    return this.lines.join('\n');
  }
}

export function testConfig(databaseUrl: string, env: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl,
    DATABASE_MIGRATION_URL: migrationUrlOf(databaseUrl),
    // Nothing listens on port 1: the engine is down unless a test points elsewhere.
    ZEEBE_REST_ADDRESS: process.env.ZEEBE_REST_ADDRESS ?? 'http://127.0.0.1:1',
    ...env,
  });
}

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  logs: LogCapture;
  databaseUrl: string;
  /** The embedded engine, when the app was started with one. */
  engine?: EngineServer;
  token(roles: Role[], region: string, sub?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Starts the app on a fresh database; with `withEngine`, an embedded engine on the same database serves it, as in
 * `npm start`; with `clockAsStarted` too, the service's clock is chosen as main.ts chooses it (the engine's outside production);
 * `engineClockAt` pins the engine's clock before the models are deployed.
 */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions & { withEngine?: boolean; clockAsStarted?: boolean; engineClockAt?: Date } = {}): Promise<TestApp> {
  const { withEngine, clockAsStarted, engineClockAt, ...appOptions } = options;
  const databaseUrl = await createTestDatabase();
  const engine = withEngine ? await startEngineServer({ databaseUrl, migrationUrl: migrationUrlOf(databaseUrl), port: 0 }) : undefined;
  // Pinned before the app deploys: timer start events are scheduled from the engine's clock at deployment.
  if (engine && engineClockAt) await engine.engine.pinClock(engineClockAt.getTime());
  const config = testConfig(databaseUrl, engine ? { ZEEBE_REST_ADDRESS: engine.url, ...env } : env);
  const logs = new LogCapture();
  const app = await createApp(config, { logDestination: logs, ...(clockAsStarted ? { clock: serviceClock(config, engine?.engine) } : {}), ...appOptions });
  await app.init();
  return {
    app,
    config,
    logs,
    databaseUrl,
    engine,
    token: (roles, region, sub = 'tester') => signDevToken(config.AUTH_JWT_SECRET!, { sub, roles, region }),
    close: async () => {
      await app.close();
      await engine?.close();
    },
  };
}
