/**
 * Real child processes for the process tests. A child runs
 * fixtures/worker.ts (or the fixture named by `script`) under the same Node
 * and the same TypeScript loader as the test (tsx), with the test's
 * system-database configuration as JSON in its environment. The parent
 * reads its stdout line by line (`MARK …` where it is, `RESULT <json>` what
 * it found), can SIGKILL it, and never leaves it behind: each child has a
 * hard time limit, and `killAllChildren()` (for an `afterEach`) and process
 * exit kill whatever still runs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DBOSConfig } from '../../src/index.ts';
import { testTempDir } from '../helpers/backends.ts';
import type { Execution } from './fixtures/workflows.ts';

export const workerPath = join(import.meta.dirname, 'fixtures', 'worker.ts');

/** Hard limit on one child's life; a test finishes in a few seconds, so reaching it means a hang. */
const defaultChildTimeoutMs = 30_000;

const flagsWithValue = new Map([
  ['--import', '--import'],
  ['--require', '--require'],
  ['-r', '--require'],
  ['--loader', '--loader'],
  ['--experimental-loader', '--loader'],
  ['--conditions', '--conditions'],
  ['-C', '--conditions'],
]);
const plainFlags = new Set(['--enable-source-maps', '--no-warnings', '--experimental-strip-types']);

/**
 * The Node flags a child needs: the loader ones (`--import tsx`), not the
 * test runner's. Under `node --test`, a test file's execArgv also holds
 * `--test-*` flags and dozens of defaults the runner spells out
 * (`--inspect-port=…`, `--node-snapshot`, …), none of which a child wants.
 */
export function childExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let index = 0; index < execArgv.length; index++) {
    const arg = execArgv[index]!;
    const equals = arg.indexOf('=');
    const name = equals > 0 ? arg.slice(0, equals) : arg;
    const canonical = flagsWithValue.get(name);
    if (canonical && equals > 0) kept.push(`${canonical}=${arg.slice(equals + 1)}`);
    else if (canonical && index + 1 < execArgv.length) kept.push(`${canonical}=${execArgv[++index]}`);
    else if (plainFlags.has(arg)) kept.push(arg);
  }
  return [...new Set(kept)];
}

export interface ChildOptions {
  /** Names the child in its log lines and in failure messages. */
  role: string;
  /** The system database configuration, passed as JSON. */
  config: DBOSConfig;
  /** The per-test execution log the fixture steps append to. */
  log: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  /** The fixture the child runs (default: fixtures/worker.ts). */
  script?: string;
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const running = new Set<TestChild>();

export class TestChild {
  readonly lines: string[] = [];
  stderr = '';
  timedOut = false;
  exitStatus: ChildExit | undefined;
  readonly exited: Promise<ChildExit>;
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly changed = new Set<() => void>();
  private partial = '';

  readonly role: string;

  constructor(command: string, args: readonly string[], options: ChildOptions) {
    this.role = options.role;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DURABLY_TEST_CONFIG: JSON.stringify(options.config),
      DURABLY_TEST_LOG: options.log,
      DURABLY_TEST_ROLE: options.role,
      ...options.env,
    };
    delete env.NODE_TEST_CONTEXT; // else the child would think it is a test file reporting to a runner
    this.process = spawn(process.execPath, [...childExecArgv(), options.script ?? workerPath, command, ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(this);
    const timer = setTimeout(() => {
      this.timedOut = true;
      this.process.kill('SIGKILL');
    }, options.timeoutMs ?? defaultChildTimeoutMs);
    this.process.stdout.setEncoding('utf8').on('data', (chunk: string) => this.onStdout(chunk));
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      const finish = (exit: ChildExit) => {
        if (this.exitStatus) return;
        clearTimeout(timer);
        running.delete(this);
        this.exitStatus = exit;
        this.notify();
        resolve(exit);
      };
      this.process.on('exit', (code, signal) => finish({ code, signal }));
      this.process.on('error', (error) => {
        this.stderr += `\nspawn error: ${error.message}`;
        finish({ code: null, signal: null });
      });
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  private onStdout(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts);
    this.notify();
  }

  private notify(): void {
    for (const listener of [...this.changed]) listener();
  }

  /** A summary for failure messages: how the child ended, what it printed. */
  describe(): string {
    const exit = this.exitStatus ? `exited ${JSON.stringify(this.exitStatus)}` : 'still running';
    const timedOut = this.timedOut ? ' after its hard time limit' : '';
    return `child "${this.role}" (pid ${this.pid}) ${exit}${timedOut}\nstdout:\n${this.lines.join('\n')}\nstderr:\n${this.stderr}`;
  }

  /** The rest of the first stdout line that starts with `prefix`; rejects if the child exits without one. */
  waitForLine(prefix: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.find((candidate) => candidate.startsWith(prefix));
        if (line !== undefined) {
          this.changed.delete(check);
          resolve(line.slice(prefix.length).trim());
        } else if (this.exitStatus) {
          this.changed.delete(check);
          reject(new Error(`Expected a line starting with "${prefix}" from ${this.describe()}`));
        }
      };
      this.changed.add(check);
      check();
    });
  }

  /** The JSON the child printed as `RESULT …`, once it has exited normally. */
  async result<T = any>(): Promise<T> {
    const exit = await this.exited;
    if (exit.code !== 0) throw new Error(`Expected a normal exit from ${this.describe()}`);
    return JSON.parse(await this.waitForLine('RESULT ')) as T;
  }

  send(line: string): void {
    this.process.stdin.write(`${line}\n`);
  }

  /** Send a signal (SIGTERM, SIGINT...) the child may handle. */
  signal(signal: NodeJS.Signals): void {
    if (!this.exitStatus) this.process.kill(signal);
  }

  /** SIGKILL: no shutdown hook, no flush, no goodbye. Resolves once the child is gone. */
  async kill(): Promise<ChildExit> {
    if (!this.exitStatus) this.process.kill('SIGKILL');
    return this.exited;
  }
}

export function startChild(command: string, args: readonly string[], options: ChildOptions): TestChild {
  return new TestChild(command, args, options);
}

/** For `afterEach`: SIGKILL every child still running and wait until each is gone. */
export async function killAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}

process.on('exit', () => {
  for (const child of running) child.kill().catch(() => undefined);
});

/** A fresh, empty execution log for one test, in the tests' temporary folder. */
export function freshLogPath(): string {
  return join(testTempDir, `executions-${randomUUID()}.log`);
}

/** Every execution the fixture steps logged, in order. */
export function readExecutions(log: string): Execution[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Execution);
}

/** How many times `event` ran, by role: `{ first: 1, recover: 1 }`. */
export function countByRole(executions: readonly Execution[], event: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const execution of executions) {
    if (execution.event === event) counts[execution.role] = (counts[execution.role] ?? 0) + 1;
  }
  return counts;
}

export function removeLog(log: string): void {
  rmSync(log, { force: true });
}
