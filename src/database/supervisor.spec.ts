import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { restartDelayMs, supervise } from './supervisor';

/** Stands for a server process: only its 'exit' event matters to the supervisor. */
const processStub = () => new EventEmitter() as unknown as ChildProcess;
const die = (child: ChildProcess) => child.emit('exit', null, 'SIGKILL');

describe('supervising a server process', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('waits 0.5 s, 1 s, 2 s … doubling, at most 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('restarts a process that died, backing off while restarts fail, and watches the new one', async () => {
    const first = processStub();
    const second = processStub();
    const outcomes: (() => Promise<ChildProcess>)[] = [() => Promise.reject(new Error('shared memory in use')), () => Promise.reject(new Error('again')), () => Promise.resolve(second)];
    const start = jest.fn(() => outcomes.shift()!());
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));

    die(first);
    await jest.advanceTimersByTimeAsync(499);
    expect(start).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(start).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(start).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(2000);
    expect(start).toHaveBeenCalledTimes(3);
    expect(lines).toEqual([
      'exited (SIGKILL); restarting in 500 ms',
      'restart failed (shared memory in use); next attempt in 1000 ms',
      'restart failed (again); next attempt in 2000 ms',
      'restarted after 3 attempt(s)',
    ]);

    // The new process dying young keeps backing off; the dead first one is not watched twice.
    start.mockImplementation(() => Promise.resolve(processStub()));
    die(second);
    expect(lines.at(-1)).toBe('exited (SIGKILL); restarting in 4000 ms');
    await supervisor.stop();
  });

  it('a process that ran a while before it died restarts after the shortest delay again', async () => {
    const first = processStub();
    const second = processStub();
    const start = jest.fn(() => Promise.resolve(second));
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));
    die(first);
    await jest.advanceTimersByTimeAsync(500);
    await jest.advanceTimersByTimeAsync(30_000);
    die(second);
    expect(lines.at(-1)).toBe('exited (SIGKILL); restarting in 500 ms');
    await supervisor.stop();
  });

  it('leaves a clean exit (code 0: a shutdown someone asked for) alone', async () => {
    const first = processStub();
    const start = jest.fn(() => Promise.resolve(processStub()));
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));
    first.emit('exit', 0, null);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();
    expect(lines).toEqual(['stopped (exit code 0): not restarted']);
    await supervisor.stop();
  });

  it('restarts a process that exited with an error code', async () => {
    const first = processStub();
    const start = jest.fn(() => Promise.resolve(processStub()));
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));
    first.emit('exit', 1, null);
    await jest.advanceTimersByTimeAsync(500);
    expect(start).toHaveBeenCalledTimes(1);
    expect(lines[0]).toBe('exited (code 1); restarting in 500 ms');
    await supervisor.stop();
  });

  it('restarts nothing once stopped: neither a death after stop() nor a restart pending at stop()', async () => {
    const first = processStub();
    const start = jest.fn(() => Promise.resolve(processStub()));
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));
    die(first);
    await supervisor.stop();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();

    const other = processStub();
    const stopped = supervise(other, start, (line) => lines.push(line));
    await stopped.stop();
    die(other);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).not.toHaveBeenCalled();
    expect(lines).toEqual(['exited (SIGKILL); restarting in 500 ms']);
  });

  it('stop() waits for a restart under way, and a process it brings up is not watched', async () => {
    const first = processStub();
    let ready!: (child: ChildProcess) => void;
    const late = processStub();
    const start = jest.fn(() => new Promise<ChildProcess>((resolve) => (ready = resolve)));
    const lines: string[] = [];
    const supervisor = supervise(first, start, (line) => lines.push(line));
    die(first);
    await jest.advanceTimersByTimeAsync(500);
    let stopDone = false;
    const stopping = supervisor.stop().then(() => (stopDone = true));
    await jest.advanceTimersByTimeAsync(0);
    expect(stopDone).toBe(false);
    ready(late);
    await stopping;
    die(late);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(start).toHaveBeenCalledTimes(1);
    expect(lines).toEqual(['exited (SIGKILL); restarting in 500 ms']);
  });
});
