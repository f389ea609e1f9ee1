/**
 * durably/testing: check users' workflows in their own tests, with any test runner. crashTest crashes a
 * workflow at every durable operation boundary and checks it recovers to the same outcome; verifyReplay runs
 * a recorded workflow's history against the code registered now; the rest launch, reset and restart DBOS on
 * temporary system databases. Named re-exports only.
 */
export { crashTest, type CrashTestOptions } from './testing/crash-test.ts';
export { formatCrashReport, type CrashPointReport, type CrashTestReport, type RunOutcome } from './testing/crash-report.ts';
export type { CrashBoundary, StepRuns } from './testing/crash-probe.ts';
export { verifyReplay } from './testing/verify-replay.ts';
export type { ReplayDivergence, ReplayDivergenceKind, ReplayReport } from './engine/replay-verification.ts';
export {
  launchTestDBOS,
  resetDBOS,
  restartDBOS,
  temporarySystemDatabase,
  type TemporarySystemDatabase,
  type TestLaunch,
} from './testing/test-database.ts';
