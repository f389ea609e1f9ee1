/**
 * WorkflowHandle: a workflow ID plus ways to read its status and wait for its
 * result. A workflow running in this process is awaited in memory (and, now
 * and then, in the database: another process may finish it first); any other
 * is awaited through the notifier. Waiting from workflow code is itself a
 * recorded operation (DBOS.getResult), so replay returns the same result.
 */
import {
  DBOSAwaitedWorkflowCancelledError,
  DBOSAwaitedWorkflowExceededMaxRecoveryAttempts,
  DBOSMaxRecoveryAttemptsExceededError,
  DBOSWorkflowCancelledError,
} from '../errors/errors.ts';
import { checkPositiveOption, waitOptions } from '../support/wait-timeouts.ts';
import type { GetResultOptions, WorkflowHandle, WorkflowStatus } from '../types/workflow-types.ts';
import { awaitFinalStatus, outcomeOf, timedOut } from './await-outcome.ts';
import { recordedOperation } from './checkpoint.ts';
import { awaitLocalOrRecorded } from './finished-elsewhere.ts';
import type { Engine } from './engine.ts';
import { decodeWorkflowInputs } from './stored-values.ts';
import { toPublicStatus } from './status-mapping.ts';
import { isRetriableDatabaseFault } from './database-faults.ts';
import { durableDeadline } from './durable-sleep.ts';
import { reserveFunctionID, workflowCodeState } from './workflow-context.ts';

export class DurableWorkflowHandle<R> implements WorkflowHandle<R> {
  constructor(
    private readonly engine: Engine,
    readonly workflowID: string,
    /** DBOS.retrieveWorkflow's (or a client's): an awaiter, wherever the workflow runs, as DBOS's retrieved handles. */
    retrieved = false,
  ) {
    this.invoked = !retrieved && engine.running.has(workflowID);
  }

  /**
   * Made when its workflow was executing here: the handle of a direct start, DBOS's "invoked" handle, which
   * reports the workflow's own errors. Others (a queued start, a retrieved handle) poll in DBOS, and report a
   * cancelled or dead-lettered workflow as an awaiter.
   */
  private readonly invoked: boolean;

  async getStatus(): Promise<WorkflowStatus | null> {
    const row = await this.engine.systemDatabase.getWorkflowStatus(this.workflowID);
    return row ? await toPublicStatus(row) : null;
  }

  async getResult(options?: GetResultOptions): Promise<R> {
    const result = await awaitWorkflowResult<R>(this.engine, this.workflowID, options, false, !this.invoked);
    return result as R;
  }

  async getWorkflowInputs<T extends unknown[] = unknown[]>(): Promise<T> {
    const row = await this.engine.systemDatabase.getWorkflowStatus(this.workflowID);
    return (row ? await decodeWorkflowInputs(row.inputs, row.serialization) : []) as T;
  }
}

/**
 * The workflow's result, or null when `options` set a timeout that expired first. `durableTimeout` (DBOS.getResult):
 * in workflow code, a timeout's deadline is recorded first under its own function ID, as in DBOS, so a recovered
 * wait only waits what remains and histories recorded by DBOS line up.
 */
export function awaitWorkflowResult<R>(
  engine: Engine,
  workflowID: string,
  given?: GetResultOptions,
  durableTimeout = false,
  asAwaiter = false,
): Promise<R | null> {
  const options = waitOptions('getResult', given);
  checkPositiveOption('getResult', 'pollingIntervalMs', options?.pollingIntervalMs);
  checkPositiveOption('getResult', 'deadlineEpochMS', options?.deadlineEpochMS);
  const deadline =
    options?.deadlineEpochMS ??
    (options?.timeoutSeconds === undefined ? undefined : Date.now() + options.timeoutSeconds * 1000);
  const workflow = workflowCodeState();
  if (!workflow) return waitHere<R>(engine, workflowID, deadline, options?.pollingIntervalMs, false, asAwaiter);
  const timerID = durableTimeout && deadline !== undefined ? reserveFunctionID(workflow) : undefined;
  const wait = async () => {
    const until = timerID === undefined ? deadline : await durableDeadline(workflow, timerID, deadline! - Date.now());
    return waitHere<R>(engine, workflowID, until, options?.pollingIntervalMs, true, asAwaiter);
  };
  return recordedOperation(workflow, 'DBOS.getResult', wait, workflowID);
}

