/**
 * In-process recovery after a long database outage. A workflow whose durable
 * operation gave up on an unreachable system database
 * (DBOSDatabaseUnavailableError, after databaseOutageTimeoutMs) records
 * nothing and stays PENDING. Rather than leave it for the next launch, this
 * process resumes it once the database answers again, exactly as launch
 * recovery would (from its last recorded step, counting a recovery attempt):
 * retried with backoff until resumed, finished elsewhere, or shutdown.
 */
import { DBOSDatabaseUnavailableError } from '../errors/errors.ts';
import { sleepMs } from '../support/sleep.ts';
import type { Engine } from './engine.ts';
import { resumeWorkflow } from './recovery.ts';

const firstDelayMs = 1000;
const maxDelayMs = 30_000;

export class OutageResumer {
  private readonly waiting = new Set<string>();

  constructor(private readonly engine: Engine) {}

  /** Engine.track calls this for an execution that ended with DBOSDatabaseUnavailableError. */
  add(workflowID: string): void {
    if (this.waiting.has(workflowID) || this.engine.interrupted) return;
    this.waiting.add(workflowID);
    void this.resumeWhenBack(workflowID).finally(() => this.waiting.delete(workflowID));
  }

  private async resumeWhenBack(workflowID: string): Promise<void> {
    const { engine } = this;
    for (let delayMs = firstDelayMs; ; delayMs = Math.min(maxDelayMs, delayMs * 2)) {
      try {
        // Aborted by shutdown: the workflow stays PENDING for the next launch.
        await sleepMs(delayMs, engine.interruptSignal);
        const resumed = await resumeWorkflow(engine, workflowID);
        if (resumed) engine.logger.info(`Workflow ${workflowID} resumed after a system database outage.`);
        return;
      } catch (error) {
        if (engine.interrupted) return;
        if (!(error instanceof DBOSDatabaseUnavailableError)) {
          engine.logger.error(`Could not resume workflow ${workflowID} after a database outage: ${(error as Error).message}`);
          return;
        }
      }
    }
  }
}
