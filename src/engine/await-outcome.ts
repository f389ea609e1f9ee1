/**
 * Waiting for a workflow's final outcome, from any process: register with the
 * notifier, read the status row, and if it is not final, sleep until woken
 * (a local completion, a Postgres NOTIFY) or until the safety poll.
 */
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSNonExistentWorkflowError,
} from '../errors/errors.ts';
import { isTerminalStatus, type WorkflowStatusRecord } from '../system-database/records.ts';
import type { Engine } from './engine.ts';
import { decodeError, decodeValue } from './stored-values.ts';
import { waitForWrite } from './wait-for-write.ts';

export const timedOut = Symbol('timed out');

/** The final status row of a workflow, or `timedOut` if none came before the deadline. */
export async function awaitFinalStatus(
  engine: Engine,
  workflowID: string,
  deadlineEpochMs = Number.POSITIVE_INFINITY,
  pollingIntervalMs?: number,
  failIfMissing = false,
): Promise<WorkflowStatusRecord | typeof timedOut> {
  const status = await waitForWrite(
    engine,
    [{ kind: 'outcome', workflowID }],
    deadlineEpochMs,
    async () => {
      const row = await engine.systemDatabase.getWorkflowStatus(workflowID);
      // A missing row is usually one not inserted yet; to a caller that knows it existed, it was deleted.
      if (!row && failIfMissing) throw deletedWhileRunning(workflowID);
      return row && isTerminalStatus(row.status) ? row : undefined;
    },
    pollingIntervalMs,
  );
  return status ?? timedOut;
}

export function deletedWhileRunning(workflowID: string): DBOSNonExistentWorkflowError {
  return new DBOSNonExistentWorkflowError(
    `Workflow ${workflowID} does not exist: its status row was deleted while it ran, so it has no outcome.`,
    { workflowID },
  );
}

/** The value a final status row stands for: the output, or the recorded error thrown. */
export async function outcomeOf<T>(status: WorkflowStatusRecord): Promise<T> {
  switch (status.status) {
    case 'SUCCESS':
      return decodeValue<T>(status.output, status.serialization);
    case 'ERROR':
      throw await decodeError(status.error ?? 'null', status.serialization);
    case 'CANCELLED':
      throw new DBOSAwaitedWorkflowCancelledError(status.workflowID);
    default:
      throw new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(status.workflowID);
  }
}
