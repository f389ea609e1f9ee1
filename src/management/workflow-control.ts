/**
 * Steering workflows: cancel, resume, and reading a workflow's recorded
 * steps — shared by the DBOS facade (and later the client, admin API and
 * CLI). From workflow code each call is a recorded operation, so replay does
 * not cancel or resume twice.
 */
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError } from '../errors/errors.ts';
import type { ListWorkflowStepsOptions, StepInfo, WaitAllOptions } from '../types/workflow-types.ts';
import { recordedOperation } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { internalQueueName } from '../engine/recovery.ts';
import { decodeError, decodeValue } from '../engine/stored-values.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { currentContext, workflowCodeState } from '../engine/workflow-context.ts';
import { waitForWrite } from '../engine/wait-for-write.ts';
import { isTerminalStatus } from '../system-database/records.ts';
import { linkedTracePrefix } from '../telemetry/tracing.ts';
import { queueTarget } from './queue-target.ts';

function recorded<T>(operationName: string, work: () => Promise<T>): Promise<T> {
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, operationName, work) : work();
}

function ids(what: string, workflowIDs: readonly string[]): readonly string[] {
  if (!Array.isArray(workflowIDs) || !workflowIDs.every((id) => typeof id === 'string' && id.length > 0)) {
    throw new DBOSConfigurationError(`${what}: expected workflow IDs (non-empty strings), got ${JSON.stringify(workflowIDs)}.`);
  }
  return workflowIDs;
}

export interface CancelOptions {
  /** Also cancel the workflows they started, recursively (default true). */
  cancelChildren?: boolean;
}

/**
 * Cancel workflows that have not finished: they become CANCELLED at once,
 * leave their queues, are never recovered, and wherever one runs it stops at
 * its next durable operation.
 */
export function cancelWorkflows(engine: Engine, workflowIDs: readonly string[], options: CancelOptions = {}): Promise<void> {
  const checked = ids('DBOS.cancelWorkflows', workflowIDs);
  // Recorded as DBOS records it: no output.
  return recorded('DBOS.cancelWorkflow', async () => void (await cancelWorkflowIDs(engine, checked, options)));
}

/** cancelWorkflows outside workflow code (not recorded), returning the IDs it cancelled, descendants included. */
export async function cancelWorkflowIDs(engine: Engine, workflowIDs: readonly string[], options: CancelOptions = {}): Promise<string[]> {
  const checked = ids('DBOS.cancelWorkflows', workflowIDs);
  const cancelled = await engine.systemDatabase.cancelWorkflows(checked, options.cancelChildren ?? true, Date.now());
  engine.markCancelled(cancelled);
  return cancelled;
}

export interface ResumeOptions {
  /** Resume onto this queue (it must exist), under its limits; default: the internal queue, which has none. */
  queueName?: string;
}

/**
 * Run cancelled (or stuck) workflows again from their last completed step,
 * their recovery attempts reset; an ENQUEUED one starts at once, bypassing its
 * queue, unless `queueName` puts them on a queue. Finished workflows are left as they are.
 */
export async function resumeWorkflows(
  engine: Engine,
  workflowIDs: readonly string[],
  options: ResumeOptions = {},
): Promise<DurableWorkflowHandle<unknown>[]> {
  const checked = ids('DBOS.resumeWorkflows', workflowIDs);
  await recorded('DBOS.resumeWorkflow', async () => void (await resumeWorkflowIDs(engine, checked, options)));
  return checked.map((id) => new DurableWorkflowHandle(engine, id));
}

/** resumeWorkflows outside workflow code (not recorded), returning the IDs it resumed (finished and unknown ones left out). */
export async function resumeWorkflowIDs(engine: Engine, workflowIDs: readonly string[], options: ResumeOptions = {}): Promise<string[]> {
  const checked = ids('DBOS.resumeWorkflows', workflowIDs);
  const target = await queueTarget(engine, 'DBOS.resumeWorkflow', options.queueName, undefined);
  return engine.systemDatabase.resumeWorkflows(checked, target.queueName, Date.now());
}

