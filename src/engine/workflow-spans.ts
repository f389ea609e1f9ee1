/**
 * The engine's spans (telemetry/tracing.ts): one per workflow execution, one
 * per step and one per transaction, with DBOS's attributes. Every function
 * here returns at once when tracing is off (no provider registered), so the
 * hot path allocates nothing for tracing.
 *
 * Trace continuity: a workflow started here runs under its starter's span (a
 * request, a parent workflow, the application's own active span). What is
 * stored with the workflow (`trace_context`) is that parent's W3C
 * `traceparent`, or, for a workflow started with no span around it, its own
 * span's: a dequeued or recovered run, in any process, starts its workflow
 * span under the stored context, so the trace goes on across queues and
 * crashes.
 */
import type { Attributes, Link } from '@opentelemetry/api';
import { DBOSWorkflowCancelledError } from '../errors/errors.ts';
import type { StepConfig } from '../types/workflow-types.ts';
import {
  contextWithParent,
  formatTraceparent,
  storedTrace,
  traceparentOf,
  type Context,
  type DurablyTracer,
  type Span,
} from '../telemetry/tracing.ts';
import type { StepOutcomeRecord } from '../system-database/records.ts';
import { replay } from './checkpoint.ts';
import type { ExecutionContext, WorkflowState } from './workflow-context.ts';

/** DBOS's operationType values. */
export type OperationType = 'workflow' | 'step' | 'transaction' | 'handler';

/** The trace a starting workflow belongs to: what to store, and how its span is parented here. */
export interface StartTrace {
  /** The traceparent to store with the workflow. */
  readonly stored: string | null;
  /** The parent of its workflow span when it runs here. */
  readonly parent: Context;
  /** Its workflow span, already started when it had no parent span (its own context is what is stored). */
  readonly span?: Span;
}

export interface WorkflowSpanFacts {
  workflowID: string;
  workflowName: string;
  queueName?: string | null;
  authenticatedUser?: string;
  authenticatedRoles?: readonly string[];
  assumedRole?: string;
}

const noRoles: readonly string[] = [];

export function startWorkflowSpan(tracer: DurablyTracer, facts: WorkflowSpanFacts, parent: Context, links?: Link[]): Span {
  const attributes: Attributes = {
    status: 'PENDING',
    operationUUID: facts.workflowID,
    operationType: 'workflow',
    operationName: facts.workflowName,
    authenticatedUser: facts.authenticatedUser ?? '',
    // The SDK copies an array attribute: no copy here.
    authenticatedRoles: (facts.authenticatedRoles ?? noRoles) as string[],
    assumedRole: facts.assumedRole ?? '',
  };
  if (facts.queueName) attributes.queueName = facts.queueName;
  return tracer.startSpan(facts.workflowName, attributes, parent, links);
}

/**
 * At a start (direct or enqueue) from `context`: the trace to store and run
 * under; undefined when tracing is off. An enqueued workflow with no span
 * around it stores nothing (its run starts a new trace).
 */
export function traceForStart(
  tracer: DurablyTracer,
  context: ExecutionContext,
  facts: WorkflowSpanFacts,
  enqueued: boolean,
): StartTrace | undefined {
  if (!tracer.enabled) return undefined;
  const parent = contextWithParent(context.span);
  const stored = traceparentOf(parent);
  if (stored !== undefined || enqueued) return { stored: stored ?? null, parent };
  const span = startWorkflowSpan(tracer, facts, parent);
  return { stored: formatTraceparent(span.spanContext()) ?? null, parent, span };
}

/** The parent of a dequeued or recovered run's workflow span (the stored context), and its links (a fork's original). */
export function storedTraceParent(stored: string | null | undefined): { parent: Context; links?: Link[] } {
  return storedTrace(stored);
}

/** Mark a span as replayed from the recorded outcome (DBOS's `cached`). */
export function markCached(tracer: DurablyTracer, span: Span): void {
  tracer.setAttribute(span, 'cached', true);
}

/** A span for a step or transaction of `workflow`, under the current span; undefined when tracing is off or that span records nothing. */
export function startOperationSpan(
  context: ExecutionContext,
  workflow: WorkflowState,
  type: 'step' | 'transaction',
  name: string,
  config?: StepConfig,
): Span | undefined {
  const tracer = workflow.engine.tracer;
  if (!tracer.enabled) return undefined;
  // Under a span that records nothing (the sampler dropped the workflow's, or it is the API's no-op span), the
  // step's would record nothing either: the standard samplers follow the parent (ParentBased) or decide by the
  // trace ID it shares (TraceIdRatioBased). So none is built, and the step runs as with tracing off.
  if (context.span && !context.span.isRecording()) return undefined;
  const attributes: Attributes = {
    operationUUID: workflow.workflowID,
    operationType: type,
    operationName: name,
    authenticatedUser: context.authenticatedUser ?? '',
    authenticatedRoles: (context.authenticatedRoles ?? noRoles) as string[],
    assumedRole: context.assumedRole ?? '',
  };
  if (config) {
    attributes.retriesAllowed = config.retriesAllowed ?? false;
    if (config.retriesAllowed) {
      attributes.intervalSeconds = config.intervalSeconds ?? 1;
      attributes.maxAttempts = config.maxAttempts ?? 3;
      attributes.backoffRate = config.backoffRate ?? 2;
    }
    if (config.timeoutMS !== undefined) attributes.timeoutMS = config.timeoutMS;
  }
  return tracer.startSpan(name, attributes, contextWithParent(context.span));
}

/**
 * Replay a recorded operation (checkpoint.ts) with its span, as DBOS does: a
 * span marked `cached: true`, ended at once with the recorded outcome.
 */
export function replayTraced<T>(
  context: ExecutionContext,
  workflow: WorkflowState,
  type: 'step' | 'transaction',
  name: string,
  recorded: StepOutcomeRecord,
): Promise<T> {
  if (!workflow.engine.tracer.enabled) return replay<T>(recorded);
  return replayWithSpan(context, workflow, type, name, recorded);
}

async function replayWithSpan<T>(
  context: ExecutionContext,
  workflow: WorkflowState,
  type: 'step' | 'transaction',
  name: string,
  recorded: StepOutcomeRecord,
): Promise<T> {
  const tracer = workflow.engine.tracer;
  const span = startOperationSpan(context, workflow, type, name);
  if (!span) return replay<T>(recorded);
  markCached(tracer, span);
  try {
    const value = await replay<T>(recorded);
    tracer.endSpan(span);
    return value;
  } catch (error) {
    tracer.endSpan(span, error);
    throw error;
  }
}

/** One failed attempt of a retried step, as a span event with its error (DBOS's event name and fields). */
export function traceFailedAttempt(span: Span | undefined, attempt: number, error: unknown, retryIntervalSeconds: number): void {
  if (!span) return;
  span.addEvent(`Step attempt ${attempt} failed`, {
    retryIntervalSeconds,
    error: error instanceof Error ? error.message : String(error),
    'exception.type': error instanceof Error ? error.name : typeof error,
  });
}

/** End a workflow span when its execution settles, with the final status (DBOS's `status` attribute). */
export async function endWorkflowSpan(tracer: DurablyTracer, span: Span, execution: Promise<unknown>): Promise<unknown> {
  try {
    const value = await execution;
    tracer.setAttribute(span, 'status', 'SUCCESS');
    tracer.endSpan(span);
    return value;
  } catch (error) {
    const cancelled = error instanceof DBOSWorkflowCancelledError;
    tracer.setAttribute(span, 'status', cancelled ? 'CANCELLED' : 'ERROR');
    tracer.endSpan(span, error);
    throw error;
  }
}
