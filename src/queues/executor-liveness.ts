/**
 * Recovery of dead processes' work, with no control plane: every executor
 * records a heartbeat; every executor also looks for executors silent for
 * longer than the timeout, and the one that removes such an executor's row
 * puts its PENDING workflows back on their queues, where any live process
 * claims them and resumes them from their last completed step.
 *
 * Each process needs its own executorID for this: processes sharing one ID
 * (the default `local`) keep each other's heartbeat alive.
 */
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';

export interface LivenessOptions {
  heartbeatIntervalMs: number;
  executorTimeoutMs: number;
}

export class ExecutorLiveness {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly engine: Engine,
    private readonly options: LivenessOptions,
  ) {}

  async start(): Promise<void> {
    await this.beat();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.beating;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => this.schedule());
    }, this.options.heartbeatIntervalMs);
  }

  private async beat(): Promise<void> {
    const { systemDatabase, identity, logger } = this.engine;
    try {
      const now = Date.now();
      const cutoff = now - this.options.executorTimeoutMs;
      // Idle and alone, a beat is one statement: the takeover's transaction runs only when someone fell silent.
      const someoneSilent = await systemDatabase.recordHeartbeat(identity.executorID, identity.applicationVersion, now, cutoff);
      const taken = someoneSilent ? await systemDatabase.takeOverSilentExecutors(cutoff, identity.executorID, internalQueueName, now) : [];
      for (const executor of taken) {
        if (executor.workflows.length === 0) continue;
        logger.warn(
          `Executor ${executor.executorID} has been silent for over ${this.options.executorTimeoutMs} ms: ` +
            `its ${executor.workflows.length} unfinished workflow(s) are back on their queues.`,
        );
      }
    } catch (error) {
      if (!this.stopped) logger.warn(`Executor heartbeat failed: ${(error as Error).message}`);
    }
  }
}
