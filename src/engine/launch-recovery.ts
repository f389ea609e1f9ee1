/**
 * Recovery at launch, in the background: DBOS.launch() returns at once while
 * this resumes every PENDING workflow of this executor and application
 * version (DBOS's launch waits for it instead).
 *
 * First the workflows that came from a queue go back to it (one statement),
 * and only then does the queue runner start: it must never be running a
 * workflow that the requeue is about to put back. Then the direct ones, in
 * keyset pages of `batchSize`: each page's recovery attempts are counted in
 * one transaction and its recorded steps loaded in one read, so the memory
 * recovery holds is bounded by the batch however many workflows wait, and
 * 1,000 of them cost a handful of round trips instead of three each.
 *
 * A workflow started here since launch is also PENDING under this executor:
 * queued ones are never paged (the page reads direct workflows only), and a
 * direct one is marked from before its insert until it runs
 * (engine.startingHere), so recovery never takes it for a crashed run. A
 * marked workflow found in a page waits for its start to settle: a start
 * that found the row already there (a call under the ID of a crashed run)
 * does not run it, and recovery then does.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DBOSNotRegisteredError } from '../errors/errors.ts';
import type { StepOutcomeRecord, WorkflowStatusRecord } from '../system-database/records.ts';
import type { PendingWorkflowCursor, PendingWorkflowRef, RecoveryAttemptRequest } from '../system-database/claim-records.ts';
import type { Engine } from './engine.ts';
import type { RegisteredWorkflow } from './registry.ts';
import { defaultMaxRecoveryAttempts, internalQueueName } from './recovery.ts';
import { executeWorkflow } from './run-workflow.ts';
import { storedExecution } from './stored-execution.ts';
import { DurableWorkflowHandle } from './workflow-handle.ts';
import { receiverForRecorded } from './workflow-receiver.ts';

export interface LaunchRecoveryOptions {
  /** Pending workflows read, claimed and started per round (default 500). */
  batchSize?: number;
  /**
   * Past this many recovered workflows still running, the next page waits until one finishes, or at most
   * `retryDelayMs` (a workflow blocked for days must not hold the others back forever). Default 5,000.
   */
  maxRunningRecovered?: number;
  /** After a failed round (the database unreachable), how long until it is tried again (default 1 s). */
  retryDelayMs?: number;
}

interface Resumable {
  registration: RegisteredWorkflow;
  thisArg: unknown;
}

export class LaunchRecovery {
  /** Handles of the workflows resumed so far (restartDBOS returns them). */
  readonly resumed: DurableWorkflowHandle<unknown>[] = [];
  /** Resolves once every pending workflow found at launch was resumed, requeued or set aside (never rejects). */
  readonly finished: Promise<void>;
  /** True once `finished` resolved (a synchronous look, for tests and the bench). */
  done = false;
  private startFinished!: () => void;
  private started = false;
  private stopped = false;
  private runningRecovered = 0;
  /** Wakes a wait of the loop (a recovered workflow finished, or stop()). */
  private wake: (() => void) | undefined;
  private readonly batchSize: number;
  private readonly maxRunningRecovered: number;
  private readonly retryDelayMs: number;

  /** `queuesReturned`: called once the queued workflows are back on their queues (the Runtime starts the queue runner). */
  constructor(
    private readonly engine: Engine,
    private readonly queuesReturned: () => void,
    options: LaunchRecoveryOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 500;
    this.maxRunningRecovered = options.maxRunningRecovered ?? 5_000;
    this.retryDelayMs = options.retryDelayMs ?? 1_000;
    this.finished = new Promise((resolve) => {
      this.startFinished = () => {
        this.done = true;
        resolve();
      };
    });
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.run().then(this.startFinished, (error: unknown) => {
      this.engine.logger.error(`Recovery stopped: ${(error as Error).message}`);
      this.startFinished();
    });
  }

  /** Stop reading pages (at shutdown); resolves once the round in progress ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    if (!this.started) this.startFinished(); // a launch that failed before recovery began
    await this.finished;
  }

  private async run(): Promise<void> {
    const { engine } = this;
    const requeued = await this.untilDone(() =>
      engine.systemDatabase.requeuePendingWorkflows({
        executorID: engine.identity.executorID,
        applicationVersion: engine.identity.applicationVersion,
        queuedOnly: true,
        fallbackQueue: internalQueueName,
        now: Date.now(),
      }),
    );
    if (requeued === undefined) return;
    if (requeued.length > 0) engine.logger.info(`Returned ${requeued.length} interrupted queued workflow(s) to their queues.`);
    engine.metrics.recovered('requeued', requeued.length);
    this.queuesReturned();
    let after: PendingWorkflowCursor | null = null;
    let count = 0;
    for (;;) {
      await this.roomForMore();
      const round: { page: PendingWorkflowRef[]; resumed: number } | undefined = await this.untilDone(async () => {
        const page = await engine.systemDatabase.listPendingDirectWorkflows(
          engine.identity.executorID,
          engine.identity.applicationVersion,
          after,
          this.batchSize,
        );
        return { page, resumed: await this.resumeBatch(page) };
      });
      if (round === undefined) return;
      count += round.resumed;
      const last = round.page.at(-1);
      if (!last || round.page.length < this.batchSize) break;
      after = { createdAt: last.createdAt, workflowID: last.workflowID };
    }
    if (count > 0) engine.logger.info(`Recovering ${count} pending workflow(s).`);
    engine.metrics.recovered('pending', count);
  }

  /**
   * Resume one page. A workflow whose direct start under the same ID is writing now (startingHere) waits
   * for that start to settle: if the start found the row already there, it does not run it, so recovery must.
   */
  private async resumeBatch(page: readonly PendingWorkflowRef[]): Promise<number> {
    const starting = page.filter((pending) => this.engine.startingHere.has(pending.workflowID));
    let resumed = await this.resumeNow(page.filter((pending) => !this.engine.startingHere.has(pending.workflowID)));
    if (starting.length > 0) {
      while (starting.some((pending) => this.engine.startingHere.has(pending.workflowID)) && !this.stopped) await this.pause(1);
      resumed += await this.resumeBatch(starting);
    }
    return resumed;
  }

