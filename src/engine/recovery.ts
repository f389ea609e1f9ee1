/**
 * Resuming a PENDING workflow from its last completed step. Each resume
 * counts as a recovery attempt; past the workflow's maxRecoveryAttempts it
 * moves to MAX_RECOVERY_ATTEMPTS_EXCEEDED instead (a workflow that crashes its
 * process every time must not crash it forever). Recovery at launch does the
 * same for whole batches: launch-recovery.ts.
 */
import { DBOSNotRegisteredError } from '../errors/errors.ts';
import type { Engine } from './engine.ts';
import { executeWorkflow } from './run-workflow.ts';
import { storedExecution } from './stored-execution.ts';
import { receiverForRecorded } from './workflow-receiver.ts';

export { defaultMaxRecoveryAttempts } from './registry.ts';
import { defaultMaxRecoveryAttempts } from './registry.ts';

/** Recovery and other internal work is dequeued from this queue (DBOS's name), which has no limits. */
export const internalQueueName = '_dbos_internal_queue';

/**
 * Resume one PENDING workflow here; false if it was not resumed (finished meanwhile, or dead-lettered).
 * `limitAttempts: false` for a workflow stopped by a database fault, not by its own crash: an outage must not
 * use up its recovery attempts (resume-after-fault.ts).
 */
export async function resumeWorkflow(engine: Engine, workflowID: string, limitAttempts = true): Promise<boolean> {
  const { systemDatabase } = engine;
  if (engine.running.has(workflowID) && !engine.states.get(workflowID)?.cancelled) return true;
  const status = await systemDatabase.getWorkflowStatus(workflowID);
  if (!status || status.status !== 'PENDING') return false;
  const registration = engine.registry.findWorkflow(status.className, status.workflowName);
  if (!registration) throw new DBOSNotRegisteredError(status.workflowName);
  // Before claiming an attempt: a missing configured instance leaves the workflow for a process that has it.
  const thisArg = receiverForRecorded(engine.registry, registration, status.configName);
  const max = limitAttempts ? (registration.config.maxRecoveryAttempts ?? defaultMaxRecoveryAttempts) : Number.MAX_SAFE_INTEGER;
  const claim = await systemDatabase.claimRecoveryAttempt(workflowID, max, Date.now());
  if (claim.kind === 'not-pending') return false;
  if (claim.kind === 'exceeded') {
    engine.logger.warn(
      `Workflow ${workflowID} exceeded its ${max} recovery attempts and is now MAX_RECOVERY_ATTEMPTS_EXCEEDED.`,
    );
    return false;
  }
  const recorded = await systemDatabase.loadStepOutcomes(workflowID);
  executeWorkflow(engine, storedExecution(claim.workflow, registration, thisArg, recorded));
  return true;
}
