/**
 * A worker process of a bench scenario (bench/communication-worker.ts,
 * bench/client-worker.ts): started with the tsx loader, it prints READY once
 * launched, answers `clock` on stdin with `CLOCK <epoch ms>` (so the offset
 * between the two processes' clocks can be measured), and ends on `stop`.
 * Never left behind: a hard time limit, and killed when this process exits.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

/** Epoch ms with performance.now()'s resolution, comparable across the processes of one machine. */
export const preciseNow = () => performance.timeOrigin + performance.now();

/** A bench worker process: its script, run with the tsx loader, talking over stdin/stdout. */
export class BenchChild {
  private readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private readonly exited: Promise<number | null>;
  private readonly timer: NodeJS.Timeout;

  /** `script`: relative to the project folder; `env`: added to this process's environment; `hardLimitMs`: killed after. */
  constructor(script: string, env: Record<string, string>, hardLimitMs = 120_000) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--no-warnings', script], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.on('error', () => undefined); // a child that already died: its exit code tells
    live.add(this);
    this.timer = setTimeout(() => this.child.kill('SIGKILL'), hardLimitMs); // a hang, not a bench
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        clearTimeout(this.timer);
        live.delete(this);
        resolve(code);
      }),
    );
  }

  private async line(prefix: string, after: number): Promise<{ text: string; end: number }> {
    const exitedEarly = this.exited.then((code) => {
      throw new Error(`Bench child exited (${code}) while awaited for ${prefix}:\n${this.output}`);
    });
    for (;;) {
      const at = this.output.indexOf(prefix, after);
      const end = at < 0 ? -1 : this.output.indexOf('\n', at);
      if (end >= 0) return { text: this.output.slice(at + prefix.length, end).trim(), end };
      await Promise.race([sleep(1), exitedEarly]);
    }
  }

  /** The rest of the first line the child prints starting with `prefix`. */
  async lineAfter(prefix: string): Promise<string> {
    return (await this.line(prefix, 0)).text;
  }

  /** Resolves once the child has launched durably and started the receiver workflow. */
  async ready(): Promise<void> {
    await this.line('READY', 0);
  }

  /**
   * The offset of the child's clock from ours (child − ours), by the exchange
   * with the shortest round trip over the pipe: [offset, that round trip].
   */
  async clockOffset(exchanges = 30): Promise<{ offsetMs: number; pipeRoundTripMs: number }> {
    let best = { offsetMs: 0, pipeRoundTripMs: Infinity };
    for (let i = 0; i < exchanges; i++) {
      const from = this.output.length;
      const sent = preciseNow();
      this.child.stdin.write('clock\n');
      const { text } = await this.lineWithoutPolling('CLOCK ', from);
      const received = preciseNow();
      if (received - sent < best.pipeRoundTripMs) {
        best = { offsetMs: Number(text) - (sent + received) / 2, pipeRoundTripMs: received - sent };
      }
    }
    return best;
  }

  /** Like line(), woken by the child's output itself rather than a 1 ms poll (for the clock exchange). */
  private lineWithoutPolling(prefix: string, after: number): Promise<{ text: string }> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const at = this.output.indexOf(prefix, after);
        const end = at < 0 ? -1 : this.output.indexOf('\n', at);
        if (end < 0) return;
        this.child.stdout.off('data', check);
        resolve({ text: this.output.slice(at + prefix.length, end).trim() });
      };
      // Registered after the output collector, so it sees the chunk appended.
      this.child.stdout.on('data', check);
      this.exited.then((code) => reject(new Error(`Bench child exited (${code}):\n${this.output}`)));
      check();
    });
  }

  async stop(): Promise<void> {
    this.child.stdin.end('stop\n');
    const code = await this.exited;
    if (code !== 0) throw new Error(`Bench child exited with ${code}:\n${this.output}`);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

const live = new Set<BenchChild>();
process.on('exit', () => {
  for (const child of live) child.kill();
});
