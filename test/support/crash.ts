import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Mulberry32: a small seeded PRNG, so that a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
/** A timer that does not keep the test process alive (for races against a longer wait). */
const timeout = (ms: number) => new Promise((done) => setTimeout(done, ms).unref());

export interface ServiceSettings {
  /** Folder of the embedded PostgreSQL's data (kept across restarts). */
  pgDir: string;
  /** Where each start's stdout / stderr goes (`service-<n>.log`). */
  logDir: string;
  port: number;
  pgPort: number;
  enginePort: number;
  jwtSecret: string;
}

interface ProcStat {
  pid: number;
  state: string;
  ppid: number;
  pgrp: number;
}

/** Every live (non-zombie) process of the machine, from /proc. */
function processes(): ProcStat[] {
  const result: ProcStat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') continue;
      result.push({ pid: Number(entry), state: fields[0]!, ppid: Number(fields[1]), pgrp: Number(fields[2]) });
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface CrashReport {
  generation: number;
  /** PostgreSQL processes still running after the group kill (the postmaster runs in a session of its own: src/database/embedded-postgres.ts), killed one by one. */
  strayPostgres: number;
  /** The postmaster.pid left behind: 'stale' (its pid dead: PostgreSQL starts over it), 'removed' (its pid reused by another process), 'none'. */
  lockFile: 'stale' | 'removed' | 'none';
  millis: number;
}

/**
 * The real service (`src/main.ts`: embedded PostgreSQL + embedded engine in-process) as a child process in a process
 * group of its own, started, SIGKILLed with everything it runs, and started again on the same data.
 *
 * Killing the group is not enough: the postmaster shares the group of the Node process, but PostgreSQL makes each of
 * its children (backends, checkpointer, io workers…) the leader of a session of its own, so they outlive a group
 * kill for a moment. They are found by their working directory (every process of a cluster runs in its data
 * directory) and killed too, until none is left; only then is the service started again.
 */
export class ServiceProcess {
  private child?: ChildProcess;
  private exited: Promise<void> = Promise.resolve();
  private upNow: Promise<void>;
  private markUp!: () => void;
  generation = 0;
  readonly crashes: CrashReport[] = [];
  private readonly root = resolve(__dirname, '../..');

  constructor(readonly settings: ServiceSettings) {
    this.upNow = new Promise((done) => (this.markUp = done));
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.settings.port}`;
  }

  get engineAddress(): string {
    return `http://127.0.0.1:${this.settings.enginePort}`;
  }

  get databaseUrl(): string {
    return `postgres://doudi:doudi@127.0.0.1:${this.settings.pgPort}/doudi`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Resolves once the service answers (again); pending while it is down. */
  whenUp(): Promise<void> {
    return this.upNow;
  }

  get logFile(): string {
    return join(this.settings.logDir, `service-${this.generation}.log`);
  }

  /** Starts the service and waits until GET /health answers 200 (database and engine up). */
  async start(timeoutMs = 90_000): Promise<void> {
    this.generation += 1;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // The test run's own database server and any engine address of the outer run are not this service's.
    for (const name of ['DATABASE_URL', 'DATABASE_MIGRATION_URL', 'ZEEBE_REST_ADDRESS', 'CAMUNDA_REST_ADDRESS', 'TEST_PG_PORT']) delete env[name];
    Object.assign(env, {
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      PORT: String(this.settings.port),
      EMBEDDED_PG_DIR: this.settings.pgDir,
      EMBEDDED_PG_PORT: String(this.settings.pgPort),
      EMBEDDED_ENGINE_PORT: String(this.settings.enginePort),
      AUTH_MODE: 'secret',
      AUTH_JWT_SECRET: this.settings.jwtSecret,
      DEMO_DATA: 'off',
    });
    const log = openSync(this.logFile, 'a');
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], { cwd: this.root, env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    this.child = child;
    let exitCode: number | null | undefined;
    this.exited = new Promise((done) => {
      child.once('exit', (code, signal) => {
        exitCode = code ?? (signal ? -1 : null);
        done();
      });
    });
    const until = Date.now() + timeoutMs;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`service start ${this.generation} exited (${exitCode}); log ${this.logFile}:\n${this.tail()}`);
      try {
        const health = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (health.status === 200) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > until) throw new Error(`service start ${this.generation} not healthy after ${timeoutMs} ms; log ${this.logFile}:\n${this.tail()}`);
      await sleep(100);
    }
    this.markUp();
  }

  /** SIGKILL of the service's process group, then of every PostgreSQL process of its data directory, until none is left. */
  async crash(): Promise<CrashReport> {
    const started = Date.now();
    const child = this.child;
    if (!child?.pid) throw new Error('the service is not running');
    this.upNow = new Promise((done) => (this.markUp = done));
    const pgid = child.pid;
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
    const dataDir = realpathSync(this.settings.pgDir);
    let strays = new Set<number>();
    for (;;) {
      const left = processes().filter((p) => p.pgrp === pgid || cwdOf(p.pid) === dataDir);
      for (const p of left) {
        if (p.pgrp !== pgid) strays.add(p.pid);
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (left.length === 0) break;
      if (Date.now() - started > 15_000) throw new Error(`processes of the service survive SIGKILL: ${left.map((p) => p.pid).join(', ')}`);
      await sleep(10);
    }
    await this.exited;
    this.child = undefined;
    const lockFile = this.checkLockFile();
    const report = { generation: this.generation, strayPostgres: strays.size, lockFile, millis: Date.now() - started };
    strays = new Set();
    this.crashes.push(report);
    return report;
  }

  /**
   * The postmaster.pid a killed server leaves behind is stale: PostgreSQL itself starts over it when the pid it names
   * is dead (the embedded-postgres wrapper needs nothing removed). The pid must not be alive: every process of the
   * service is gone by now, so a live one would be an unrelated process that reused the pid (pid_max is small here),
   * and PostgreSQL would refuse to start if it belongs to the postgres user; only then is the file removed.
   */
  private checkLockFile(): CrashReport['lockFile'] {
    const lock = join(this.settings.pgDir, 'postmaster.pid');
    if (!existsSync(lock)) return 'none';
    const pid = Number(readFileSync(lock, 'utf8').split('\n')[0]);
    if (!(pid > 0 && alive(pid))) return 'stale';
    rmSync(lock);
    return 'removed';
  }

  /** A graceful stop (SIGTERM: the service closes Nest, its engine and its PostgreSQL), or a kill after 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    this.upNow = new Promise((done) => (this.markUp = done));
    child.kill('SIGTERM');
    const stopped = await Promise.race([this.exited.then(() => true), timeout(30_000).then(() => false)]);
    if (!stopped) {
      await this.crash();
      return;
    }
    this.child = undefined;
    // The postmaster stops after its Node parent answered SIGTERM; wait for its last children.
    const dataDir = realpathSync(this.settings.pgDir);
    const until = Date.now() + 15_000;
    while (processes().some((p) => p.pgrp === child.pid || cwdOf(p.pid) === dataDir)) {
      if (Date.now() > until) {
        this.child = child;
        await this.crash();
        return;
      }
      await sleep(50);
    }
  }

  /**
   * Sends `signal` to the service (or to its whole process group, as Ctrl-C in a terminal does) and waits for it to
   * exit on its own: its exit code, or undefined when it had to be killed after `timeoutMs`.
   */
  async stopWith(signal: 'SIGTERM' | 'SIGINT', { group = false, timeoutMs = 30_000 } = {}): Promise<{ code: number | null; signal: string | null } | undefined> {
    const child = this.child;
    if (!child?.pid) throw new Error('the service is not running');
    this.upNow = new Promise((done) => (this.markUp = done));
    const exit = new Promise<{ code: number | null; signal: string | null }>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) done({ code: child.exitCode, signal: child.signalCode });
      else child.once('exit', (code, signalCode) => done({ code, signal: signalCode }));
    });
    if (group) process.kill(-child.pid, signal);
    else child.kill(signal);
    const result = await Promise.race([exit, timeout(timeoutMs).then(() => undefined)]);
    if (!result) {
      await this.crash();
      return undefined;
    }
    this.child = undefined;
    return result;
  }

  /** Whatever is left (after a failure): killed, never left running. */
  async kill(): Promise<void> {
    if (this.child?.pid) await this.crash().catch(() => undefined);
  }

  tail(lines = 40): string {
    try {
      return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface HttpAnswer {
  status: number;
  body: any;
  headers: Headers;
  /** Attempts cut by a crash (connection refused, reset, closed) before this answer. */
  cut: number;
}

/**
 * An integrator's HTTP client: a request cut by a crash (no answer) is sent again, the same request with the same
 * headers (so the same Idempotency-Key), once the service is back; so is a 502-504.
 */
export async function send(service: ServiceProcess, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  let cut = 0;
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${service.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await response.text();
      if ([502, 503, 504].includes(response.status) && attempt < 30) {
        await sleep(200);
        continue;
      }
      return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers, cut };
    } catch (error) {
      if (attempt >= 30) throw new Error(`${method} ${path}: no answer after ${attempt} attempts: ${(error as Error).message}`);
      cut += 1;
      await Promise.race([service.whenUp(), timeout(60_000)]);
      await sleep(50);
    }
  }
}
