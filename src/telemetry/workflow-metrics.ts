/**
 * durably's metrics, through `@opentelemetry/api`'s metrics: they go to the
 * meter provider the application registered (or the one OTLP export
 * installs, telemetry/otlp-export.ts).
 *
 * Cost: whether a provider is registered is checked once, at launch. Without
 * one, the engine holds `disabledMetrics` and every call site checks
 * `metrics.enabled` first: no instrument call, no attribute object, no clock
 * read. With one, the instruments are created once here, never per call.
 *
 * Names follow OpenTelemetry's conventions under `durably.` (DBOS has no
 * metrics to match); durations are in seconds.
 */
import { createNoopMeter, metrics, type Counter, type Histogram, type Meter, type ObservableGauge, type ObservableResult } from '@opentelemetry/api';

/** Whether the application (or durably's OTLP export) registered a meter provider: the API's no-op one otherwise. */
export function meterProviderRegistered(): boolean {
  return metrics.getMeterProvider().getMeter('durably') !== createNoopMeter();
}

/** How a workflow execution ended here (an execution interrupted by shutdown is not counted: it stays PENDING). */
export type FinishedStatus = 'SUCCESS' | 'ERROR' | 'CANCELLED';

export interface QueueDepthReading {
  name: string;
  enqueued: number;
  delayed: number;
  pending: number;
}

export interface WorkflowMetrics {
  /** False without a meter provider: call sites then do nothing at all. */
  readonly enabled: boolean;
  workflowStarted(workflowName: string, queueName: string | null | undefined): void;
  workflowFinished(workflowName: string, status: FinishedStatus, durationMs: number): void;
  /** A step's outcome once its attempts are over: its duration (all attempts) and how many retries it took. */
  stepFinished(stepName: string, ok: boolean, durationMs: number, attempts: number): void;
  /** A queued workflow started: how long it waited since it became startable. */
  dequeued(queueName: string, waitedMs: number): void;
  /** Workflows recovered at launch: `pending` resumed here, `requeued` put back on their queues. */
  recovered(kind: 'pending' | 'requeued', count: number): void;
  /** Report each queue's depth at every collection, from `read` (a database read, only when collected). */
  observeQueueDepths(read: () => Promise<QueueDepthReading[]>): void;
  /** Stop observing (shutdown): a provider that outlives this launch must not call into a closed database. */
  close(): void;
}

export const disabledMetrics: WorkflowMetrics = {
  enabled: false,
  workflowStarted: () => undefined,
  workflowFinished: () => undefined,
  stepFinished: () => undefined,
  dequeued: () => undefined,
  recovered: () => undefined,
  observeQueueDepths: () => undefined,
  close: () => undefined,
};

/** The metrics of one launch: on when a meter provider is registered at launch. */
export function createWorkflowMetrics(): WorkflowMetrics {
  return meterProviderRegistered() ? new OtelWorkflowMetrics(metrics.getMeter('durably')) : disabledMetrics;
}

class OtelWorkflowMetrics implements WorkflowMetrics {
  readonly enabled = true;
  private readonly started: Counter;
  private readonly finished: Counter;
  private readonly workflowDuration: Histogram;
  private readonly stepDuration: Histogram;
  private readonly stepRetries: Counter;
  private readonly queueLatency: Histogram;
  private readonly recoveries: Counter;
  private readonly queueDepth: ObservableGauge;
  private depthCallback: ((result: ObservableResult) => Promise<void>) | undefined;

  constructor(meter: Meter) {
    this.started = meter.createCounter('durably.workflow.started', { description: 'Workflow executions started in this process' });
    this.finished = meter.createCounter('durably.workflow.finished', { description: 'Workflow executions finished, by status' });
    this.workflowDuration = meter.createHistogram('durably.workflow.duration', { unit: 's', description: 'Workflow execution time' });
    this.stepDuration = meter.createHistogram('durably.step.duration', { unit: 's', description: 'Step time, all attempts' });
    this.stepRetries = meter.createCounter('durably.step.retries', { description: 'Step attempts after the first' });
    this.queueLatency = meter.createHistogram('durably.queue.latency', { unit: 's', description: 'Enqueue (or delay end) to start' });
    this.recoveries = meter.createCounter('durably.recovery.workflows', { description: 'Workflows recovered at launch' });
    this.queueDepth = meter.createObservableGauge('durably.queue.depth', { description: 'Unfinished workflows per queue and status' });
  }

  workflowStarted(workflowName: string, queueName: string | null | undefined): void {
    this.started.add(1, queueName ? { 'workflow.name': workflowName, 'queue.name': queueName } : { 'workflow.name': workflowName });
  }

  workflowFinished(workflowName: string, status: FinishedStatus, durationMs: number): void {
    const attributes = { 'workflow.name': workflowName, 'workflow.status': status };
    this.finished.add(1, attributes);
    this.workflowDuration.record(durationMs / 1000, attributes);
  }

  stepFinished(stepName: string, ok: boolean, durationMs: number, attempts: number): void {
    this.stepDuration.record(durationMs / 1000, { 'step.name': stepName, 'step.outcome': ok ? 'ok' : 'error' });
    if (attempts > 1) this.stepRetries.add(attempts - 1, { 'step.name': stepName });
  }

  dequeued(queueName: string, waitedMs: number): void {
    this.queueLatency.record(Math.max(0, waitedMs) / 1000, { 'queue.name': queueName });
  }

  recovered(kind: 'pending' | 'requeued', count: number): void {
    if (count > 0) this.recoveries.add(count, { 'recovery.kind': kind });
  }

  observeQueueDepths(read: () => Promise<QueueDepthReading[]>): void {
    this.close();
    this.depthCallback = async (result) => {
      // A failed read (database closing, say) reports nothing this time rather than failing the collection.
      const depths = await read().catch(() => []);
      for (const depth of depths) {
        result.observe(depth.enqueued, { 'queue.name': depth.name, 'workflow.status': 'ENQUEUED' });
        result.observe(depth.delayed, { 'queue.name': depth.name, 'workflow.status': 'DELAYED' });
        result.observe(depth.pending, { 'queue.name': depth.name, 'workflow.status': 'PENDING' });
      }
    };
    this.queueDepth.addCallback(this.depthCallback);
  }

  close(): void {
    if (this.depthCallback) this.queueDepth.removeCallback(this.depthCallback);
    this.depthCallback = undefined;
  }
}
