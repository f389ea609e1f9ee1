/**
 * How DBOS.shutdown() stops the workflows running in this process. First an
 * optional grace period (`drainWorkflows`), then `Engine.interrupt()`, which
 * aborts the engine's interrupt signal. From then on:
 *
 * - every durable operation a workflow starts throws DBOSShutdownInterruptError
 *   (reserveFunctionID checks the signal, no database read);
 * - every pending durable sleep, wait (recv, getEvent, getResult, readStream,
 *   waitFirst), step-retry delay and step attempt ends at once with that error,
 *   and its timers are cleared, so nothing keeps the process alive;
 * - no outcome is written: not the outcome of a step that was running (its body
 *   may still finish, but its result is dropped and it runs again on recovery),
 *   not the workflow's final status. The workflow stays PENDING for recovery.
 *
 * Writes already submitted when the signal aborts are committed (or fail)
 * before shutdown returns: closing the system database waits for them.
 */
import { DBOSShutdownInterruptError } from '../errors/errors.ts';
import type { Engine } from './engine.ts';

export function isShutdownInterrupt(error: unknown): error is DBOSShutdownInterruptError {
  return error instanceof DBOSShutdownInterruptError;
}

/** `work`'s outcome, unless the engine is interrupted first (then the interrupt error; `work` is abandoned). */
export function untilInterrupted<T>(engine: Engine, work: Promise<T>): Promise<T> {
  const signal = engine.interruptSignal;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  let onAbort!: () => void;
  const interrupted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([work, interrupted]).finally(() => signal.removeEventListener('abort', onAbort));
}

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
