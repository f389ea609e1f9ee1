/**
 * Transactions as durable operations: DBOS's datasource SPI (`runTransaction`, `registerTransaction`) over
 * any registered DataSourceTransactionHandler.
 *
 * Inside workflow code, a transaction reserves a function ID like a step. A recorded outcome at that ID is
 * replayed from the system database without touching the application database. Otherwise the handler runs
 * it (for durably's data sources: exactly-once.ts, which also guards the application database with its
 * completion row), and the outcome is checkpointed in the system database under the function's name.
 * Outside a workflow, it just runs in a transaction. Inside a step or another transaction it is refused.
 */
import { DBOSConfigurationError, DBOSInvalidWorkflowTransitionError, DBOSSerializationError } from '../errors/errors.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { recordError, recordedOutcome, recordValue } from '../engine/checkpoint.ts';
import { replayTraced, startOperationSpan } from '../engine/workflow-spans.ts';
import { withActiveSpan } from '../telemetry/tracing.ts';
import { currentContext, reserveFunctionID, runInContext, type ExecutionContext } from '../engine/workflow-context.ts';
import { engineFor } from '../runtime/runtime.ts';
import { describeValue, named } from '../runtime/registration.ts';
import { transactionCrashPoints } from './crash-points.ts';
import { dataSourceNamed } from './data-source-registry.ts';

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
    const outside: ExecutionContext = { ...context, transaction: { dataSourceName: dsName } };
    return runInContext(outside, () => dataSource.invokeTransactionFunction(config, target, func, ...args));
  }
  const functionID = reserveFunctionID(workflow);
  const recorded = recordedOutcome(workflow, functionID, name);
  if (recorded) return replayTraced<Return>(context, workflow, 'transaction', name, recorded);
  const startedAtEpochMs = Date.now();
  const span = startOperationSpan(context, workflow, 'transaction', name);
  const transaction = { functionID, dataSourceName: dsName };
  const inside: ExecutionContext = span ? { ...context, transaction, span } : { ...context, transaction };
  const invoke = () => dataSource.invokeTransactionFunction(config, target, func, ...args);
  let value: Return;
  try {
    try {
      // With a span, the transaction runs with it active (the driver's own instrumentation nests under it).
      value = await runInContext(inside, span ? () => withActiveSpan(span, invoke) : invoke);
    } catch (error) {
      // A result that cannot be stored is not an outcome (as for a step): nothing is recorded, the run fails.
      if (!(error instanceof DBOSSerializationError)) await recordError(workflow, functionID, name, error, { startedAtEpochMs });
      throw error;
    }
    transactionCrashPoints.afterApplicationCommit?.(workflow.workflowID, functionID);
    const recordedValue = await recordValue(workflow, functionID, name, value, { startedAtEpochMs });
    if (span) workflow.engine.tracer.endSpan(span);
    return recordedValue;
  } catch (error) {
    if (span) workflow.engine.tracer.endSpan(span, error);
    throw error;
  }
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

