/**
 * What the engine needs to run workflows in this process: the system
 * database, this executor's identity, the registry, and the workflows running
 * here now. Built by the Runtime at launch; passed down, never global.
 */
import type { StartWorkflowParams } from '../types/workflow-types.ts';
import type { SystemDatabase } from '../system-database/system-database.ts';
import type { DLogger } from '../telemetry/logger.ts';
import { disabledTracer, type DurablyTracer } from '../telemetry/tracing.ts';
import { disabledMetrics, type WorkflowMetrics } from '../telemetry/workflow-metrics.ts';
import type { Registry } from './registry.ts';
import { DBOSShutdownInterruptError } from '../errors/errors.ts';
import { SleepingWaitersRecheck } from './sleeping-waiters-recheck.ts';
import { markExecutionCancelled, type RunningWorkflowState } from './execution-cancel.ts';

export type { RunningWorkflowState } from './execution-cancel.ts';

/** The executor timeout with the default heartbeat interval (see resolve-config.ts). */
export const defaultExecutorTimeoutMs = 60_000;

export interface EngineIdentity {
  readonly executorID: string;
  readonly applicationVersion: string;
  readonly applicationName: string;
}

/** Where an enqueued workflow goes, as the queues feature decides it from the start parameters. */
export interface QueuePlacement {
  queueName: string;
  status: 'ENQUEUED' | 'DELAYED';
  deduplicationID: string | null;
  priority: number;
  queuePartitionKey: string | null;
  delayUntilEpochMs: number | null;
}

/** Validates queue options and places a workflow; null when it is not to be enqueued. */
export type QueuePlanner = (params: StartWorkflowParams | undefined) => Promise<QueuePlacement | null>;

export class Engine {
  /** Workflows executing in this process, by ID: their result promises (rejections pre-handled). */
  readonly running = new Map<string, Promise<unknown>>();
  /** Their execution states, so a cancellation can reach them. */
  readonly states = new Map<string, RunningWorkflowState>();
  /**
   * Workflows whose direct start is writing their status row now (a count per ID): recovery, which runs in
   * the background after launch, must not take one of them for a crashed run, since it is about to run here.
   */
  readonly startingHere = new Map<string, number>();
  /** Waiters sleeping without a safety poll, re-checked in one batched read for writes that announce nothing. */
  readonly sleepingWaiters = new SleepingWaitersRecheck(this);

  constructor(
    readonly systemDatabase: SystemDatabase,
    readonly registry: Registry,
    readonly identity: EngineIdentity,
    readonly logger: DLogger,
    readonly placeInQueue: QueuePlanner = async () => null,
    /** DBOS.patch() is allowed (config enablePatching). */
    readonly patchingEnabled = false,
    /** OpenTelemetry spans; disabled (no work at all) unless a tracer provider was registered at launch. */
    readonly tracer: DurablyTracer = disabledTracer,
    /** OpenTelemetry metrics; disabled (no work at all) unless a meter provider was registered at launch. */
    readonly metrics: WorkflowMetrics = disabledMetrics,
  ) {}

  /**
   * How long an executor may go without a heartbeat before it counts as dead (config executorTimeoutMs;
   * the Runtime sets it at launch). Listings judge strandedness by it; a client or the CLI, with no
   * config of the application's, use the default.
   */
  executorTimeoutMs = defaultExecutorTimeoutMs;

  private readonly interruption = new AbortController();

  /**
   * Aborted by shutdown (reason: a DBOSShutdownInterruptError): every durable
   * operation, wait and timer of this engine's workflows ends, and nothing more
   * is recorded for them. See engine/shutdown-interrupt.ts.
   */
  get interruptSignal(): AbortSignal {
    return this.interruption.signal;
  }

  get interrupted(): boolean {
    return this.interruption.signal.aborted;
  }

  /** Interrupt every workflow of this engine (shutdown, after any grace period). */
  interrupt(): void {
    if (!this.interrupted) this.interruption.abort(new DBOSShutdownInterruptError());
  }

  /** Stop these workflows, if they run here, at their next durable operation. */
  markCancelled(workflowIDs: Iterable<string>): void {
    for (const id of workflowIDs) {
      const state = this.states.get(id);
      if (state) markExecutionCancelled(state);
    }
  }

  /**
   * Called when an execution stopped on a retriable system database fault (it recorded nothing and stays
   * PENDING); the Runtime resumes it when the fault clears (resume-after-fault.ts).
   */
  onDatabaseFault: (workflowID: string, fault: unknown) => void = () => undefined;

  /** Track a workflow's execution; it leaves the map when it settles. */
  track(workflowID: string, execution: Promise<unknown>): void {
    this.running.set(workflowID, execution);
    const forget = () => {
      if (this.running.get(workflowID) === execution) this.running.delete(workflowID);
    };
    execution.then(forget, forget);
  }
}
