/**
 * Transactions as durable operations: DBOS's datasource SPI (`runTransaction`, `registerTransaction`) over
 * any registered DataSourceTransactionHandler.
 *
 * Inside workflow code, a transaction reserves a function ID like a step. A recorded outcome at that ID is
 * replayed from the system database without touching the application database. Otherwise the handler runs
 * it (for durably's data sources: exactly-once.ts, which also guards the application database with its
 * completion row), and the outcome is checkpointed in the system database under the function's name. When
 * a durably data source's database is the system database itself, the function and its checkpoint commit as
 * one transaction instead (single-commit.ts).
 * Outside a workflow, it just runs in a transaction. Inside a step or another transaction it is refused.
 */
import {
  DBOSConfigurationError,
  DBOSInvalidWorkflowTransitionError,
  DBOSSerializationError,
  DBOSUnexpectedStepError,
  DBOSWorkflowConflictError,
} from '../errors/errors.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { recordError, recordedOutcome, recordValue, replay } from '../engine/checkpoint.ts';
import { replayTraced, startOperationSpan } from '../engine/workflow-spans.ts';
import { withActiveSpan } from '../telemetry/tracing.ts';
import { currentContext, reserveFunctionID, runInContext, type ExecutionContext, type WorkflowState } from '../engine/workflow-context.ts';
import { engineFor } from '../runtime/runtime.ts';
import { describeValue, named } from '../runtime/registration.ts';
import { transactionCrashPoints } from './crash-points.ts';
import { dataSourceNamed } from './data-source-registry.ts';
import type { DataSourceTransactionHandler } from './data-source-types.ts';
import { DriverTransactionHandler } from './exactly-once.ts';
import type { SingleCommitOutcome } from './single-commit.ts';

/** Run `callback` as a transaction of the data source `dsName`, recorded as `funcName` in a workflow. */
export async function runTransaction<T>(
  callback: () => Promise<T>,
  funcName: string,
  options: { dsName: string; config?: unknown },
): Promise<T> {
  if (typeof callback !== 'function') {
    throw new DBOSConfigurationError(`runTransaction needs a function to run as the transaction, got ${describeValue(callback)}.`);
  }
  return invokeTransaction(options.dsName, funcName || callback.name || 'runTransaction', options.config, undefined, callback, []);
}

/** `func` as a transaction of the data source `dsName`: call the returned function instead. */
export function registerTransaction<This, Args extends unknown[], Return, Config extends FunctionName>(
  dsName: string,
  func: (this: This, ...args: Args) => Promise<Return>,
  config?: Config,
): (this: This, ...args: Args) => Promise<Return> {
  if (typeof func !== 'function') {
    throw new DBOSConfigurationError(`A transaction must be a function, got ${describeValue(func)}.`);
  }
  const name = config?.name ?? func.name;
  if (!name) throw new DBOSConfigurationError('A transaction is an anonymous function: give it a name with { name: \'...\' }.');
  const wrapper = async function (this: This, ...args: Args): Promise<Return> {
    return invokeTransaction(dsName, name, config, this, func, args);
  };
  return named(wrapper as never, name) as (this: This, ...args: Args) => Promise<Return>;
}

