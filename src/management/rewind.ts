/**
 * Rewind (DBOS 5.3's rewindWorkflow), shared by the DBOS facade and the
 * client: a finished workflow keeps its ID and runs again from `startStep`,
 * replaying the steps before it. Where a fork writes a new workflow, a rewind
 * replays in place, so peers keep addressing the same ID and children keep
 * their deterministic IDs.
 *
 * Order, as DBOS's: the data sources' checkpoints from `startStep` on are
 * deleted first (each its own transaction; idempotent), the system database
 * last (one transaction, sql/rewind.ts). A failure in between leaves the
 * workflow finished, as it was, and the rewind can simply be retried: a
 * leftover data source checkpoint is never replayed, because its step is
 * still recorded in the system database.
 */
import { DBOSConfigurationError, DBOSNonExistentWorkflowError, DBOSWorkflowNotRewindableError } from '../errors/errors.ts';
import { recordedOperation } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { workflowCodeState } from '../engine/workflow-context.ts';
import { isTerminalStatus } from '../system-database/records.ts';
import type { DataSourceTransactionHandler } from '../datasources/data-source-types.ts';
import { queueTarget } from './queue-target.ts';

export interface RewindOptions {
  /** History from this step (function ID) on is dropped; default 0, the whole history. */
  startStep?: number;
  /** Restamp the workflow with this application version before it replays (default: keep its own). */
  applicationVersion?: string;
  /** Enqueue it on this queue (it must exist); default: the internal queue. */
  queueName?: string;
  /** Its partition key on a partitioned queue. */
  queuePartitionKey?: string;
}

/** Rewind `workflowID`, and with it the checkpoints these data sources keep of its transactions. */
export async function rewindWorkflow(
  engine: Engine,
  workflowID: string,
  options: RewindOptions = {},
  dataSources: readonly DataSourceTransactionHandler[] = [],
): Promise<DurableWorkflowHandle<unknown>> {
  const what = 'DBOS.rewindWorkflow';
  if (typeof workflowID !== 'string' || workflowID === '') {
    throw new DBOSConfigurationError(`${what}: expected a workflow ID (a non-empty string), got ${JSON.stringify(workflowID)}.`);
  }
  const startStep = options.startStep ?? 0;
  if (!Number.isInteger(startStep) || startStep < 0) {
    throw new DBOSConfigurationError(`${what}: startStep must be an integer >= 0, got ${JSON.stringify(startStep)}.`);
  }
  const version = options.applicationVersion;
  if (version !== undefined && (typeof version !== 'string' || version === '')) {
    throw new DBOSConfigurationError(`${what}: applicationVersion must be a non-empty string, got ${JSON.stringify(version)}.`);
  }
  const rewind = async () => {
    const target = await queueTarget(engine, what, options.queueName, options.queuePartitionKey);
    // Refuse before touching any data source: an unfinished workflow's checkpoints are still in use.
    requireRewindable(workflowID, (await engine.systemDatabase.getWorkflowStatus(workflowID))?.status);
    for (const dataSource of dataSources) await dataSource.deleteCheckpoints?.(workflowID, startStep);
    const outcome = await engine.systemDatabase.rewindWorkflow({
      workflowID,
      startStep,
      applicationVersion: version ?? null,
      ...target,
      now: Date.now(),
    });
    if (outcome.kind === 'missing') requireRewindable(workflowID, undefined);
    if (outcome.kind === 'not-terminal') requireRewindable(workflowID, outcome.status);
  };
  const workflow = workflowCodeState();
  await (workflow ? recordedOperation(workflow, 'DBOS.rewindWorkflow', rewind) : rewind());
  return new DurableWorkflowHandle(engine, workflowID);
}

function requireRewindable(workflowID: string, status: string | undefined): void {
  if (status === undefined) {
    throw new DBOSNonExistentWorkflowError(`Cannot rewind workflow ${workflowID}: no such workflow exists.`, { workflowID });
  }
  if (!isTerminalStatus(status)) throw new DBOSWorkflowNotRewindableError(workflowID, status);
}
