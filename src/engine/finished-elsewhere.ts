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
  const stop = new AbortController();
  // Shutdown ends the looking too (it interrupts the local execution, but that may be stuck in user code).
  const interrupt = engine.interruptSignal;
  const onShutdown = () => stop.abort();
  interrupt.addEventListener('abort', onShutdown, { once: true });
  if (interrupt.aborted) stop.abort();
  const localSettled: Promise<Settled<R>> = local.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
  try {
    const first = await Promise.race([localSettled, finishedElsewhere(engine, workflowID, stop.signal)]);
    if ('status' in first) {
      engine.logger.warn(`Workflow ${workflowID} was finished by another execution while its execution here still ran.`);
      return await outcomeOf<R>(first);
    }
    if (first.ok) return first.value;
    throw first.error;
  } finally {
    interrupt.removeEventListener('abort', onShutdown);
    stop.abort();
  }
}

/** Resolves with the final status row once the workflow is final and `stop` is not yet aborted; never otherwise. */
async function finishedElsewhere(engine: Engine, workflowID: string, stop: AbortSignal): Promise<WorkflowStatusRecord> {
  for (let checkMs = firstCheckMs; ; checkMs = Math.min(maxCheckMs, checkMs * 2)) {
    await pauseUnless(stop, checkMs);
    let row: WorkflowStatusRecord | undefined;
    try {
      row = await engine.systemDatabase.getWorkflowStatus(workflowID);
    } catch {
      continue; // the database is out: the local execution meets that fault itself; look again later
    }
    if (row && isTerminalStatus(row.status)) {
      await pauseUnless(stop, ownWriteGraceMs);
      return row;
    }
  }
}

/** Sleep `ms`; once `stop` (or the engine's shutdown) fires, never resolve, and keep no timer. */
function pauseUnless(stop: AbortSignal, ms: number): Promise<void> {
  return new Promise((resolve) => {
    if (stop.aborted) return;
    const timer = setTimeout(() => {
      stop.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => clearTimeout(timer);
    stop.addEventListener('abort', onAbort, { once: true });
  });
}
