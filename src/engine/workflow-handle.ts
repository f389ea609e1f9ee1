/**
 * WorkflowHandle: a workflow ID plus ways to read its status and wait for its
 * result. A workflow running in this process is awaited in memory; any other
 * is awaited through the notifier. Waiting from workflow code is itself a
 * recorded operation (DBOS.getResult), so replay returns the same result.
 */
import { DBOSWorkflowCancelledError } from '../errors/errors.ts';
import { checkPositiveOption, waitOptions } from '../support/wait-timeouts.ts';
import type { GetResultOptions, WorkflowHandle, WorkflowStatus } from '../types/workflow-types.ts';
import { awaitFinalStatus, outcomeOf, timedOut } from './await-outcome.ts';
import { recordedOperation } from './checkpoint.ts';
import type { Engine } from './engine.ts';
import { decodeWorkflowInputs } from './stored-values.ts';
import { toPublicStatus } from './status-mapping.ts';
import { workflowCodeState } from './workflow-context.ts';

export class DurableWorkflowHandle<R> implements WorkflowHandle<R> {
  constructor(
    private readonly engine: Engine,
    readonly workflowID: string,
  ) {}

  async getStatus(): Promise<WorkflowStatus | null> {
    const row = await this.engine.systemDatabase.getWorkflowStatus(this.workflowID);
    return row ? await toPublicStatus(row) : null;
  }

  async getResult(options?: GetResultOptions): Promise<R> {
    const result = await awaitWorkflowResult<R>(this.engine, this.workflowID, options);
    return result as R;
  }

  async getWorkflowInputs<T extends unknown[] = unknown[]>(): Promise<T> {
    const row = await this.engine.systemDatabase.getWorkflowStatus(this.workflowID);
    return (row ? await decodeWorkflowInputs(row.inputs, row.serialization) : []) as T;
  }
}

/** The workflow's result, or null when `options` set a timeout that expired first. */
export function awaitWorkflowResult<R>(engine: Engine, workflowID: string, given?: GetResultOptions): Promise<R | null> {
  const options = waitOptions('getResult', given);
  checkPositiveOption('getResult', 'pollingIntervalMs', options?.pollingIntervalMs);
  checkPositiveOption('getResult', 'deadlineEpochMS', options?.deadlineEpochMS);
  const deadline =
    options?.deadlineEpochMS ??
    (options?.timeoutSeconds === undefined ? undefined : Date.now() + options.timeoutSeconds * 1000);
  const wait = () => waitHere<R>(engine, workflowID, deadline, options?.pollingIntervalMs);
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, 'DBOS.getResult', wait, workflowID) : wait();
}

async function waitHere<R>(
  engine: Engine,
  workflowID: string,
  deadline: number | undefined,
  pollingIntervalMs: number | undefined,
): Promise<R | null> {
  const running = engine.running.get(workflowID);
  if (running && deadline === undefined) {
    try {
      return (await running) as R;
    } catch (error) {
      // The execution here was cancelled, but the workflow may have been resumed since: then its outcome is to come.
      const cancelledHere = error instanceof DBOSWorkflowCancelledError && error.workflowID === workflowID;
      if (!cancelledHere) throw error;
      const row = await engine.systemDatabase.getWorkflowStatus(workflowID);
      if (!row || row.status === 'CANCELLED') throw error;
    }
  }
  const status = await awaitFinalStatus(engine, workflowID, deadline, pollingIntervalMs);
  return status === timedOut ? null : await outcomeOf<R>(status);
}
