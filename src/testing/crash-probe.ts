/**
 * The probe crashTest installs (engine/operation-probe.ts): it numbers the
 * durable operation boundaries of one run (the workflow and its children),
 * counts how often each step's body runs, and at the chosen boundary
 * interrupts the engine, which is how this process "crashes": from then on
 * nothing more is recorded and every workflow of the engine stops at its next
 * operation (engine/shutdown-interrupt.ts), leaving it PENDING for recovery.
 */
import type { OperationProbe, ProbedWorkflow as WorkflowState } from '../engine/operation-probe.ts';
import { deferred, type Deferred } from '../support/deferred.ts';

/** A place where a crash can be simulated, relative to the run's workflow ID ('' for the workflow itself). */
export type CrashBoundary =
  | { kind: 'before-operation'; child: string; functionID: number }
  | { kind: 'inside-step'; child: string; functionID: number; name: string }
  | { kind: 'before-outcome'; child: string };

export interface StepRuns {
  child: string;
  functionID: number;
  name: string;
  runs: number;
}

export class CrashProbe implements OperationProbe {
  private runID = '';
  private crashAt: number | undefined;
  /** The boundaries the current run passed, in order (recovery's replays included). */
  boundaries: CrashBoundary[] = [];
  private readonly stepRuns = new Map<string, StepRuns>();
  crashed: Deferred<void> = deferred();

  /** Start observing the run of workflow `runID`; crash at its boundary number `crashAt` (0-based), if given. */
  startRun(runID: string, crashAt?: number): void {
    this.runID = runID;
    this.crashAt = crashAt;
    this.boundaries = [];
    this.stepRuns.clear();
    this.crashed = deferred();
  }

  /** The steps of the run whose body ran more than once. */
  rerunSteps(): StepRuns[] {
    return [...this.stepRuns.values()].filter((step) => step.runs > 1);
  }

  operationStarting(workflow: WorkflowState, functionID: number): void {
    const child = this.childOf(workflow);
    if (child !== undefined) this.pass(workflow, { kind: 'before-operation', child, functionID });
  }

  stepStarting(workflow: WorkflowState, functionID: number, name: string): void {
    const child = this.childOf(workflow);
    if (child === undefined) return;
    const key = `${child}#${functionID}`;
    const counted = this.stepRuns.get(key) ?? { child, functionID, name, runs: 0 };
    counted.runs++;
    this.stepRuns.set(key, counted);
  }

  stepFinished(workflow: WorkflowState, functionID: number, name: string): void {
    const child = this.childOf(workflow);
    if (child !== undefined) this.pass(workflow, { kind: 'inside-step', child, functionID, name });
  }

  outcomeRecording(workflow: WorkflowState): void {
    const child = this.childOf(workflow);
    if (child !== undefined) this.pass(workflow, { kind: 'before-outcome', child });
  }

  /** '' for the run's workflow, '-3' for its child 3; undefined for any other workflow, or a replay verification. */
  private childOf(workflow: WorkflowState): string | undefined {
    if (workflow.replayOnly || !this.runID) return undefined;
    const id = workflow.workflowID;
    if (id === this.runID) return '';
    return id.startsWith(`${this.runID}-`) ? id.slice(this.runID.length) : undefined;
  }

  private pass(workflow: WorkflowState, boundary: CrashBoundary): void {
    const index = this.boundaries.push(boundary) - 1;
    if (index !== this.crashAt) return;
    this.crashAt = undefined;
    workflow.engine.interrupt();
    this.crashed.resolve();
  }
}