async function invokeTransaction<This, Args extends unknown[], Return>(
  dsName: string,
  name: string,
  config: unknown,
  target: This,
  func: (this: This, ...args: Args) => Promise<Return>,
  args: Args,
): Promise<Return> {
  const context = currentContext();
  refuseNesting(context, name);
  const dataSource = dataSourceNamed(dsName);
  const workflow = context.workflow;
  if (!workflow) {
    engineFor(`Transaction "${name}"`); // the data source is initialized at launch
    const outside: ExecutionContext = { ...context, transaction: { name, dataSourceName: dsName } };
    return runInContext(outside, () => dataSource.invokeTransactionFunction(config, target, func, ...args));
  }
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replayTraced<Return>(context, workflow, 'transaction', name, recorded);
  const startedAtEpochMs = Date.now();
  const span = startOperationSpan(context, workflow, 'transaction', name);
  const transaction = { functionID, name, dataSourceName: dsName };
  const inside: ExecutionContext = span ? { ...context, transaction, span } : { ...context, transaction };
  // With a span, the transaction runs with it active (the driver's own instrumentation nests under it).
  const traced = <T>(work: () => Promise<T>) => runInContext(inside, span ? () => withActiveSpan(span, work) : work);
  try {
    let single: SingleCommitOutcome<Return> | undefined;
    let value: Return | undefined;
    try {
      single = await traced(() => singleCommit(dataSource, workflow, functionID, name, startedAtEpochMs, config, target, func, args));
      if (!single) value = await traced(() => dataSource.invokeTransactionFunction(config, target, func, ...args));
    } catch (error) {
      // A result that cannot be stored is not an outcome (as for a step): nothing is recorded, the run fails.
      if (!(error instanceof DBOSSerializationError)) await recordError(workflow, functionID, name, error, { startedAtEpochMs });
      throw error;
    }
    let outcome: Return;
    if (single === 'lost') outcome = await replayWinner<Return>(workflow, functionID, name);
    else {
      transactionCrashPoints.afterApplicationCommit?.(workflow.workflowID, functionID);
      // A single commit was checkpointed in the same commit.
      outcome = single ? single.value : await recordValue(workflow, functionID, name, value as Return, { startedAtEpochMs });
    }
    if (span) workflow.engine.tracer.endSpan(span);
    return outcome;
  } catch (error) {
    if (span) workflow.engine.tracer.endSpan(span, error);
    throw error;
  }
}

/** The single-commit route of durably's data sources, when it applies (single-commit.ts); else undefined. */
function singleCommit<This, Args extends unknown[], Return>(
  dataSource: DataSourceTransactionHandler,
  workflow: WorkflowState,
  functionID: number,
  functionName: string,
  startedAtEpochMs: number,
  config: unknown,
  target: This,
  func: (this: This, ...args: Args) => Promise<Return>,
  args: Args,
): Promise<SingleCommitOutcome<Return> | undefined> {
  if (!(dataSource instanceof DriverTransactionHandler)) return Promise.resolve(undefined);
  const checkpoint = {
    workflowID: workflow.workflowID,
    functionID,
    functionName,
    startedAtEpochMs,
    // Once shutdown interrupted the engine, the outcome is not recorded (as recordValue): the commit is undone.
    beforeCheckpoint: () => workflow.engine.interruptSignal.throwIfAborted(),
  };
  return dataSource.invokeWithCheckpoint<This, Args, Return>(workflow.engine.systemDatabase, checkpoint, config, target, func, args);
}

/** Another execution committed this transaction with its checkpoint first: its outcome stands. */
async function replayWinner<Return>(workflow: WorkflowState, functionID: number, name: string): Promise<Return> {
  const steps = await workflow.engine.systemDatabase.loadStepOutcomes(workflow.workflowID);
  const winner = steps.find((step) => step.functionID === functionID);
  if (!winner) throw new DBOSWorkflowConflictError(workflow.workflowID);
  if (winner.functionName !== name) throw new DBOSUnexpectedStepError(workflow.workflowID, functionID, name, winner.functionName);
  return replay<Return>(winner);
}

/** DBOS refuses a transaction called from a step or from another transaction (their outcomes would nest). */
function refuseNesting(context: ExecutionContext, name: string): void {
  const inside = context.transaction
    ? `a transaction of data source "${context.transaction.dataSourceName}"`
    : context.step && context.workflow
      ? `step "${context.step.name}"`
      : undefined;
  if (inside) {
    throw new DBOSInvalidWorkflowTransitionError(
      `Invalid call to transaction "${name}" from inside ${inside}: call transactions from workflow code or outside any workflow.`,
    );
  }
}

