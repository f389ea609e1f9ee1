/**
 * (r) Recovery: a process starts `settings.recovery.workflows` workflows, each
 * blocked in its second step, and is SIGKILLed; a new process launches on the
 * same system database. Measured there: how long DBOS.launch() takes (target
 * < 100 ms whatever the count: recovery goes on in the background), the time
 * from before launch until every workflow has finished (target < 0.5 s for
 * 1,000), as a multiple of the ideal (2 writes per workflow at the raw
 * 16-connection commit rate), and the recovering process's peak RSS.
 */
import type { DBOSConfig } from '../src/index.ts';
import { BenchChild } from './bench-child.ts';
import { fmt, ms, times, type Row } from './report-rows.ts';
import { settings, type BackendResult } from './settings.ts';

export interface RecoveryResult {
  workflows: number;
  launchMs: number;
  allFinishedMs: number;
  /** From before launch until recovery had resumed every workflow (they then run to their end). */
  recoveredMs: number;
  /** Workflows resumed by the time launch returned (0: recovery had not begun its first batch). */
  resumedAtLaunch: number;
  resumed: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

export const recoveryTargets = { launchMs: 100, allFinishedMs: 500, forWorkflows: 1_000 };

/** `hardLimitMs`: each of the two processes is killed after it (a hang); larger counts need longer. */
export async function recoveryAfterKill(config: DBOSConfig, workflows: number, hardLimitMs?: number): Promise<RecoveryResult> {
  const env = { DURABLY_BENCH_CONFIG: JSON.stringify(config), DURABLY_BENCH_COUNT: String(workflows) };
  const killed = new BenchChild('bench/recovery-worker.ts', { ...env, DURABLY_BENCH_RECOVERY: 'start' }, hardLimitMs);
  await killed.ready();
  killed.kill();
  const recovering = new BenchChild('bench/recovery-worker.ts', { ...env, DURABLY_BENCH_RECOVERY: 'recover' }, hardLimitMs);
  const measured = JSON.parse(await recovering.lineAfter('RESULT ')) as Omit<RecoveryResult, 'workflows'>;
  return { workflows, ...measured };
}

/** The ideal: each recovered workflow writes its second step and its outcome, at the raw 16-connection rate. */
function idealMs(r: BackendResult): number {
  return ((2 * r.recovery.workflows) / r.raw.parallelPerSec) * 1000;
}

export const recoveryRows: Row[] = [
  {
    figure: `(r) recovery of ${fmt(settings.recovery.workflows)} workflows SIGKILLed in a step: DBOS.launch() returns after`,
    cells: (r) => [ms(r.recovery.launchMs), `${fmt(r.recovery.resumedAtLaunch)} resumed when it returned`],
    target: `< ${recoveryTargets.launchMs} ms`,
  },
  {
    figure: '(r) same: all finished, from before launch',
    cells: (r) => [
      ms(r.recovery.allFinishedMs),
      `${times(r.recovery.allFinishedMs / idealMs(r))} the ideal (2 writes each at the raw 16-conn rate); all resumed after ${ms(r.recovery.recoveredMs)}`,
    ],
    target: `< ${recoveryTargets.allFinishedMs} ms for ${fmt(recoveryTargets.forWorkflows)}`,
  },
  {
    figure: '(r) same: peak RSS of the recovering process',
    cells: (r) => [`${fmt(r.recovery.peakRssMb)} MB`, `${fmt(r.recovery.rssBeforeMb)} MB before launch`],
    target: 'bounded (batches of 500)',
  },
];

export function recoveryVerdict(r: BackendResult): string {
  const { launchMs, allFinishedMs, workflows, resumed } = r.recovery;
  const scaled = (allFinishedMs * recoveryTargets.forWorkflows) / workflows;
  return (
    `- ${r.backend} recovery: launch returned in ${ms(launchMs)} (target < ${recoveryTargets.launchMs} ms: ${launchMs < recoveryTargets.launchMs ? 'met' : 'NOT met'}); ` +
    `${fmt(resumed)} of ${fmt(workflows)} resumed, all finished in ${ms(allFinishedMs)} ` +
    `(target < ${recoveryTargets.allFinishedMs} ms per ${fmt(recoveryTargets.forWorkflows)}: ${scaled < recoveryTargets.allFinishedMs ? 'met' : 'NOT met'}).`
  );
}
