/**
 * The one waiting loop of the engine: register interest in the awaited
 * writes, read the database, and if the awaited thing is not there, sleep
 * until a notification, the safety poll, or the deadline. While the notifier
 * hears every process (Notifier.waitSafetyPollMs), there is no safety poll:
 * an idle waiter costs no reads of its own, however many wait. Where writes
 * that announce nothing would go unheard (Postgres LISTEN: a DBOS SDK process,
 * plain SQL), a long sleeper joins the engine's batched re-check instead
 * (sleeping-waiters-recheck.ts): one read per period for all of them.
 * Registering before reading means a write committed in between still wakes us.
 */
import { DBOSWorkflowCancelledError } from '../errors/errors.ts';
import { announcedOn } from '../system-database/awaited-writes.ts';
import type { AwaitedWrite } from '../system-database/records.ts';
import type { Engine } from './engine.ts';
import { wakeOnCancel } from './execution-cancel.ts';
import { currentContext } from './workflow-context.ts';

/** Calls `read` until it returns something other than undefined, or the deadline passes (then undefined). */
export async function waitForWrite<T>(
  engine: Engine,
  awaited: readonly AwaitedWrite[],
  deadlineEpochMs: number,
  read: () => Promise<T | undefined>,
  pollingIntervalMs?: number,
): Promise<T | undefined> {
  const { notifier } = engine.systemDatabase;
  const interrupt = engine.interruptSignal;
  const workflow = currentContext().workflow;
  for (let attempt = 0; ; attempt++) {
    // Shutdown ends every wait of the engine, read or sleeping (engine/shutdown-interrupt.ts).
    interrupt.throwIfAborted();
    // A cancelled execution reads no more (a recv would consume a message meant for its resumed execution).
    if (workflow?.cancelled) throw new DBOSWorkflowCancelledError(workflow.workflowID);
    const remaining = deadlineEpochMs - Date.now();
    const pollMs = Math.min(pollingIntervalMs ?? notifier.waitSafetyPollMs(attempt), Math.max(0, remaining));
    const waiters = awaited.map((write) => {
      const { channel, key } = announcedOn(write);
      return notifier.wait(channel, key, pollMs);
    });
    let found: T | undefined;
    try {
      found = await engine.systemDatabase.pollingReads.run(read);
    } catch (error) {
      for (const waiter of waiters) waiter.cancel();
      throw error;
    }
    if (found !== undefined || remaining <= 0) {
      for (const waiter of waiters) waiter.cancel();
      return found;
    }
    const cancelAll = (): void => {
      for (const waiter of waiters) waiter.cancel();
    };
    interrupt.addEventListener('abort', cancelAll, { once: true });
    // The workflow's cancellation ends the wait too: the loop's check above then throws.
    const stopWaking = workflow ? wakeOnCancel(workflow, cancelAll) : undefined;
    const awake = engine.sleepingWaiters.covers(pollMs) ? engine.sleepingWaiters.sleeping(awaited) : undefined;
    await Promise.race(waiters.map((w) => w.promise));
    awake?.();
    stopWaking?.();
    interrupt.removeEventListener('abort', cancelAll);
    cancelAll();
  }
}
