/**
 * How DBOS.shutdown() stops the workflows running in this process. First an
 * optional grace period (`drainWorkflows`), then `Engine.interrupt()`, which
 * aborts the engine's interrupt signal. From then on:
 *
 * - every durable operation a workflow starts throws DBOSShutdownInterruptError
 *   (reserveFunctionID checks the signal, no database read);
 * - every pending durable sleep, wait (recv, getEvent, getResult, readStream,
 *   waitFirst) and step-retry delay ends at once with that error, and its
 *   timers (step timeouts too) are cleared, so nothing of ours keeps the
 *   process alive;
 * - no outcome is written: not the outcome of a step that was running (its body
 *   may still finish, but recording its result throws, so it runs again on
 *   recovery), not the workflow's final status. The workflow stays PENDING.
 *
 * Writes already submitted when the signal aborts are committed (or fail)
 * before shutdown returns: closing the system database waits for them.
 */
import type { Engine } from './engine.ts';

/**
 * Wait up to `timeoutMs` for the workflows running here to finish, including
 * children they start meanwhile. True when none is left.
 */
export async function drainWorkflows(engine: Engine, timeoutMs: number): Promise<boolean> {
  if (engine.running.size === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    while (engine.running.size > 0) {
      const settled = Promise.allSettled([...engine.running.values()]).then(() => true as const);
      if (!(await Promise.race([settled, expired]))) return false;
    }
    return true;
  } finally {
    clearTimeout(timer);
  }
}
