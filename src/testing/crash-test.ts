/**
 * crashTest: does a workflow survive a crash at every point? It runs the
 * workflow once without a crash, then once per durable operation boundary of
 * that clean run, each time under a new workflow ID: the run "crashes" at the
 * boundary (the engine is interrupted, as by a process death: nothing more is
 * recorded), DBOS shuts down and launches again on the same system database,
 * recovery resumes the workflow, and its final outcome must be the clean
 * run's. Crash points, in order of the run: before each operation (so right
 * after the previous one's checkpoint committed), inside each step (its body
 * ran, its outcome was not recorded: it runs again), and before the final
 * outcome is recorded. Each finished run is also replayed against its history
 * (engine/replay-verification.ts), which catches code that reads the clock or
 * randomness outside a step even where the outcomes happen to agree.
 */
import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DBOS } from '../api/dbos.ts';
import { installOperationProbe } from '../engine/operation-probe.ts';
import { verifyWorkflowReplay } from '../engine/replay-verification.ts';
import { DBOSConfigurationError, DBOSCrashTestFailedError, DBOSUnexpectedStepError } from '../errors/errors.ts';
import { registeredWorkflowOf } from '../runtime/registration.ts';
import { currentRuntime, engineFor } from '../runtime/runtime.ts';
import type { DBOSConfig } from '../types/config-types.ts';
import { CrashProbe, type CrashBoundary } from './crash-probe.ts';
import {
  describeBoundary,
  describeOutcome,
  formatCrashReport,
  type CrashPointReport,
  type CrashTestReport,
  type RunOutcome,
} from './crash-report.ts';
import { temporarySystemDatabase } from './test-database.ts';

export interface CrashTestOptions {
  /** The system database to run on; default: a temporary SQLite file, deleted afterwards. */
  systemDatabaseUrl?: string;
  /** More configuration for every launch (enablePatching, systemDatabaseSchemaName, logLevel...). */
  config?: DBOSConfig;
  /**
   * When a recovered run's outcome counts as the clean run's: default, equal values (or errors of the same name
   * and message). A workflow whose result rightly differs per run (it returns DBOS.now() or its workflow ID)
   * passes its own comparison, or false to skip it.
   */
  sameOutcome?: false | ((clean: RunOutcome, recovered: RunOutcome) => boolean);
  /** Replay each finished run against its history (default true). */
  verifyReplay?: boolean;
  /** How long one run may take to finish after its recovery (default 30 s). */
  runTimeoutMs?: number;
  /** The runs' workflow IDs are `<prefix>-clean`, `<prefix>-crash1`...; default `crash-test-<uuid>`. */
  workflowIDPrefix?: string;
  /** Throw DBOSCrashTestFailedError when a run fails (default true); else just return the report. */
  throwOnFailure?: boolean;
}

type AnyWorkflow = (...args: unknown[]) => Promise<unknown>;

export async function crashTest<Args extends unknown[]>(
  workflow: (...args: Args) => Promise<unknown>,
  args: Args,
  options: CrashTestOptions = {},
): Promise<CrashTestReport> {
  if (currentRuntime()) {
    throw new DBOSConfigurationError('crashTest() launches DBOS itself (several times): call it while DBOS is shut down.');
  }
  const workflowName = registeredWorkflowOf(workflow).name;
  const url = options.systemDatabaseUrl ?? options.config?.systemDatabaseUrl;
  const database = url ? undefined : temporarySystemDatabase();
  const config: DBOSConfig = { name: 'crash-test', logLevel: 'error', ...options.config, systemDatabaseUrl: url ?? database?.url };
  const probe = new CrashProbe();
  const session = new CrashSession(workflow as unknown as AnyWorkflow, args, config, probe, options);
  installOperationProbe(probe);
  let report: CrashTestReport;
  try {
    await session.launch();
    report = { workflowName, ...(await session.runAll()) };
  } finally {
    installOperationProbe(undefined);
    await DBOS.shutdown();
    database?.remove();
  }
  if (report.failures > 0 && options.throwOnFailure !== false) {
    throw new DBOSCrashTestFailedError(workflowName, report.failures, formatCrashReport(report));
  }
  return report;
}

class CrashSession {
  private readonly prefix: string;
  private readonly timeoutMs: number;
  private names = new Map<string, Map<number, string>>();

  constructor(
    private readonly workflow: AnyWorkflow,
    private readonly args: unknown[],
    private readonly config: DBOSConfig,
    private readonly probe: CrashProbe,
    private readonly options: CrashTestOptions,
  ) {
    this.prefix = options.workflowIDPrefix ?? `crash-test-${randomUUID()}`;
    this.timeoutMs = options.runTimeoutMs ?? 30_000;
  }

  async launch(): Promise<void> {
    DBOS.setConfig(this.config);
    await DBOS.launch();
  }