  /** Count the attempts of all in one transaction, load all their steps in one read, run them. */
  private async resumeNow(page: readonly PendingWorkflowRef[]): Promise<number> {
    const { engine } = this;
    const resumable = new Map<string, Resumable>();
    const requests: RecoveryAttemptRequest[] = [];
    for (const pending of page) {
      if (runningHere(engine, pending.workflowID)) continue;
      try {
        const registration = engine.registry.findWorkflow(pending.className, pending.workflowName);
        if (!registration) throw new DBOSNotRegisteredError(pending.workflowName);
        // Before claiming an attempt: a missing configured instance leaves the workflow for a process that has it.
        const thisArg = receiverForRecorded(engine.registry, registration, pending.configName);
        resumable.set(pending.workflowID, { registration, thisArg });
        const maxRecoveryAttempts = registration.config.maxRecoveryAttempts ?? defaultMaxRecoveryAttempts;
        requests.push({ workflowID: pending.workflowID, maxRecoveryAttempts });
      } catch (error) {
        engine.logger.error(`Could not recover workflow ${pending.workflowID}: ${(error as Error).message}`);
      }
    }
    if (requests.length === 0 || this.stopped) return 0;
    const claim = await engine.systemDatabase.claimRecoveryAttempts(requests, Date.now());
    for (const workflow of claim.exceeded) {
      const max = resumable.get(workflow.workflowID)?.registration.config.maxRecoveryAttempts ?? defaultMaxRecoveryAttempts;
      engine.logger.warn(`Workflow ${workflow.workflowID} exceeded its ${max} recovery attempts and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED.`);
    }
    const steps = await engine.systemDatabase.loadStepOutcomesOf(claim.run.map((w) => w.workflowID));
    let resumed = 0;
    for (const workflow of claim.run) {
      // Running here already (its attempt was counted all the same): keep that run. A start under its ID that
      // began meanwhile finds the row there and does not run it: recovery does.
      if (runningHere(engine, workflow.workflowID) || this.stopped) continue;
      this.resume(workflow, resumable.get(workflow.workflowID)!, steps.get(workflow.workflowID) ?? []);
      resumed++;
    }
    return resumed;
  }

  private resume(workflow: WorkflowStatusRecord, { registration, thisArg }: Resumable, recorded: StepOutcomeRecord[]): void {
    const run = executeWorkflow(this.engine, storedExecution(workflow, registration, thisArg, recorded));
    this.runningRecovered++;
    const settled = () => {
      this.runningRecovered--;
      this.wake?.();
    };
    run.then(settled, settled);
    this.resumed.push(new DurableWorkflowHandle(this.engine, workflow.workflowID));
  }

  /** Backpressure: with too many recovered workflows running, wait for one to finish (or retryDelayMs). */
  private async roomForMore(): Promise<void> {
    if (this.runningRecovered >= this.maxRunningRecovered && !this.stopped) await this.pause(this.retryDelayMs);
  }

  /** `work`'s result; after a failure (logged), `work` again after retryDelayMs. Undefined once stopped. */
  private async untilDone<T>(work: () => Promise<T>): Promise<T | undefined> {
    while (!this.stopped) {
      try {
        return await work();
      } catch (error) {
        if (this.stopped) break;
        this.engine.logger.warn(`Recovery will try again in ${this.retryDelayMs} ms: ${(error as Error).message}`);
        await this.pause(this.retryDelayMs);
      }
    }
    return undefined;
  }

  /** Sleep up to `ms`, cut short by wake(). */
  private async pause(ms: number): Promise<void> {
    const abort = new AbortController();
    this.wake = () => abort.abort();
    await sleep(ms, undefined, { signal: abort.signal, ref: false }).catch(() => undefined);
    this.wake = undefined;
  }
}

/** An execution of this workflow runs in this process (a cancelled one does not count: it is being superseded). */
function runningHere(engine: Engine, workflowID: string): boolean {
  return engine.running.has(workflowID) && !engine.states.get(workflowID)?.cancelled;
}
