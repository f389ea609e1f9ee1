/**
 * The dequeuer: one loop per queue in each process. A loop claims what its
 * queue's limits allow, starts those workflows here, and then sleeps until
 * woken: by an enqueue or a finished workflow in this process (at once), by
 * a Postgres NOTIFY from another process, when a delayed workflow falls due,
 * or by a safety poll that backs off while the queue stays idle, up to the
 * queue's `minPollingIntervalMs`; from there an empty queue's loop leaves
 * polling to the process's one shared idle poll (idle-queue-poll.ts). A new
 * task is thus picked up in milliseconds, and idle queues cost one statement
 * per poll however many there are.
 * A limited queue's freed slot is handed on the same way: a task's end here
 * wakes its loop, which claims as many as the free slots allow, one claim in
 * flight at a time; while this process alone fills the queue's concurrency,
 * the loop makes no round trip at all (fillsConcurrencyHere).
 */
import type { Engine } from '../engine/engine.ts';
import { queueChannel } from '../system-database/system-database.ts';
import { delayChangedQueue } from '../system-database/sql/queued-workflows.ts';
import type { ClaimedWorkflow } from '../system-database/claim-records.ts';
import { deferred } from '../support/deferred.ts';
import { claimLimits, localBudget } from './flow-control.ts';
import type { QueueCatalog } from './queue-catalog.ts';
import { startClaimedWorkflow } from './start-claimed.ts';
import { internalQueueName, type WorkflowQueue } from './workflow-queue.ts';
import { isPollerQueue } from './poller-queues.ts';
import { IdleQueuePoll } from './idle-queue-poll.ts';

const firstPollMs = 5;

interface DelayedState {
  /** When the queue's earliest delayed workflow is due, as last seen. */
  nextDelayedAt: number | null;
  peekedAt: number;
}

const busyPeekEveryMs = 1000;

export class QueueRunner {
  private stopped = false;
  /** Resolved by stop(): ends the runner's own waits at once, so stop() waits for no timer. */
  private readonly stopRequested = deferred<void>();
  private readonly loops = new Map<string, Promise<void>>();
  /** Workflows this process runs, per queue and per queue partition (see scopeKeys). */
  private readonly runningHere = new Map<string, number>();
  /** Workflows this process runs, per queue: their IDs, to tell a queue filled here (see fillsConcurrencyHere). */
  private readonly runningIDs = new Map<string, Set<string>>();
  private readonly executions = new Set<Promise<unknown>>();
  /** Queues whose delayed workflows had their delay changed: the next round peeks again. */
  private readonly delaysChanged = new Set<string>();
  private readonly idlePoll: IdleQueuePoll;
  private unsubscribe: (() => void) | undefined;
  private unsubscribeDelays: (() => void) | undefined;

  /** `listenQueues`: only these queues (and the internal one, and poller queues) are dequeued here; null for every queue. */
  constructor(
    private readonly engine: Engine,
    private readonly catalog: QueueCatalog,
    private readonly listenQueues: ReadonlySet<string> | null = null,
  ) {
    this.idlePoll = new IdleQueuePoll(engine);
  }

  start(): void {
    this.unsubscribe = this.catalog.onChange(() => this.followCatalog());
    this.unsubscribeDelays = this.engine.systemDatabase.notifier.subscribe(queueChannel, (key) => this.onDelayChanged(key));
    this.startNewLoops();
  }

  /** A shortened delay must be seen before the old due time: mark the queue and wake its loop. */
  private onDelayChanged(key: string): void {
    const queueName = delayChangedQueue(key);
    if (queueName === undefined || !this.loops.has(queueName)) return;
    this.delaysChanged.add(queueName);
    this.engine.systemDatabase.notifier.wakeLocal(queueChannel, [queueName]);
  }

  private listensTo(queueName: string): boolean {
    if (this.listenQueues === null || queueName === internalQueueName) return true;
    return this.listenQueues.has(queueName) || isPollerQueue(queueName);
  }

  /** Stop claiming; workflows already started keep running. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopRequested.resolve();
    this.idlePoll.stop();
    this.unsubscribe?.();
    this.unsubscribeDelays?.();
    this.engine.systemDatabase.notifier.wakeLocal(queueChannel, [...this.loops.keys()]);
    await Promise.all(this.loops.values());
  }

  /** New queues get a loop; loops of deleted queues are woken to see that and end. */
  private followCatalog(): void {
    const gone = [...this.loops.keys()].filter((name) => !this.catalog.find(name));
    if (gone.length > 0) this.engine.systemDatabase.notifier.wakeLocal(queueChannel, gone);
    this.startNewLoops();
  }

