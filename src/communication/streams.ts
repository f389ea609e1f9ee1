/**
 * Streams: a workflow appends values to named streams (DBOS.writeStream,
 * DBOS.closeStream); anyone reads them in order with DBOS.readStream, an async
 * iterator that ends when the stream is closed or the workflow has ended, or
 * one value at a time with DBOS.readStreamOffset.
 * Writes from workflow code are recorded (replay does not write again);
 * writes from a step are not (the step may run again: at least once).
 */
import {
  DBOSConfigurationError,
  DBOSInvalidWorkflowTransitionError,
  DBOSNonExistentWorkflowError,
  DBOSStreamTimeoutError,
} from '../errors/errors.ts';
import { recordedOperation, recordedOutcome } from '../engine/checkpoint.ts';
import type { Engine } from '../engine/engine.ts';
import { portableSerialization } from '../engine/serialization.ts';
import { decodeValue, encodeValue } from '../engine/stored-values.ts';
import type { WriteStreamOptions } from '../types/serialization-types.ts';
import { waitForWrite } from '../engine/wait-for-write.ts';
import { currentContext, reserveFunctionID, workflowCodeState, type WorkflowState } from '../engine/workflow-context.ts';
import { isTerminalStatus, type AwaitedWrite, type StreamEntry } from '../system-database/records.ts';
import { checkpointFor } from '../engine/checkpoint.ts';
import { valueFormat } from './value-format.ts';

/** DBOS's close marker: the portable-JSON string below as a stream's last value. */
const closedSentinel = JSON.stringify('__DBOS_STREAM_CLOSED__');

function isSentinel(entry: StreamEntry): boolean {
  return entry.text === closedSentinel || entry.text === '__DBOS_STREAM_CLOSED__';
}

type Encoded = { text: string; serialization: string };

/** `encode` runs after the function ID is reserved: it may be async, and IDs must follow call order only. */
async function append(key: string, operation: string, encode: () => Encoded | Promise<Encoded>): Promise<void> {
  const context = currentContext();
  const workflow = context.workflow;
  if (!workflow) {
    throw new DBOSInvalidWorkflowTransitionError(
      `Invalid call to \`${operation}\` outside of a workflow or step: a stream belongs to the workflow that writes it.`,
    );
  }
  const { systemDatabase } = workflow.engine;
  if (context.step) {
    // From a step: not recorded; the step's own outcome is.
    const { text, serialization } = await encode();
    await systemDatabase.communication.writeStream({ workflowID: workflow.workflowID, key, text, serialization, functionID: context.step.functionID });
    return;
  }
  const functionID = reserveFunctionID(workflow);
  if (recordedOutcome(workflow, functionID, operation)) return;
  const startedAt = Date.now();
  const { text, serialization } = await encode();
  await systemDatabase.communication.writeStream(
    { workflowID: workflow.workflowID, key, text, serialization, functionID },
    checkpointFor(workflow, functionID, operation, startedAt),
  );
}

export async function writeStream(key: string, value: unknown, options?: WriteStreamOptions): Promise<void> {
  const format = valueFormat(options, 'DBOS.writeStream');
  await append(key, 'DBOS.writeStream', () => encodeValue(value, `the value written to stream "${key}"`, format));
}

export async function closeStream(key: string): Promise<void> {
  await append(key, 'DBOS.closeStream', () => ({ text: closedSentinel, serialization: portableSerialization }));
}

export interface ReadStreamOptions {
  /** The offset to start from (default 0, the first value). */
  offset?: number;
  /** How long to wait for each value before DBOSStreamTimeoutError (default: no limit); restarts at every value. */
  timeoutSeconds?: number;
  /** Longest wait between database reads (default: the backend's safety poll; wake-ups come by notification). */
  pollingIntervalMs?: number;
}

export type ReadStreamOffsetOptions = Omit<ReadStreamOptions, 'offset'>;

interface StreamReadPlan {
  workflowID: string;
  key: string;
  timeoutMs: number | undefined;
  pollingIntervalMs: number | undefined;
}

function readPlan(what: string, workflowID: string, key: string, options: ReadStreamOffsetOptions = {}): StreamReadPlan {
  const { timeoutSeconds, pollingIntervalMs } = options;
  if (timeoutSeconds !== undefined && (typeof timeoutSeconds !== 'number' || !(timeoutSeconds >= 0))) {
    throw new DBOSConfigurationError(`${what}: timeoutSeconds must be a number >= 0, got ${JSON.stringify(timeoutSeconds)}.`);
  }
  if (pollingIntervalMs !== undefined && (typeof pollingIntervalMs !== 'number' || !(pollingIntervalMs > 0) || !Number.isFinite(pollingIntervalMs))) {
    throw new DBOSConfigurationError(`${what}: pollingIntervalMs must be a positive number, got ${JSON.stringify(pollingIntervalMs)}.`);
  }
  return { workflowID, key, timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000, pollingIntervalMs };
}

