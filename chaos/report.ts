/** The chaos run's summary: one line per figure, then the violations; `CHAOS-RESULT <json>` for scripts and the test. */
import type { ChaosResult } from './driver.ts';
import { printViolations } from './verifier.ts';

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export function summaryFigures(result: ChaosResult) {
  const { verdict } = result;
  return {
    workflowsCompleted: verdict.completedOrders,
    workflowsEnqueued: verdict.orders,
    kills: verdict.kills,
    restarts: verdict.restarts,
    cuts: verdict.cuts,
    lockHolds: verdict.locks,
    stepExecutions: verdict.stepExecutions,
    stepReruns: verdict.stepReruns,
    transactionReruns: verdict.transactionReruns,
    failedLaunches: result.failedLaunches.length,
    workerCrashes: result.crashes.length,
    enqueueErrors: result.enqueueErrors,
    faultErrors: result.faultErrors.length,
    recoveryMsMedian: median(result.recoveryMs),
    recoveryMsMax: result.recoveryMs.length ? Math.max(...result.recoveryMs) : undefined,
    chaosSeconds: Math.round(result.chaosMs / 1000),
    drainSeconds: Math.round(result.drainMs / 100) / 10,
    violations: verdict.violations.length,
  };
}

export function printSummary(result: ChaosResult): void {
  const figures = summaryFigures(result);
  console.log(`chaos: ${result.database}`);
  if (result.restartsSkipped) console.log(`chaos: !!! Postgres restarts skipped: ${result.restartsSkipped}`);
  for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(20)} ${value ?? '-'}`);
  if (result.recoveryMs.length) console.log(`  recovery per restart (ms from the database back to the next completed workflow): ${result.recoveryMs.join(', ')}`);
  for (const launch of result.failedLaunches.slice(0, 3)) {
    const cause = launch.stderrTail.split('\n').find((line) => /error/i.test(line)) ?? launch.stderrTail.split('\n').slice(-3).join(' | ');
    console.log(`  failed launch of ${launch.executorID} (a worker started while the database was away): ${launch.exit}: ${cause.trim()}`);
  }
  for (const error of [...new Set(result.faultErrors)].slice(0, 3)) console.log(`  fault not injected: ${error}`);
  printViolations(result.verdict.violations);
  if (figures.violations > 0) console.log(`chaos: FAILED; ledger kept at ${result.ledgerPath}`);
  else console.log('chaos: passed, 0 violations');
  console.log(`CHAOS-RESULT ${JSON.stringify(figures)}`);
}