  private startNewLoops(): void {
    if (this.stopped) return;
    for (const queue of this.catalog.all()) {
      if (this.loops.has(queue.name) || !this.listensTo(queue.name)) continue;
      const loop: Promise<void> = this.loop(queue.name).finally(() => {
        if (this.loops.get(queue.name) !== loop) return;
        this.loops.delete(queue.name);
        // Registered again since this loop saw it deleted? It gets a new loop.
        if (this.catalog.find(queue.name)) this.startNewLoops();
      });
      this.loops.set(queue.name, loop);
    }
  }

  private async loop(name: string): Promise<void> {
    const { notifier } = this.engine.systemDatabase;
    let idlePolls = 0;
    /** Whether the last round found the queue empty (nothing ENQUEUED, nothing DELAYED due). */
    let empty = false;
    const delayed: DelayedState = { nextDelayedAt: null, peekedAt: Number.NEGATIVE_INFINITY };
    while (!this.stopped) {
      const queue = this.catalog.find(name);
      if (!queue) return; // deleted
      const full = this.fillsConcurrencyHere(queue);
      const backoffMs = firstPollMs * 2 ** Math.min(idlePolls, 20);
      // Full here, only a finish here frees a slot we could take, and it wakes this loop: no need to poll often.
      const ownPollMs = full ? queue.minPollingIntervalMs : Math.min(queue.minPollingIntervalMs, backoffMs);
      // Empty, and either backed off all the way or every enqueue anywhere wakes us (the notifier hears every
      // process): the shared idle poll watches this queue instead of a timer here.
      const hearsAll = notifier.waitSafetyPollMs(0) === Number.POSITIVE_INFINITY;
      const shared = !full && empty && (hearsAll || backoffMs >= queue.minPollingIntervalMs);
      const waiter = notifier.wait(queueChannel, name, shared ? Number.POSITIVE_INFINITY : ownPollMs);
      const leaveIdlePoll = shared ? this.idlePoll.join(name, queue.minPollingIntervalMs) : undefined;
      try {
        const delayedDue = delayed.nextDelayedAt !== null && delayed.nextDelayedAt <= Date.now();
        if (full && !delayedDue) {
          // No claim can succeed (this process alone runs `concurrency` of the queue's PENDING workflows):
          // skip the round trip. Enqueues and other wake-ups wait here until a slot frees.
          await waiter.promise;
          continue;
        }
        let claimed = 0;
        let more = false;
        empty = false;
        try {
          ({ claimed, more, empty } = await this.round(queue, idlePolls > 0, delayed));
        } catch (error) {
          if (this.stopped) break;
          this.engine.logger.warn(`Dequeuing from queue "${name}" failed; retrying: ${(error as Error).message}`);
          await waitAtMost(this.stopRequested.promise, Math.min(1000, ownPollMs * 4));
        }
        if (more) {
          // The claim took all it asked for: more may be waiting.
          idlePolls = 0;
          waiter.cancel();
          continue;
        }
        // Nothing more now (a limit is full, or the queue is empty): wait to be woken.
        // A finish here during the round has already fired the waiter, so its slot is claimed at once.
        idlePolls = claimed > 0 ? 0 : idlePolls + 1;
        // Work is waiting behind a limit (a rate limit frees no slot by itself): poll on our own after all.
        const waitMs = shared && empty ? Number.POSITIVE_INFINITY : ownPollMs;
        const untilDelayed = delayed.nextDelayedAt === null ? Number.POSITIVE_INFINITY : delayed.nextDelayedAt - Date.now();
        if (untilDelayed < waitMs) {
          await waitAtMost(waiter.promise, untilDelayed);
        } else if (waitMs < Number.POSITIVE_INFINITY && shared) {
          await waitAtMost(waiter.promise, waitMs);
        } else {
          await waiter.promise;
        }
      } finally {
        waiter.cancel();
        leaveIdlePoll?.();
      }
    }
  }

  /**
   * Whether this process alone runs as many of the queue's workflows as its
   * global concurrency allows. Those are PENDING in the database (a cancelled
   * one is not counted: it no longer holds a slot there), so the claim's exact
   * count could only answer zero. Other processes' tasks are not known here:
   * when this says no, the claim still counts in the database.
   */
  private fillsConcurrencyHere(queue: WorkflowQueue): boolean {
    const limit = claimLimits(queue).queueLimits.concurrency;
    const running = this.runningIDs.get(queue.name);
    if (limit === undefined || running === undefined || running.size < limit) return false;
    let live = 0;
    for (const workflowID of running) if (!this.engine.states.get(workflowID)?.cancelled) live++;
    return live >= limit;
  }

