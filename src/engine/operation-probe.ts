/**
 * A test instrument (durably/testing's crashTest): told when a workflow
 * reaches a durable operation boundary, so it can count step executions and
 * interrupt the engine there, as a crash would. Unset outside crash tests,
 * where each boundary costs one null check.
 *
 * Why a module-level slot and not an Engine field: a crash test spans several
 * engines (the crashed one, then the fresh one whose launch recovers the
 * workflow), and the recovery launch starts workflows before any caller could
 * reach its engine.
 */

/** What the probe sees of a workflow (a structural view of ProbedWorkflow, which imports this module). */
export interface ProbedWorkflow {
  readonly workflowID: string;
  readonly engine: { interrupt(): void };
  /** Set for a replay verification, which the probe ignores. */
  readonly replayOnly?: object;
}

export interface OperationProbe {
  /** `workflow` is about to reserve `functionID` for its next durable operation. */
  operationStarting(workflow: ProbedWorkflow, functionID: number): void;
  /** A step's body is about to run (it had no recorded outcome). */
  stepStarting(workflow: ProbedWorkflow, functionID: number, name: string): void;
  /** A step's body has finished (value or error); its outcome is not yet recorded. */
  stepFinished(workflow: ProbedWorkflow, functionID: number, name: string): void;
  /** The workflow body has returned or thrown; its final status is not yet recorded. */
  outcomeRecording(workflow: ProbedWorkflow): void;
}

export let operationProbe: OperationProbe | undefined;

/** Install (or with undefined, remove) the probe; one at a time per process. */
export function installOperationProbe(probe: OperationProbe | undefined): void {
  operationProbe = probe;
}
