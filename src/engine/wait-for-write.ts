/**
 * The one waiting loop of the engine: register interest in (channel, key)
 * pairs, read the database, and if the awaited thing is not there, sleep
 * until a notification, the safety poll, or the deadline. While the notifier
 * hears every process (Notifier.waitSafetyPollMs), there is no safety poll:
 * an idle waiter costs no reads, however many wait. Registering before
 * reading means a write committed in between still wakes us.
 */
import { DBOSWorkflowCancelledError } from '../errors/errors.ts';
import type { Engine } from './engine.ts';
import { currentContext } from './workflow-context.ts';

export interface Interest {
  channel: string;
  key: string;
}

/** Calls `read` until it returns something other than undefined, or the deadline passes (then undefined). */
export async function waitForWrite<T>(
  engine: Engine,
  interests: readonly Interest[],
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
    const waiters = interests.map(({ channel, key }) => notifier.wait(channel, key, pollMs));
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
    await Promise.race(waiters.map((w) => w.promise));
    interrupt.removeEventListener('abort', cancelAll);
    cancelAll();
  }
}
