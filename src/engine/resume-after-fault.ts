/**
 * Workflows stopped by a fault of the system database resume here, in this process, once it clears.
 *
 * A durable operation that meets a fault worth waiting out (a locked, read-only or full SQLite file) is
 * retried by the connection for `databaseOutageTimeoutMs`; past that it throws a retriable fault error
 * (errors/system-database-fault-errors.ts). The workflow then records nothing, not even its failure
 * (run-workflow.ts): it stays PENDING, its committed steps stay committed. This resumer tries it again
 * with backoff, as recovery would (resumeWorkflow: replay the recorded steps, run the rest), until it runs,
 * so the application needs no restart. The caller that awaited the stopped execution got the fault error;
 * the workflow's result is then read through its handle again. Shutdown stops the resumer (recovery at the
 * next launch takes over).
 */
import { isRetriableDatabaseFault } from './database-faults.ts';
import type { Engine } from './engine.ts';
import { resumeWorkflow } from './recovery.ts';

const firstDelayMs = 500;
const maxDelayMs = 15_000;

export class FaultResumer {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly engine: Engine) {}

  /** Try `workflowID`, stopped by `fault`, again after a delay (doubling from `firstDelayMs` while the fault lasts). */
  schedule(workflowID: string, fault: unknown, attempt = 0): void {
    if (this.stopped || this.engine.interrupted || this.timers.has(workflowID)) return;
    const delayMs = Math.min(maxDelayMs, firstDelayMs * 2 ** attempt);
    if (attempt === 0) {
      this.engine.logger.warn(`Workflow ${workflowID} stopped: ${(fault as Error).message} It resumes here once the fault clears.`);
    }
    const timer = setTimeout(() => {
      this.timers.delete(workflowID);
      resumeWorkflow(this.engine, workflowID, false).catch((error: unknown) => {
        if (isRetriableDatabaseFault(error)) this.schedule(workflowID, error, attempt + 1);
        else if (!this.stopped) this.engine.logger.error(`Could not resume workflow ${workflowID}: ${(error as Error).message}`);
      });
    }, delayMs);
    this.timers.set(workflowID, timer);
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
