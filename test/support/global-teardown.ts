import { rmSync } from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { embeddedPostgres?: { stop(): Promise<void>; dir: string } }).embeddedPostgres;
  if (!server) return;
  await server.stop();
  rmSync(server.dir, { recursive: true, force: true });
}