  /**
   * One dequeue round. An idle queue is first peeked at with a plain read, so
   * idle polls and wake-ups about other queues' work never take a write lock.
   */
  private async round(queue: WorkflowQueue, idle: boolean, delayed: DelayedState): Promise<{ claimed: number; more: boolean; empty: boolean }> {
    const now = Date.now();
    // A busy queue peeks too, now and then, to learn of delayed workflows enqueued meanwhile.
    if (this.delaysChanged.delete(queue.name) || idle || now - delayed.peekedAt >= busyPeekEveryMs) {
      const peek = await this.engine.systemDatabase.peekQueue(queue.name);
      delayed.nextDelayedAt = peek.nextDelayedAt;
      delayed.peekedAt = now;
      const due = peek.nextDelayedAt !== null && peek.nextDelayedAt <= now;
      if (!peek.hasEnqueued && !due) return { claimed: 0, more: false, empty: true };
    }
    const promote = delayed.nextDelayedAt !== null && delayed.nextDelayedAt <= now;
    const result = await this.claim(queue, promote);
    if (promote) delayed.nextDelayedAt = result.nextDelayedAt;
    return { claimed: result.claimed, more: result.more, empty: false };
  }

  /** One round of claims for a queue (each waiting partition, for partitioned queues). */
  private async claim(queue: WorkflowQueue, promoteDelayed: boolean) {
    const { systemDatabase } = this.engine;
    const limits = claimLimits(queue);
    const partitions = queue.partitioned ? await systemDatabase.listWaitingPartitions(queue.name) : [undefined];
    let claimed = 0;
    let more = false;
    let nextDelayedAt: number | null = null;
    for (const [index, partitionKey] of partitions.entries()) {
      const scopes = scopeKeys(queue.name, partitionKey);
      const maxTasks = localBudget(limits, this.runningHere.get(scopes[0]) ?? 0, this.runningHere.get(scopes[1] ?? '') ?? 0);
      if (maxTasks <= 0 && !(promoteDelayed && index === 0)) continue;
      const result = await systemDatabase.claimQueuedWorkflows(
        {
          queueName: queue.name,
          partitionKey,
          maxTasks,
          queueLimits: limits.queueLimits,
          partitionLimits: limits.partitionLimits,
          executorID: this.engine.identity.executorID,
          applicationVersion: this.engine.identity.applicationVersion,
          applicationName: this.engine.identity.applicationName,
        },
        promoteDelayed && index === 0,
      );
      if (index === 0) nextDelayedAt = result.nextDelayedAt;
      for (const workflow of result.claimed) this.run(scopes, workflow);
      claimed += result.claimed.length;
      if (maxTasks > 0 && result.claimed.length === maxTasks) more = true;
    }
    return { claimed, more, nextDelayedAt };
  }

  private run(scopes: readonly string[], workflow: ClaimedWorkflow): void {
    for (const scope of scopes) this.runningHere.set(scope, (this.runningHere.get(scope) ?? 0) + 1);
    const queueName = scopes[0];
    const ids = this.runningIDs.get(queueName) ?? new Set<string>();
    this.runningIDs.set(queueName, ids.add(workflow.workflowID));
    const execution = startClaimedWorkflow(this.engine, workflow).finally(() => {
      ids.delete(workflow.workflowID);
      if (ids.size === 0 && this.runningIDs.get(queueName) === ids) this.runningIDs.delete(queueName);
      for (const scope of scopes) {
        const left = (this.runningHere.get(scope) ?? 1) - 1;
        // Partition keys come and go: drop idle counters rather than keep one per key ever seen.
        if (left > 0) this.runningHere.set(scope, left);
        else this.runningHere.delete(scope);
      }
      this.executions.delete(execution);
      // A slot is free here: look again (the finished workflow's own wake-up came before this count dropped).
      this.engine.systemDatabase.notifier.wakeLocal(queueChannel, [workflow.queueName ?? '']);
    });
    execution.catch(() => undefined);
    this.executions.add(execution);
  }
}

/**
 * Wait for `wake` or `ms`, whichever comes first. The timer is cleared either
 * way: one left behind would keep the process alive after shutdown.
 */
async function waitAtMost(wake: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  // A longer wait than a timer holds ends early; the loop then looks again and waits anew.
  const elapsed = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, Math.min(ms, 2 ** 31 - 1)))));
  try {
    await Promise.race([wake, elapsed]);
  } finally {
    clearTimeout(timer);
  }
}

/** The counters a claimed workflow occupies here: its queue's, and its partition's if it has one. */
function scopeKeys(queueName: string, partitionKey: string | undefined): [string] | [string, string] {
  return partitionKey === undefined ? [queueName] : [queueName, `${queueName}\u0000${partitionKey}`];
}