  async runAll(): Promise<{ runs: CrashPointReport[]; failures: number }> {
    const cleanID = `${this.prefix}-clean`;
    this.probe.startRun(cleanID);
    const clean = await this.settle(this.start(cleanID));
    const boundaries = [...this.probe.boundaries];
    await this.loadNames(cleanID, boundaries);
    const runs = [await this.judge(0, 'no crash', cleanID, undefined, clean, undefined)];
    for (let index = 0; index < boundaries.length; index++) {
      runs.push(await this.crashRun(index, boundaries[index]!, clean));
    }
    return { runs, failures: runs.filter((run) => run.problems.length > 0).length };
  }

  private async crashRun(index: number, boundary: CrashBoundary, clean: RunOutcome | undefined): Promise<CrashPointReport> {
    const workflowID = `${this.prefix}-crash${index + 1}`;
    const where = describeBoundary(boundary, (child, functionID) => this.nameOf(child, functionID));
    this.probe.startRun(workflowID, index);
    const first = this.settle(this.start(workflowID));
    const crashed = await Promise.race([first.then(() => false), this.probe.crashed.promise.then(() => true)]);
    if (!crashed) {
      const problem = 'the crash point was never reached: this run took another path than the clean run (not deterministic)';
      return this.judge(index + 1, where, workflowID, boundary, await first, clean, [problem]);
    }
    await DBOS.shutdown();
    await this.launch(); // a fresh engine on the same database: its recovery resumes the workflow
    const outcome = await this.settle(DBOS.retrieveWorkflow(workflowID).getResult());
    return this.judge(index + 1, where, workflowID, boundary, outcome, clean);
  }

  private async start(workflowID: string): Promise<unknown> {
    const handle = await DBOS.startWorkflow(this.workflow, { workflowID })(...this.args);
    return handle.getResult();
  }

  /** The run's outcome, or undefined when it takes longer than the run timeout. */
  private async settle(result: Promise<unknown>): Promise<RunOutcome | undefined> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.timeoutMs);
    });
    const outcome = result.then(
      (value): RunOutcome => ({ ok: true, value }),
      (error: unknown): RunOutcome => ({ ok: false, error }),
    );
    try {
      return await Promise.race([outcome, expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async judge(
    index: number,
    where: string,
    workflowID: string,
    boundary: CrashBoundary | undefined,
    outcome: RunOutcome | undefined,
    clean: RunOutcome | undefined,
    problems: string[] = [],
  ): Promise<CrashPointReport> {
    const report: CrashPointReport = { index, where, workflowID, outcome, rerunSteps: this.probe.rerunSteps(), problems, ...(boundary ? { boundary } : {}) };
    if (!outcome) {
      problems.push(`did not finish within ${this.timeoutMs} ms${index > 0 ? ' after its recovery' : ''}`);
      return report;
    }
    const error = outcome.ok ? undefined : outcome.error;
    if (error instanceof DBOSUnexpectedStepError) {
      report.nonDeterminism = { functionID: error.stepID, expected: error.expectedName, recorded: error.recordedName };
      problems.push(
        `not deterministic: on recovery the code called "${error.expectedName}" at operation #${error.stepID}, ` +
          `where the first execution recorded "${error.recordedName}"`,
      );
      return report;
    }
    if (clean && index > 0 && !this.sameOutcome(clean, outcome)) {
      problems.push(`recovered to another outcome than the clean run, which ${describeOutcome(clean)}`);
    }
    if (this.options.verifyReplay !== false) {
      report.replay = await verifyWorkflowReplay(engineFor('crashTest'), workflowID);
      if (report.replay.divergence) problems.push(`replay of its history diverges: ${report.replay.divergence.message}`);
    }
    return report;
  }

  private sameOutcome(clean: RunOutcome, recovered: RunOutcome): boolean {
    const compare = this.options.sameOutcome;
    if (compare === false) return true;
    if (compare) return compare(clean, recovered);
    if (clean.ok && recovered.ok) return isDeepStrictEqual(clean.value, recovered.value);
    if (clean.ok || recovered.ok) return false;
    const [a, b] = [clean.error as Error, recovered.error as Error];
    return a?.name === b?.name && a?.message === b?.message;
  }

  /** The clean run's operation names, by child suffix and function ID, to name the crash points. */
  private async loadNames(cleanID: string, boundaries: CrashBoundary[]): Promise<void> {
    const database = engineFor('crashTest').systemDatabase;
    for (const child of new Set(boundaries.map((boundary) => boundary.child))) {
      const outcomes = await database.loadStepOutcomes(`${cleanID}${child}`);
      this.names.set(child, new Map(outcomes.map((outcome) => [outcome.functionID, outcome.functionName])));
    }
  }

  private nameOf(child: string, functionID: number): string {
    const name = this.names.get(child)?.get(functionID);
    return name === undefined ? '(unrecorded)' : `"${name}"`;
  }
}