async function waitHere<R>(
  engine: Engine,
  workflowID: string,
  deadline: number | undefined,
  pollingIntervalMs: number | undefined,
  fromWorkflow: boolean,
  asAwaiter: boolean,
): Promise<R | null> {
  const running = engine.running.get(workflowID);
  if (running && deadline === undefined) {
    try {
      // Not the local execution alone: another process may finish the workflow while it is stuck (finished-elsewhere.ts).
      return await awaitLocalOrRecorded(engine, workflowID, running as Promise<R>);
    } catch (error) {
      // A database fault stopped the execution here, not the workflow: it resumes when the fault clears. A
      // workflow waits for that outcome (recording the fault as its own would fail it for good); other
      // callers get the typed error, rather than hanging for as long as the fault lasts.
      if (fromWorkflow && isRetriableDatabaseFault(error)) return awaitOutcome<R>(engine, workflowID, deadline, pollingIntervalMs);
      // The execution here was cancelled, but the workflow may have been resumed since: then its outcome is to come.
      const cancelledHere = error instanceof DBOSWorkflowCancelledError && error.workflowID === workflowID;
      if (!cancelledHere) throw reported(error);
      const row = await engine.systemDatabase.getWorkflowStatus(workflowID);
      if (!row || row.status === 'CANCELLED') throw reported(error);
    }
  }
  try {
    return await awaitOutcome<R>(engine, workflowID, deadline, pollingIntervalMs);
  } catch (error) {
    throw reported(error);
  }

  /**
   * The handle of a start, outside workflow code, reports the workflow's own cancellation or dead-lettering
   * whether the execution here told it or the row did (the execution ended before the call, or it is still
   * blocked after the row went final: a deadline passed during a sleep, say); an awaiter reports it as awaited.
   */
  function reported(error: unknown): unknown {
    if (asAwaiter) return awaitedError(error, workflowID);
    return fromWorkflow ? error : ownError(error, workflowID);
  }
}

async function awaitOutcome<R>(
  engine: Engine,
  workflowID: string,
  deadline: number | undefined,
  pollingIntervalMs: number | undefined,
): Promise<R | null> {
  const status = await awaitFinalStatus(engine, workflowID, deadline, pollingIntervalMs);
  return status === timedOut ? null : await outcomeOf<R>(status);
}

/** The workflow's own cancellation or dead-lettering, as its awaiters see it (outcomeOf's errors for a stored row). */
function awaitedError(error: unknown, workflowID: string): unknown {
  if (error instanceof DBOSWorkflowCancelledError && error.workflowID === workflowID) return new DBOSAwaitedWorkflowCancelledError(workflowID);
  if (error instanceof DBOSMaxRecoveryAttemptsExceededError && error.workflowID === workflowID) {
    return new DBOSAwaitedWorkflowExceededMaxRecoveryAttempts(workflowID);
  }
  return error;
}

/** The inverse of awaitedError, for a stored outcome read by the handle of a start. */
function ownError(error: unknown, workflowID: string): unknown {
  if (error instanceof DBOSAwaitedWorkflowCancelledError && error.workflowID === workflowID) return new DBOSWorkflowCancelledError(workflowID);
  if (error instanceof DBOSAwaitedWorkflowExceededMaxRecoveryAttempts && error.workflowID === workflowID) {
    return new DBOSMaxRecoveryAttemptsExceededError(workflowID);
  }
  return error;
}
