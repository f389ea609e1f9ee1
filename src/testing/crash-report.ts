/** crashTest's report: one entry per crash point, and the readable text its failure shows. */
import type { ReplayReport } from '../engine/replay-verification.ts';
import type { CrashBoundary, StepRuns } from './crash-probe.ts';

export type RunOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface CrashPointReport {
  /** 1-based; 0 is the clean run. */
  index: number;
  /** Where the crash was simulated, in words ("after #0 reserve, before #1 charge"); "no crash" for the clean run. */
  where: string;
  boundary?: CrashBoundary;
  /** The workflow ID of this run. */
  workflowID: string;
  /** The outcome the run reached after recovery (undefined: it did not finish in time). */
  outcome?: RunOutcome;
  /** Steps whose body ran more than once in this run (after a crash inside them): they must be idempotent. */
  rerunSteps: StepRuns[];
  /** A recovery that failed with DBOSUnexpectedStepError: the operation that differed. */
  nonDeterminism?: { functionID: number; expected: string; recorded: string };
  /** The replay verification of the finished run (durably/testing verifyReplay). */
  replay?: ReplayReport;
  /** Why this point failed; empty when it passed. */
  problems: string[];
}

export interface CrashTestReport {
  workflowName: string;
  /** The clean run, then one entry per crash point. */
  runs: CrashPointReport[];
  /** How many runs have problems. */
  failures: number;
}

export function describeBoundary(boundary: CrashBoundary, names: (child: string, functionID: number) => string): string {
  const within = boundary.child ? ` of child workflow ${boundary.child}` : '';
  switch (boundary.kind) {
    case 'before-operation': {
      if (boundary.functionID === 0) return `after the start${within}, before operation #0 ${names(boundary.child, 0)}`;
      const previous = boundary.functionID - 1;
      return `after operation #${previous} ${names(boundary.child, previous)}${within}, before #${boundary.functionID} ${names(boundary.child, boundary.functionID)}`;
    }
    case 'inside-step':
      return `inside step #${boundary.functionID} "${boundary.name}"${within}: its body ran, its outcome was not recorded`;
    case 'before-outcome':
      return `after the last operation${within}, before its outcome was recorded`;
  }
}

export function describeOutcome(outcome: RunOutcome | undefined): string {
  if (!outcome) return 'did not finish';
  if (outcome.ok) return `returned ${preview(outcome.value)}`;
  const error = outcome.error;
  return `threw ${error instanceof Error ? `${error.name}: ${error.message}` : preview(error)}`;
}

export function preview(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 160 ? `${text.slice(0, 160)}…` : text;
}

/** The report as text: one line per run, with its problems and re-run steps under it. */
export function formatCrashReport(report: CrashTestReport): string {
  const lines: string[] = [];
  for (const run of report.runs) {
    const verdict = run.problems.length === 0 ? 'ok  ' : 'FAIL';
    const label = run.index === 0 ? 'clean run' : `crash ${run.index}`;
    lines.push(`${verdict} ${label}: ${run.where} -> ${describeOutcome(run.outcome)}`);
    for (const problem of run.problems) lines.push(`       - ${problem}`);
    for (const step of run.rerunSteps) {
      const within = step.child ? ` of child workflow ${step.child}` : '';
      lines.push(`       step #${step.functionID} "${step.name}"${within} ran ${step.runs} times (it must be idempotent)`);
    }
  }
  return lines.join('\n');
}
