import type { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Client } from 'pg';
import { createApp } from '../../src/app.factory';
import type { AppOptions } from '../../src/app.module';
import { signDevToken } from '../../src/auth/dev-token';
import { startEngineServer, type EngineServer } from '../../src/engine/engine-server';
import type { Role } from '../../src/auth/roles';
import { AppConfig, loadConfig } from '../../src/config/app-config';

/** A database of its own for one test file, on the run's server, migrated by the app at start-up. */
export async function createTestDatabase(): Promise<string> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) throw new Error('DATABASE_URL is not set: run the tests through jest (global setup)');
  const name = `doudi_t_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: serverUrl });
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

/** Starts the app on a fresh database; with `withEngine`, an embedded engine on the same database serves it, as in `npm start`. */
export async function startTestApp(env: Record<string, string> = {}, options: AppOptions & { withEngine?: boolean } = {}): Promise<TestApp> {
  const { withEngine, ...appOptions } = options;
  const databaseUrl = await createTestDatabase();
  const engine = withEngine ? await startEngineServer({ databaseUrl, port: 0 }) : undefined;
  const config = testConfig(databaseUrl, engine ? { ZEEBE_REST_ADDRESS: engine.url, ...env } : env);
  const logs = new LogCapture();
  const app = await createApp(config, { logDestination: logs, ...appOptions });
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
