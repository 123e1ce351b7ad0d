/*
 * `npm run bench:web`: the workbench's size and speed. Prints every built asset with its gzip size, the compressed
 * bytes of the first page (what /signin loads before anyone signs in) and of everything, then — in Debian's chromium
 * against the whole service on the embedded engine — how long the sign-in page and a caseworker's My tasks take to be
 * usable (target: first page interactive in < 2 s). Numbers, not a pass/fail test.
 */
import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/app-config';
import { startEngineServer } from '../src/engine/engine-server';
import { launchChromium } from '../test/support/browser';
import { startEmbeddedPostgres } from '../src/database/embedded-postgres';
import { freePort } from '../test/support/free-port';
import { runBenchmark } from './bench-database';

const DIR = 'dist/web';
const RUNS = Number(process.env.BENCH_WEB_RUNS ?? 7);

const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

function sizes(): void {
  const files = readdirSync(join(DIR, 'assets')).map((name) => join('assets', name));
  files.unshift('index.html');
  const rows = files.map((f) => ({ file: f, raw: statSync(join(DIR, f)).size, gzip: gz(join(DIR, f)) })).sort((a, b) => b.gzip - a.gzip);
  const html = readFileSync(join(DIR, 'index.html'), 'utf8');
  const first = new Set(['index.html', ...[...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!)]);
  console.log('asset'.padEnd(44), 'raw'.padStart(10), 'gzip'.padStart(10));
  for (const r of rows) console.log(`${first.has(r.file) ? '*' : ' '} ${r.file.padEnd(42)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)}`);
  const sum = (rs: typeof rows) => rs.reduce((n, r) => n + r.gzip, 0);
  console.log(`first page (*, before sign-in): ${kb(sum(rows.filter((r) => first.has(r.file))))} gzip; whole workbench: ${kb(sum(rows))} gzip (fonts and images included)`);
}

function stats(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `min ${sorted[0]!.toFixed(0)} ms, median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms, max ${sorted[sorted.length - 1]!.toFixed(0)} ms`;
}

async function main(): Promise<void> {
  sizes();
  // A PostgreSQL of its own on a free port (another benchmark may hold the usual one): the data are a handful of rows.
  const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres(`.data/bench-web-${process.pid}`, await freePort(), 'doudi_bench_web');
  const databaseUrl = server?.migrationUrl ?? process.env.DATABASE_MIGRATION_URL ?? process.env.DATABASE_URL!;
  try {
    const engine = await startEngineServer({ databaseUrl, port: 0, log: { info: () => undefined, warn: () => undefined, error: console.error } as never });
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'warn', DATABASE_URL: databaseUrl, ZEEBE_REST_ADDRESS: engine.url, DEMO_DATA: 'off' });
    let app: INestApplication | undefined;
    const chromium = await launchChromium();
    try {
      app = await createApp(config);
      await app.listen(0, '127.0.0.1');
      const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
      const signInPage: number[] = [];
      const domInteractive: number[] = [];
      const taskList: number[] = [];
      for (let run = 0; run <= RUNS; run++) {
        // A fresh context each time: nothing cached, as on a caseworker's first visit.
        const context = await chromium.browser.newContext({ locale: 'zh-CN' });
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${base}/signin`);
        await page.locator('button[data-sub]').first().waitFor();
        const ready = performance.now() - started;
        const interactive = Number(await page.evaluate('performance.getEntriesByType("navigation")[0].domInteractive'));
        const signingIn = performance.now();
        await page.locator('button[data-sub="demo-township-caseworker-410821100"]').click();
        await page.locator('table.tasks').waitFor();
        const list = performance.now() - signingIn;
        await context.close();
        // The first run warms the service (its first queries, the JIT): not counted.
        if (run === 0) continue;
        signInPage.push(ready);
        domInteractive.push(interactive);
        taskList.push(list);
      }
      console.log(`sign-in page usable (demo users listed), cold cache, ${RUNS} runs: ${stats(signInPage)}`);
      console.log(`  of which DOM interactive: ${stats(domInteractive)}`);
      console.log(`sign-in click to My tasks listed: ${stats(taskList)}`);
    } finally {
      await chromium.close();
      await app?.close();
      await engine.close();
    }
  } finally {
    await server?.stop();
    if (server) rmSync(`.data/bench-web-${process.pid}`, { recursive: true, force: true });
  }
}

runBenchmark(main);