/** A workflow's recorded operations in order (a page of them with limit/offset); undefined if the workflow does not exist. */
export async function listWorkflowSteps(
  engine: Engine,
  workflowID: string,
  options: ListWorkflowStepsOptions = {},
): Promise<StepInfo[] | undefined> {
  const limit = pageSize('limit', options.limit);
  const offset = pageSize('offset', options.offset);
  return recorded('DBOS.listWorkflowSteps', async () => {
    if (!(await engine.systemDatabase.getWorkflowStatus(workflowID))) return undefined;
    const outcomes = await engine.systemDatabase.listStepOutcomes(workflowID, limit, offset);
    return Promise.all(outcomes.map(async (o) => ({
      functionID: o.functionID,
      name: o.functionName,
      output: o.output === null ? null : await decodeValue(o.output, o.serialization),
      error: o.error === null ? null : await decodeError(o.error, o.serialization),
      childWorkflowID: o.childWorkflowID,
      startedAtEpochMs: o.startedAtEpochMs,
      completedAtEpochMs: o.completedAtEpochMs,
    })));
  });
}

function pageSize(key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new DBOSConfigurationError(`DBOS.listWorkflowSteps: ${key} must be an integer >= 0, got ${JSON.stringify(value)}.`);
  }
  return value;
}

export interface ForkOptions {
  newWorkflowID?: string;
  /** Run the fork under this application version (default: the original's). */
  applicationVersion?: string;
  timeoutMS?: number;
  /** Enqueue the fork on this queue (it must exist); default: the internal queue. */
  queueName?: string;
  /** The fork's partition key (required on a partitioned queue, refused on others). */
  queuePartitionKey?: string;
}

/**
 * Start a new workflow with the inputs of `workflowID` that reuses its
 * recorded outcomes before `startStep` and runs the rest afresh; the new
 * workflow records what it was forked from.
 */
export async function forkWorkflow(
  engine: Engine,
  workflowID: string,
  startStep: number,
  options: ForkOptions = {},
): Promise<DurableWorkflowHandle<unknown>> {
  if (!Number.isInteger(startStep) || startStep < 0) {
    throw new DBOSConfigurationError(`DBOS.forkWorkflow: startStep must be an integer >= 0, got ${JSON.stringify(startStep)}.`);
  }
  const timeoutMs = options.timeoutMS ?? null;
  if (timeoutMs !== null && (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))) {
    throw new DBOSConfigurationError(`DBOS.forkWorkflow: timeoutMS must be a positive number, got ${timeoutMs}.`);
  }
  const assigned = currentContext().assignedWorkflowID;
  let newWorkflowID = options.newWorkflowID;
  if (newWorkflowID === undefined && assigned && !assigned.used) {
    assigned.used = true;
    newWorkflowID = assigned.id;
  }
  const fork = {
    originalID: workflowID,
    newWorkflowID: newWorkflowID ?? randomUUID(),
    startStep,
    applicationVersion: options.applicationVersion ?? null,
    timeoutMs,
    queueName: internalQueueName,
    queuePartitionKey: null as string | null,
    executorID: engine.identity.executorID,
    ownerXid: randomUUID(),
    now: Date.now(),
    traceLinkPrefix: linkedTracePrefix,
  };
  await recorded('DBOS.forkWorkflow', async () => {
    const target = await queueTarget(engine, 'DBOS.forkWorkflow', options.queueName, options.queuePartitionKey);
    await engine.systemDatabase.forkWorkflow({ ...fork, ...target });
  });
  return new DurableWorkflowHandle(engine, fork.newWorkflowID);
}

/** Delete workflows irreversibly, with everything they recorded; with `deleteChildren`, their descendants too. */
export async function deleteWorkflows(engine: Engine, workflowIDs: readonly string[], deleteChildren = false): Promise<void> {
  const checked = ids('DBOS.deleteWorkflows', workflowIDs);
  await recorded('DBOS.deleteWorkflow', async () => {
    await engine.systemDatabase.deleteWorkflows(checked, deleteChildren);
  });
}

