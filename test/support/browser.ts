import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

const WEB_SOURCES = ['web', 'package-lock.json'];
const BUILT = 'dist/web/index.html';

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds the workbench (vite) when dist/web is missing or older than its sources: `npx jest test/workbench…` works alone. */
export function ensureWebBuilt(): void {
  if (existsSync(BUILT) && statSync(BUILT).mtimeMs >= Math.max(...WEB_SOURCES.map(newest))) return;
  // NODE_ENV=production: under jest it is `test`, and Vite would build React's development bundle.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', '--config', 'web/vite.config.mts', '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
}

export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface LaunchedBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Debian's chromium (CHROMIUM_PATH overrides /usr/bin/chromium) through playwright-core, headless, never a downloaded
 * browser. Playwright gives every launch a fresh profile of its own (a mkdtemp'd --user-data-dir it removes on close;
 * it refuses one passed in args), and every context of it fresh storage: one context per person signing in.
 */
export async function launchChromium(): Promise<LaunchedBrowser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (!existsSync(executablePath)) throw new Error(`no chromium at ${executablePath}: install Debian's chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  const browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  return { browser, close: () => browser.close() };
}
