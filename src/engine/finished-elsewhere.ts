/**
 * Waiting for a workflow that runs in this process, when another process may finish it first.
 *
 * After a fault, two executions of one workflow can run at once: this executor was silent past
 * executorTimeoutMs (an outage, a stalled event loop), another process took its workflows over, and this
 * process's own execution still runs. The other execution may finish the workflow while the local one
 * stays blocked, in a recv whose messages the other consumed, say, until its timeout or forever. A caller
 * that awaited only the local execution would wait as long. So the wait also reads the status row now and
 * then (seconds apart: the local execution usually settles first, and then nothing was read): a final
 * outcome there, with the local execution still running a moment later (so not the one that wrote it),
 * ends the wait with that outcome.
 */
import { isTerminalStatus, type WorkflowStatusRecord } from '../system-database/records.ts';
import { outcomeOf } from './await-outcome.ts';
import type { Engine } from './engine.ts';

/** The first look at the status row, then doubling up to the last: a wait of a few seconds reads nothing. */
const firstCheckMs = 2000;
const maxCheckMs = 10_000;
/** A local execution that wrote the final row settles within this (its caller's continuation runs). */
const ownWriteGraceMs = 1000;

type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

/** `local`'s outcome, unless another execution finishes the workflow first: then the recorded outcome. */
export async function awaitLocalOrRecorded<R>(engine: Engine, workflowID: string, local: Promise<R>): Promise<R> {
  const watch = new StatusWatch(engine, workflowID);
  const localSettled: Promise<Settled<R>> = local.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
  try {
    const first = await Promise.race([localSettled, watch.finished]);
    if ('status' in first) {
      engine.logger.warn(`Workflow ${workflowID} was finished by another execution while its execution here still ran.`);
      return await outcomeOf<R>(first);
    }
    if (first.ok) return first.value;
    throw first.error;
  } finally {
    watch.stop();
  }
}

/**
 * Each engine's running watches, stopped all at once by its shutdown (which interrupts the local executions,
 * but those may be stuck in user code): one listener per engine, not one AbortController and listener per
 * awaited workflow (that cost about 3% of a busy process's CPU, most of it DOMExceptions made by abort()).
 */
const watchesByEngine = new WeakMap<Engine, Set<StatusWatch>>();

function watchesOf(engine: Engine): Set<StatusWatch> {
  let watches = watchesByEngine.get(engine);
  if (!watches) {
    const all = new Set<StatusWatch>();
    engine.interruptSignal.addEventListener('abort', () => all.forEach((watch) => watch.stop()), { once: true });
    watchesByEngine.set(engine, (watches = all));
  }
  return watches;
}

/** Reads the status row now and then; `finished` resolves with the final row, unless stopped first (then never). */
class StatusWatch {
  readonly finished: Promise<WorkflowStatusRecord>;
  private resolveFinished!: (row: WorkflowStatusRecord) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly watches: Set<StatusWatch>;

  constructor(
    private readonly engine: Engine,
    private readonly workflowID: string,
  ) {
    this.finished = new Promise((resolve) => (this.resolveFinished = resolve));
    this.watches = watchesOf(engine);
    if (engine.interruptSignal.aborted) {
      this.stopped = true;
      return;
    }
    this.watches.add(this);
    this.after(firstCheckMs, () => void this.check(firstCheckMs));
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.watches.delete(this);
  }

  private after(ms: number, then: () => void): void {
    if (!this.stopped) this.timer = setTimeout(then, ms);
  }

  private async check(checkMs: number): Promise<void> {
    let row: WorkflowStatusRecord | undefined;
    try {
      row = await this.engine.systemDatabase.getWorkflowStatus(this.workflowID);
    } catch {
      row = undefined; // the database is out: the local execution meets that fault itself; look again later
    }
    if (row && isTerminalStatus(row.status)) {
      const final = row;
      this.after(ownWriteGraceMs, () => {
        if (!this.stopped) this.resolveFinished(final);
      });
      return;
    }
    const nextMs = Math.min(maxCheckMs, checkMs * 2);
    this.after(nextMs, () => void this.check(nextMs));
  }
}