export interface GarbageCollectOptions {
  /** Delete finished workflows created before this time. */
  cutoffEpochTimestampMs?: number;
  /** Keep at most this many of the newest workflows (finished ones beyond them are deleted). */
  rowsThreshold?: number;
}

/**
 * Delete old finished workflows; PENDING, ENQUEUED and DELAYED ones are never touched. Returns how many.
 * Scoped as DBOS's: the engine's application's workflows and unowned ones (an engine of no application,
 * a client created without applicationName, sees and collects every application's).
 */
export function garbageCollect(engine: Engine, options: GarbageCollectOptions): Promise<number> {
  const { cutoffEpochTimestampMs: cutoff, rowsThreshold: rows } = options;
  if (cutoff !== undefined && !Number.isFinite(cutoff)) {
    throw new DBOSConfigurationError(`garbageCollect: cutoffEpochTimestampMs must be a number, got ${JSON.stringify(cutoff)}.`);
  }
  if (rows !== undefined && (!Number.isInteger(rows) || rows < 0)) {
    throw new DBOSConfigurationError(`garbageCollect: rowsThreshold must be an integer >= 0, got ${JSON.stringify(rows)}.`);
  }
  const application = engine.identity.applicationName;
  return engine.systemDatabase.garbageCollect(cutoff, rows, application === '' ? undefined : [application]);
}

/**
 * The first of these workflows to finish (any final status), waiting on each
 * one's outcome notification; from workflow code the choice is recorded, so
 * replay picks the same one.
 */
export async function waitFirst<H extends { workflowID: string }>(engine: Engine, handles: readonly H[]): Promise<H> {
  if (handles.length === 0) throw new DBOSConfigurationError('waitFirst: handles must not be empty (give at least one handle).');
  const byID = new Map(handles.map((h) => [h.workflowID, h]));
  if (byID.size !== handles.length) throw new DBOSConfigurationError('DBOS.waitFirst: the handles must be of distinct workflows.');
  const firstID = await recorded('DBOS.waitFirst', async () => {
    const awaited = [...byID.keys()].map((workflowID) => ({ kind: 'outcome' as const, workflowID }));
    const found = await waitForWrite(engine, awaited, Number.POSITIVE_INFINITY, async () => {
      for (const id of byID.keys()) {
        const status = await engine.systemDatabase.getWorkflowStatus(id);
        if (status && isTerminalStatus(status.status)) return id;
      }
      return undefined;
    });
    return found!;
  });
  return byID.get(firstID)!;
}

/**
 * Wait until every one of these workflows has finished (any final status) and
 * return the handles as given; from workflow code the wait is recorded, so
 * replay does not wait again.
 */
export async function waitAll<H extends { workflowID: string }>(
  engine: Engine,
  handles: readonly H[],
  options: WaitAllOptions = {},
): Promise<H[]> {
  if (!Array.isArray(handles) || !handles.every((h) => typeof h?.workflowID === 'string')) {
    throw new DBOSConfigurationError(`DBOS.waitAll: expected an array of workflow handles, got ${JSON.stringify(handles)}.`);
  }
  const interval = options.pollingIntervalMs;
  if (interval !== undefined && !(typeof interval === 'number' && interval > 0 && Number.isFinite(interval))) {
    throw new DBOSConfigurationError(`DBOS.waitAll: pollingIntervalMs must be a positive number, got ${JSON.stringify(interval)}.`);
  }
  const waiting = new Set(handles.map((h) => h.workflowID));
  await recorded('DBOS.waitAll', async () => {
    const awaited = [...waiting].map((workflowID) => ({ kind: 'outcome' as const, workflowID }));
    const read = async () => {
      for (const id of [...waiting]) {
        const status = await engine.systemDatabase.getWorkflowStatus(id);
        if (status && isTerminalStatus(status.status)) waiting.delete(id);
      }
      return waiting.size === 0 ? true : undefined;
    };
    await waitForWrite(engine, awaited, Number.POSITIVE_INFINITY, read, interval);
  });
  return [...handles];
}
