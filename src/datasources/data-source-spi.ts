/**
 * DBOS 5.3's helpers for writers of custom data sources (`@dbos-inc/dbos-sdk/datasource`), over durably's
 * engine: fencing a stale execution before its commit, replaying a recorded completion row, and guarding a
 * pg pool against the errors an idle or active connection emits (which would otherwise crash the process).
 */
import { DBOSWorkflowConflictError } from '../errors/errors.ts';
import { errorFromValue } from '../engine/error-serialization.ts';
import { defaultSerialization, deserializeValue } from '../engine/serialization.ts';
import { currentContext } from '../engine/workflow-context.ts';
import { currentRuntime } from '../runtime/runtime.ts';
import { consoleLogger } from '../telemetry/logger.ts';

/**
 * Throw DBOSWorkflowConflictError if the calling execution no longer owns `workflowID`: here, when it was
 * cancelled or another execution of the workflow took over in this process. (An owner in another process is
 * caught by the completion row's key instead: the later insert conflicts, rolls back and replays.) Outside
 * that workflow's own execution there is nothing to fence on.
 */
export async function assertStillOwnsWorkflow(workflowID: string): Promise<void> {
  const workflow = currentContext().workflow;
  if (!workflow || workflow.workflowID !== workflowID) return;
  if (workflow.cancelled || workflow.engine.states.get(workflowID) !== workflow) throw new DBOSWorkflowConflictError(workflowID);
}

/**
 * The outcome a completion row recorded (written in the native format, as DBOS's data sources write it):
 * its value returned, or its error thrown. Shared by a data source's pre-execution check and its conflict path.
 */
export function replayRecordedStep<Return>(recorded: { output?: string | null; error?: string | null }): Return {
  // A raw row carries both columns, the unused one null: discriminate on the value.
  if (typeof recorded.error === 'string') throw errorFromValue(deserializeValue(recorded.error, defaultSerialization));
  return (recorded.output ? deserializeValue<Return>(recorded.output, defaultSerialization) : null) as Return;
}

interface GuardablePool {
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'acquire', listener: (client: GuardableClient) => void): unknown;
  on(event: 'release', listener: (error: Error | undefined, client: GuardableClient) => void): unknown;
}
interface GuardableClient {
  on(event: 'error', listener: (error: Error) => void): unknown;
  removeListener(event: 'error', listener: (error: Error) => void): unknown;
}

/** Log (as warnings) the errors of idle and checked-out connections, instead of letting them crash the process. */
export function guardDataSourcePoolPG(pool: GuardablePool, dataSourceType: string): void {
  const warn = (where: string, error: Error) => {
    // The launched runtime's logger when the error comes (pools outlive launches), else the console.
    const logger = currentRuntime()?.config.logger ?? consoleLogger('warn');
    const code = (error as { code?: unknown }).code;
    logger.warn(`Unexpected error ${where}${typeof code === 'string' ? ` (${code})` : ''}: ${error.stack ?? error.message}`);
  };
  pool.on('error', (error) => warn(`in ${dataSourceType} pool`, error));
  const onClientError = (error: Error) => warn(`on a ${dataSourceType} connection`, error);
  pool.on('acquire', (client) => client.on('error', onClientError));
  pool.on('release', (_error, client) => client.removeListener('error', onClientError));
}
