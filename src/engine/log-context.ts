/**
 * What a log record says of where it was written (telemetry/contextual-logger.ts):
 * the running workflow, the step or transaction inside it, this executor and
 * application version, and the current span (durably's own, else the
 * application's active one) for correlation with traces.
 */
import { isSpanContextValid, trace } from '@opentelemetry/api';
import type { LogContext } from '../telemetry/contextual-logger.ts';
import { currentContext } from './workflow-context.ts';

/** This process's identity as far as it is known (the application version is computed during launch). */
export interface LogIdentity {
  executorID?: string;
  applicationVersion?: string;
}

export function currentLogContext(identity: LogIdentity): LogContext {
  const context = currentContext();
  const workflow = context.workflow;
  const step = context.step;
  const transaction = context.transaction;
  const span = context.span ?? trace.getActiveSpan();
  const spanContext = span?.spanContext();
  const traced = spanContext !== undefined && isSpanContextValid(spanContext);
  return {
    workflowID: workflow?.workflowID,
    workflowName: workflow?.workflowName,
    stepName: step?.name ?? transaction?.name,
    functionID: step?.functionID ?? transaction?.functionID,
    executorID: identity.executorID,
    applicationVersion: identity.applicationVersion,
    traceId: traced ? spanContext.traceId : undefined,
    spanId: traced ? spanContext.spanId : undefined,
  };
}

/** The span a record is written in: durably's own, else the application's active one. */
export function currentSpan(): unknown {
  return currentContext().span ?? trace.getActiveSpan();
}
