import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { LogRateLimiter } from '../common/log-rate-limit';
import { plainLogger } from '../common/logging';
import { migrateDatabase } from '../database/data-source-options';
import { Engine } from './engine';
import { engineApp, type EngineLog } from './http';

export interface EngineServer {
  /** Base address for the SDK's `ZEEBE_REST_ADDRESS` (it appends /v2). */
  url: string;
  engine: Engine;
  close(): Promise<void>;
}

export interface EngineServerOptions {
  /** The service role's connection, which the engine runs on. */
  databaseUrl: string;
  /** The schema owner's connection, for the migrations; defaults to databaseUrl (one role). */
  migrationUrl?: string;
  /** 0 picks a free port. */
  port?: number;
  /** The embedded engine has no authentication: it listens on the loopback interface unless told otherwise. */
  host?: string;
  poolSize?: number;
  /** Where the engine's own lines go (pino: masked, errors without data); JSON on stdout by default. */
  log?: EngineLog;
}

/** Migrates the database, starts the engine (timers due meanwhile fire) and serves the /v2 API. */
export async function startEngineServer(options: EngineServerOptions): Promise<EngineServer> {
  await migrateDatabase(options.migrationUrl ?? options.databaseUrl);
  const log = options.log ?? plainLogger('embedded-engine');
  // No connection timeout: under load commands queue for a connection (a timeout turned bursts into 503s); a
  // database that is down refuses at once anyway.
  const pool = new Pool({ connectionString: options.databaseUrl, max: options.poolSize ?? 10 });
  // An idle connection cut by the server (restart, shutdown) is replaced on next use; it must not end the process.
  const lost = new LogRateLimiter();
  pool.on('error', (error) => {
    const suppressed = lost.admit(`${(error as { code?: string }).code}|${error.message}`);
    if (suppressed !== undefined) log.warn({ err: error, ...(suppressed ? { suppressedRepeats: suppressed } : {}) }, 'embedded engine: idle database connection lost');
  });
  const engine = new Engine(pool);
  await engine.start();
  const host = options.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const listening = engineApp(engine, log).listen(options.port ?? 8088, host, () => resolve(listening));
    listening.once('error', reject);
  });
  server.keepAliveTimeout = 65_000;
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    engine,
    close: async () => {
      await engine.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
