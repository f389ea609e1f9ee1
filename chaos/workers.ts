/**
 * The worker processes of a chaos run: one slot per executor ID, each
 * holding at most one live process (`node --import tsx chaos/worker.ts`).
 * The driver SIGKILLs a slot's process and starts a new one under the same
 * executor ID, which then recovers that executor's unfinished workflows.
 * A kill is written to the ledger once the process is gone. A process that
 * ends without being killed is recorded: before READY it is a failed launch
 * (the database may be down; the slot is restarted), after READY it is a
 * crash of a running worker (a violation).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ledger } from './ledger.ts';
import type { WorkerSettings } from './worker.ts';

const workerScript = join(import.meta.dirname, 'worker.ts');
const repositoryRoot = join(import.meta.dirname, '..');

export interface WorkerCrash {
  executorID: string;
  pid: number | undefined;
  exit: string;
  stderrTail: string;
}

interface Slot {
  executorID: string;
  process: ChildProcess | undefined;
  ready: boolean;
  killing: boolean;
  stderr: string;
  /** Epoch ms before which startMissing() leaves this slot empty (a long outage of one executor). */
  downUntil: number;
}

export class WorkerPool {
  private readonly slots: Slot[];
  readonly crashes: WorkerCrash[] = [];
  readonly failedLaunches: WorkerCrash[] = [];
  kills = 0;
  private closed = false;

  constructor(
    count: number,
    private readonly settings: (executorID: string) => WorkerSettings,
    private readonly ledger: Ledger,
    /** Every worker's stderr, whole, prefixed with its executor ID and pid: for the post-mortem of a failed run. */
    private readonly stderrLog: string,
  ) {
    this.slots = Array.from({ length: count }, (_, index) => ({ executorID: `chaos-worker-${index + 1}`, process: undefined, ready: false, killing: false, stderr: '', downUntil: 0 }));
    // Whatever ends the driver, no worker outlives it.
    process.once('exit', () => {
      this.closed = true;
      for (const slot of this.slots) slot.process?.kill('SIGKILL');
    });
  }

  get size(): number {
    return this.slots.length;
  }

  /** Start every slot that has no live process. */
  startMissing(): void {
    for (const slot of this.slots) if (!slot.process && slot.downUntil <= Date.now()) this.start(slot);
  }

  /** Live processes now. */
  get alive(): number {
    return this.slots.filter((slot) => slot.process && !slot.killing).length;
  }

  /** Kill slot `index` and keep it empty for `ms` (long enough for the others to take over its work). */
  async killFor(index: number, ms: number): Promise<boolean> {
    const slot = this.slots[index % this.slots.length]!;
    slot.downUntil = Date.now() + ms;
    setTimeout(() => !this.closed && this.startMissing(), ms).unref();
    return this.kill(index);
  }

  /** Start every slot, long outages included (the drain phase). */
  startAll(): void {
    for (const slot of this.slots) slot.downUntil = 0;
    this.startMissing();
  }

  /** SIGKILL slot `index`'s process, wait until it is gone, record it; the slot stays empty until startMissing(). */
  async kill(index: number): Promise<boolean> {
    const slot = this.slots[index % this.slots.length]!;
    const child = slot.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return false;
    slot.killing = true;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await gone;
    this.ledger.append({ kind: 'kill', pid: child.pid!, worker: slot.executorID, t: Date.now() });
    this.kills++;
    return true;
  }

  async killAll(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((_, index) => this.kill(index)));
  }

  private start(slot: Slot): void {
    slot.ready = false;
    slot.killing = false;
    slot.stderr = '';
    const child = spawn(process.execPath, [...(process.env.CHAOS_WORKER_IMPORT ? ['--import', process.env.CHAOS_WORKER_IMPORT] : []), '--import', 'tsx', workerScript], {
      cwd: repositoryRoot,
      env: { ...process.env, CHAOS_WORKER: JSON.stringify(this.settings(slot.executorID)) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    slot.process = child;
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      if (chunk.includes('READY')) slot.ready = true;
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      slot.stderr = (slot.stderr + chunk).slice(-4000);
      appendFileSync(this.stderrLog, chunk.replace(/^(?=.)/gm, `[${slot.executorID} ${child.pid}] `));
    });
    child.on('exit', (code, signal) => {
      if (slot.process === child) slot.process = undefined;
      if (slot.killing) return;
      const record = { executorID: slot.executorID, pid: child.pid, exit: `code ${code} signal ${signal}`, stderrTail: slot.stderr.slice(-1500) };
      this.ledger.append({ kind: 'death', pid: child.pid!, worker: slot.executorID, exit: record.exit, t: Date.now() });
      (slot.ready ? this.crashes : this.failedLaunches).push(record);
      if (!this.closed) setTimeout(() => !this.closed && !slot.process && this.start(slot), 500);
    });
  }
}
