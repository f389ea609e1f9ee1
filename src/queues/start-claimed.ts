/**
 * Starting a workflow this process just claimed from a queue: past its
 * recovery-attempt budget it is retired instead; otherwise it runs here,
 * resuming from recorded steps if an earlier execution got that far.
 */
import { DBOSNotRegisteredError } from '../errors/errors.ts';
import type { Engine } from '../engine/engine.ts';
import { defaultMaxRecoveryAttempts } from '../engine/recovery.ts';
import { executeWorkflow } from '../engine/run-workflow.ts';
import { storedExecution } from '../engine/stored-execution.ts';
import { receiverForRecorded } from '../engine/workflow-receiver.ts';
import type { ClaimedWorkflow } from '../system-database/claim-records.ts';

export async function startClaimedWorkflow(engine: Engine, workflow: ClaimedWorkflow): Promise<unknown> {
  const { systemDatabase } = engine;
  const registration = engine.registry.findWorkflow(workflow.className, workflow.workflowName);
  if (!registration) {
    // Left PENDING: a process that has this workflow registered can recover it.
    engine.logger.error(new DBOSNotRegisteredError(workflow.workflowName).message + ` (workflow ${workflow.workflowID})`);
    return;
  }
  let thisArg: unknown;
  try {
    thisArg = receiverForRecorded(engine.registry, registration, workflow.configName);
  } catch (error) {
    // Left PENDING too: a process that constructed the configured instance can recover it.
    engine.logger.error(`${(error as Error).message} (workflow ${workflow.workflowID})`);
    return;
  }
  const max = registration.config.maxRecoveryAttempts ?? defaultMaxRecoveryAttempts;
  // The first dequeue is attempt 1; each later one is a recovery.
  if (workflow.recoveryAttempts > max + 1) {
    await systemDatabase.markRecoveryAttemptsExceeded(workflow.workflowID, Date.now());
    engine.logger.warn(`Workflow ${workflow.workflowID} exceeded its ${max} recovery attempts.`);
    return;
  }
  // Already running here (a duplicate claim): keep that run, unless it is a cancelled run this claim resumes.
  if (engine.running.has(workflow.workflowID) && !engine.states.get(workflow.workflowID)?.cancelled) {
    return engine.running.get(workflow.workflowID);
  }
  if (engine.metrics.enabled && workflow.queueName) {
    // Waited since it became startable: its enqueue, or the end of its delay.
    engine.metrics.dequeued(workflow.queueName, Date.now() - Math.max(workflow.createdAt, workflow.delayUntilEpochMs ?? 0));
  }
  // Only a workflow that ran before (recovered, resumed, forked) has outcomes to replay.
  const recorded = workflow.hasRecordedOperations ? await systemDatabase.loadStepOutcomes(workflow.workflowID) : [];
  return executeWorkflow(engine, storedExecution(workflow, registration, thisArg, recorded));
}