function checkOffset(what: string, offset: unknown): number {
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) {
    throw new DBOSConfigurationError(`${what}: offset must be a non-negative integer, got ${JSON.stringify(offset)}.`);
  }
  return offset;
}

/**
 * The stream's entries from `offset` on, waiting for at least one: [] when
 * there will be none (its workflow has ended), undefined when the plan's
 * timeout passed first.
 */
function nextEntries(engine: Engine, plan: StreamReadPlan, offset: number): Promise<StreamEntry[] | undefined> {
  const { systemDatabase } = engine;
  const { workflowID, key } = plan;
  const awaited: AwaitedWrite[] = [
    { kind: 'stream', workflowID, key, fromOffset: offset },
    { kind: 'outcome', workflowID },
  ];
  const deadline = plan.timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + plan.timeoutMs;
  return waitForWrite(
    engine,
    awaited,
    deadline,
    async () => {
      const entries = await systemDatabase.communication.readStream(workflowID, key, offset);
      if (entries.length > 0) return entries;
      const status = await systemDatabase.getWorkflowStatus(workflowID);
      if (!status) throw new DBOSNonExistentWorkflowError(`Cannot read stream "${key}": workflow ${workflowID} does not exist.`, { workflowID });
      if (!isTerminalStatus(status.status)) return undefined;
      // The workflow has ended: whatever it wrote is committed; one last read, then the end.
      return systemDatabase.communication.readStream(workflowID, key, offset);
    },
    plan.pollingIntervalMs,
  );
}

/**
 * Every value of the stream, in order, until it is closed or its workflow has
 * ended. From workflow code each delivered value (and the end) is a recorded
 * operation, so a replay reads the same values.
 */
export async function* readStream<T>(
  engine: Engine,
  workflowID: string,
  key: string,
  options: ReadStreamOptions = {},
): AsyncGenerator<T, void, undefined> {
  const plan = readPlan('DBOS.readStream', workflowID, key, options);
  let offset = checkOffset('DBOS.readStream', options.offset ?? 0);
  const workflow = workflowCodeState();
  if (workflow) {
    yield* recordedReads<T>(engine, workflow, plan, offset);
    return;
  }
  for (;;) {
    const batch = await nextEntries(engine, plan, offset);
    if (batch === undefined) throw new DBOSStreamTimeoutError(workflowID, key, plan.timeoutMs);
    if (batch.length === 0) return;
    for (const entry of batch) {
      if (isSentinel(entry)) return;
      offset = entry.offset + 1;
      yield await decodeValue<T>(entry.text, entry.serialization);
    }
  }
}

/**
 * What one recorded read of readStream delivered: the value at an offset, or
 * the end. Each read reserves its function ID when next() is called, so
 * concurrent readers in one workflow replay in the same order (DBOS refuses
 * them with DBOSStreamNondeterminismError instead).
 */
type RecordedRead = { done: true } | { done: false; offset: number; value: unknown };

async function* recordedReads<T>(
  engine: Engine,
  workflow: WorkflowState,
  plan: StreamReadPlan,
  startOffset: number,
): AsyncGenerator<T, void, undefined> {
  let offset = startOffset;
  for (;;) {
    const read = await recordedOperation(workflow, 'DBOS.readStream', async (): Promise<RecordedRead> => {
      const batch = await nextEntries(engine, plan, offset);
      if (batch === undefined) throw new DBOSStreamTimeoutError(plan.workflowID, plan.key, plan.timeoutMs);
      const entry = batch[0];
      if (!entry || isSentinel(entry)) return { done: true };
      return { done: false, offset: entry.offset, value: await decodeValue(entry.text, entry.serialization) };
    });
    if (read.done) return;
    offset = read.offset + 1;
    yield read.value as T;
  }
}

/**
 * The value at one offset of a stream, waiting for it to be written. From
 * workflow code it is a recorded operation: a replay returns the same value
 * (or throws the same timeout).
 */
export async function readStreamOffset<T>(
  engine: Engine,
  workflowID: string,
  key: string,
  offset: number,
  options?: ReadStreamOffsetOptions,
): Promise<T> {
  const what = 'DBOS.readStreamOffset';
  const plan = readPlan(what, workflowID, key, options);
  checkOffset(what, offset);
  const read = async (): Promise<T> => {
    const batch = await nextEntries(engine, plan, offset);
    if (batch === undefined) throw new DBOSStreamTimeoutError(workflowID, key, plan.timeoutMs);
    const entry = batch[0];
    if (!entry || entry.offset !== offset || isSentinel(entry)) {
      throw new DBOSStreamTimeoutError(workflowID, key, plan.timeoutMs, `Stream "${key}" of workflow ${workflowID} ended before offset ${offset}.`);
    }
    return decodeValue<T>(entry.text, entry.serialization);
  };
  const workflow = workflowCodeState();
  return workflow ? recordedOperation(workflow, what, read) : read();
}
