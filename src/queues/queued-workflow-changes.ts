/**
 * DBOS.setWorkflowPriority and DBOS.setWorkflowDelay: change a waiting
 * workflow's place in its queue. Only waiting workflows change (priority:
 * ENQUEUED or DELAYED; delay: DELAYED); one in another state is left as it is,
 * as in DBOS, since it may have started a moment ago. From workflow code each
 * call is recorded with its change, so a replay does not make it again.
 */
import { checkpointFor } from '../engine/checkpoint.ts';
import { recordedOutcome, replay } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { reserveFunctionID, workflowCodeState } from '../engine/workflow-context.ts';
import { DBOSConfigurationError, DBOSInvalidQueuePriorityError } from '../errors/errors.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import type { QueuedWorkflowChange } from '../system-database/system-database.ts';
import { maxPriority } from './enqueue-placement.ts';

/** DBOS's options of setWorkflowDelay: a delay from now, or an absolute due time (one of the two). */
export interface SetWorkflowDelayOptions {
  delaySeconds?: number;
  delayUntilEpochMS?: number;
}

/**
 * From workflow code, once (replayed from the checkpoint that commits with the change); elsewhere, directly.
 * As in DBOS, a workflow that is missing or no longer waits on its queue is left alone.
 */
async function change(name: string, apply: (checkpoint?: StepOutcomeRecord) => Promise<QueuedWorkflowChange>): Promise<void> {
  const workflow = workflowCodeState();
  if (!workflow) {
    await apply();
    return;
  }
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replay<void>(recorded);
  await apply(checkpointFor(workflow, functionID, name, Date.now()));
}

function checkID(what: string, workflowID: unknown): asserts workflowID is string {
  if (typeof workflowID !== 'string' || workflowID.length === 0) {
    throw new DBOSConfigurationError(`${what}: the workflow ID must be a non-empty string, got ${JSON.stringify(workflowID)}.`);
  }
}

export async function setWorkflowPriority(engine: Engine, workflowID: string, priority: number) {
  checkID('DBOS.setWorkflowPriority', workflowID);
  if (typeof priority !== 'number' || !Number.isInteger(priority) || priority < 1 || priority > maxPriority) {
    throw new DBOSInvalidQueuePriorityError(priority, 1, maxPriority);
  }
  // Every queue orders by priority (DBOS 5: priorityEnabled is deprecated), so no queue refuses one.
  await change(
    'DBOS.setWorkflowPriority',
    (checkpoint) => engine.systemDatabase.setQueuedWorkflowPriority(workflowID, priority, Date.now(), checkpoint),
  );
}

/** The due time `options` name, computed now (a number is seconds from now, as in DBOS). */
export function delayUntilEpochMs(options: number | SetWorkflowDelayOptions, now: number): number {
  const { delaySeconds, delayUntilEpochMS } = typeof options === 'number' ? { delaySeconds: options } : (options ?? {});
  const given = JSON.stringify(options);
  if (typeof options !== 'number' && (options === null || typeof options !== 'object')) {
    throw new DBOSConfigurationError(`DBOS.setWorkflowDelay: expected seconds or { delaySeconds } or { delayUntilEpochMS }, got ${given}.`);
  }
  if ((delaySeconds === undefined) === (delayUntilEpochMS === undefined)) {
    throw new DBOSConfigurationError(`DBOS.setWorkflowDelay: give exactly one of delaySeconds and delayUntilEpochMS, got ${given}.`);
  }
  if (delaySeconds !== undefined) {
    if (typeof delaySeconds !== 'number' || !(delaySeconds >= 0) || !Number.isFinite(delaySeconds)) {
      throw new DBOSConfigurationError(`DBOS.setWorkflowDelay: delaySeconds must be a finite number >= 0, got ${given}.`);
    }
    return now + Math.ceil(delaySeconds * 1000);
  }
  if (typeof delayUntilEpochMS !== 'number' || !Number.isFinite(delayUntilEpochMS)) {
    throw new DBOSConfigurationError(`DBOS.setWorkflowDelay: delayUntilEpochMS must be a finite epoch time in ms, got ${given}.`);
  }
  return Math.round(delayUntilEpochMS);
}

export async function setWorkflowDelay(engine: Engine, workflowID: string, options: number | SetWorkflowDelayOptions) {
  checkID('DBOS.setWorkflowDelay', workflowID);
  delayUntilEpochMs(options, Date.now()); // bad options fail before anything is recorded
  await change(
    'DBOS.setWorkflowDelay',
    (checkpoint) => {
      const now = Date.now();
      return engine.systemDatabase.setWorkflowDelayUntil(workflowID, delayUntilEpochMs(options, now), now, checkpoint);
    },
  );
}
