/**
 * The execution context, carried by AsyncLocalStorage: which workflow is
 * running, the next operation ordinal (function ID) to reserve, the outcomes
 * recorded by earlier executions, and whether we are inside a step.
 *
 * Function IDs are reserved synchronously, before the first await of each
 * durable operation, so they depend only on the order of calls in workflow
 * code: `Promise.all([stepA(), stepB()])` is deterministic.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { DBOSWorkflowCancelledError } from '../errors/errors.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import type { HTTPRequest, WorkflowSerializationFormat } from '../types/workflow-types.ts';
import type { Span } from '../telemetry/tracing.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { Engine } from './engine.ts';
import type { RunningWorkflowState } from './execution-cancel.ts';
import { operationProbe } from './operation-probe.ts';

export interface WorkflowState extends RunningWorkflowState {
  readonly engine: Engine;
  readonly workflowName: string;
  /** Absolute deadline inherited by children, or null. */
  readonly deadlineEpochMs: number | null;
  /** Outcomes recorded by earlier executions, by function ID; empty for a fresh start. */
  readonly recorded: ReadonlyMap<number, StepOutcomeRecord>;
  /**
   * This execution created the workflow (its status row was inserted by this start): nothing of it can be
   * recorded anywhere yet, so reads that look for an earlier execution's work can be skipped.
   */
  readonly firstExecution: boolean;
  nextFunctionID: number;
  /** Set when this is a replay verification (engine/replay-verification.ts): nothing may run or be recorded. */
  readonly replayOnly?: ReplayOnly;
  /** WorkflowConfig.serialization: DBOS.defaultSerializationType, the default of send, setEvent, writeStream. */
  readonly serialization?: WorkflowSerializationFormat;
}

/** A replay that executes nothing (engine/replay-verification.ts): the first point where code and history part. */
export interface ReplayOnly {
  /** The code called `name` at `functionID`, where the history holds nothing. */
  beyondHistory?: { functionID: number; name: string };
  /** The code called `expected` at `functionID`, where the history holds `recorded`. */
  mismatch?: { functionID: number; expected: string; recorded: string };
}

export interface StepState {
  readonly functionID: number;
  readonly name: string;
  currentAttempt: number;
  readonly maxAttempts: number;
  timeoutSignal?: AbortSignal;
}

/** Inside a datasource transaction (datasources/): where it runs, and the client its code uses. */
export interface TransactionState {
  /** The transaction's function ID inside its workflow; undefined outside a workflow. */
  readonly functionID?: number;
  /** The transaction function's name (what log records call it). */
  readonly name?: string;
  readonly dataSourceName: string;
  /** The data source object that opened the transaction, and its transaction client (set once it is open). */
  readonly owner?: object;
  readonly client?: unknown;
}

export interface ExecutionContext {
  readonly workflow?: WorkflowState;
  readonly step?: StepState;
  readonly transaction?: TransactionState;
  /** Set by withNextWorkflowID: the next workflow started here takes this ID (once). */
  readonly assignedWorkflowID?: { readonly id: string; used: boolean };
  /** Set by withWorkflowTimeout: the timeout of workflows started here (null detaches). */
  readonly workflowTimeoutMS?: number | null;
  /** Set by withWorkflowQueue / runWithContext: workflows started here without a queueName are enqueued on this queue. */
  readonly workflowQueueName?: string;
  readonly authenticatedUser?: string;
  readonly authenticatedRoles?: readonly string[];
  /** The role that authorized the current function (recorded on started workflows, inherited by children). */
  readonly assumedRole?: string;
  /**
   * The HTTP request being handled (adapters/), recorded on started workflows and restored with them. Read it
   * with requestOf: an adapter puts a DeferredRequest here, built on first read.
   */
  readonly request?: HTTPRequest | DeferredRequest;
  /** durably's current span (request, workflow, step or transaction) when tracing is on: the parent of spans started here. */
  readonly span?: Span;
  /** Set by runWithContext({ logger }): DBOS.logger outside workflows and steps. */
  readonly callerLogger?: DLogger;
}

/**
 * DBOS.request's object, built on first read: most requests start no workflow and never read it, and copying
 * the headers cost more than the rest of a framework adapter's work. A plain data property of the context (not
 * an accessor, which costs a hidden class transition per request), so a context spread from it keeps it.
 */
export abstract class DeferredRequest {
  abstract get(): HTTPRequest;
}

/** The context's HTTP request, built now if it was deferred. */
export function requestOf(context: ExecutionContext): HTTPRequest | undefined {
  const request = context.request;
  return request instanceof DeferredRequest ? request.get() : request;
}

const storage = new AsyncLocalStorage<ExecutionContext>();
const empty: ExecutionContext = {};

export function currentContext(): ExecutionContext {
  return storage.getStore() ?? empty;
}

export function runInContext<T>(context: ExecutionContext, work: () => T): T {
  return storage.run(context, work);
}

/** runWithContext's logger, in the caller's own code only: workflows and steps log through the configured logger (as in DBOS). */
export function callerLogger(): DLogger | undefined {
  const context = currentContext();
  return context.workflow || context.step || context.transaction ? undefined : context.callerLogger;
}

/** The running workflow, when called from workflow code proper (not from inside a step or a transaction). */
export function workflowCodeState(): WorkflowState | undefined {
  const context = currentContext();
  return context.step || context.transaction ? undefined : context.workflow;
}

/**
 * Every durable operation starts here, so this is where a cancelled workflow
 * stops: at its next operation, with no database read on the way.
 */
export function reserveFunctionID(workflow: WorkflowState): number {
  operationProbe?.operationStarting(workflow, workflow.nextFunctionID);
  // After shutdown interrupted this engine, no operation starts (engine/shutdown-interrupt.ts).
  workflow.engine.interruptSignal.throwIfAborted();
  const pastDeadline = workflow.deadlineEpochMs !== null && Date.now() >= workflow.deadlineEpochMs;
  if (workflow.cancelled || pastDeadline) throw new DBOSWorkflowCancelledError(workflow.workflowID);
  return workflow.nextFunctionID++;
}
