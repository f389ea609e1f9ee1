/** The report of (s), cost as the work grows: its tables, verdicts and its section of BENCHMARKS.md. */
import { fmt, ms } from './report-rows.ts';
import type { IdleResult } from './scale-idle.ts';
import { idleWindowMs } from './scale-idle.ts';
import { scaleShape, type PhaseResult, type ScaleResult } from './scale.ts';
import type { Backend } from './settings.ts';

export interface BackendScale {
  backend: Backend;
  scale: ScaleResult;
  idle: IdleResult[];
}

/** Within 20% of the empty database's figure (the issue's target). */
const withinRatio = 1.2;
const gcStallTargetMs = 50;

/** Each compared figure as a time (larger is worse): throughput as the time per task. */
const compared: { what: string; time: (p: PhaseResult) => number; show: (p: PhaseResult) => string }[] = [
  { what: 'enqueue → start, idle queue (median)', time: (p) => p.enqueueToStart.medianMs, show: (p) => ms(p.enqueueToStart.medianMs) },
  { what: 'enqueue → start, idle queue (p90)', time: (p) => p.enqueueToStart.p90Ms, show: (p) => ms(p.enqueueToStart.p90Ms) },
  {
    what: `claim throughput, no-limit queue (${fmt(scaleShape.claim.total)} tasks; ratio of time per task)`,
    time: (p) => 1 / p.claimTasksPerSec,
    show: (p) => `${fmt(p.claimTasksPerSec)}/s`,
  },
  { what: '`listWorkflows` first page, 50 newest (median)', time: (p) => p.listFirstPage.medianMs, show: (p) => ms(p.listFirstPage.medianMs) },
  { what: "one workflow's 3 steps, `listWorkflowSteps` (median)", time: (p) => p.steps.medianMs, show: (p) => ms(p.steps.medianMs) },
  {
    what: `recovery of ${fmt(scaleShape.recoveryWorkflows)} workflows SIGKILLed in a step: all finished`,
    time: (p) => p.recoveryAllFinishedMs,
    show: (p) => ms(p.recoveryAllFinishedMs),
  },
  { what: 'same: `DBOS.launch()` returns', time: (p) => p.recoveryLaunchMs, show: (p) => ms(p.recoveryLaunchMs) },
];

const row = (cells: string[]) => `| ${cells.join(' | ')} |`;
const ratio = (filled: number, empty: number) => `${fmt(filled / empty, 2)}x`;

export function scaleTable(results: BackendScale[]): string {
  const lines = [row(['backend', 'figure', 'empty database', 'N finished workflows', 'filled ÷ empty', `target ≤ ${withinRatio}x`])];
  lines.push(row(Array(6).fill('---')));
  for (const { backend, scale } of results) {
    for (const c of compared) {
      const r = c.time(scale.filled) / c.time(scale.empty);
      lines.push(row([backend, c.what, c.show(scale.empty), c.show(scale.filled), ratio(c.time(scale.filled), c.time(scale.empty)), r <= withinRatio ? 'met' : 'NOT met']));
    }
  }
  return lines.join('\n');
}

export function plansTable(results: BackendScale[]): string {
  const lines = [row(['backend', 'operation', 'statement (start)', 'indexes used on the filled database', 'full scans'])];
  lines.push(row(Array(5).fill('---')));
  for (const { backend, scale } of results) {
    for (const [operation, plans] of Object.entries(scale.filled.plans ?? {})) {
      for (const p of plans) {
        const statement = `\`${p.statement.replaceAll('|', '\\|').replaceAll('`', "'")}…\``;
        lines.push(row([backend, operation, statement, p.indexes.join(', ') || '—', p.fullScans.length ? `**${p.fullScans.join(', ')}**` : 'none']));
      }
    }
  }
  return lines.join('\n');
}

export function gcTable(results: BackendScale[]): string {
  const lines = [
    row(['backend', 'deleted', 'took', 'window', 'longest 5 ms timer lateness', 'slowest live workflow (median)', 'live workflows run', `target < ${gcStallTargetMs} ms`]),
    row(Array(8).fill('---')),
  ];
  for (const { backend, scale } of results) {
    const { gc } = scale;
    for (const [label, w] of [['without collection', gc.baseline], ['during collection', gc.during]] as const) {
      const stall = Math.max(w.timerLateMs, w.workflowMaxMs);
      lines.push(
        row([
          backend,
          label === 'during collection' ? fmt(gc.deleted) : '—',
          label === 'during collection' ? `${fmt(gc.seconds, 1)} s` : '—',
          `${label}, ${fmt(w.ms / 1000, 1)} s`,
          ms(w.timerLateMs),
          `${ms(w.workflowMaxMs)} (${ms(w.workflowMedianMs)})`,
          fmt(w.workflows),
          label === 'during collection' ? (stall < gcStallTargetMs ? 'met' : 'NOT met') : '',
        ]),
      );
    }
  }
  return lines.join('\n');
}

export function idleTable(results: BackendScale[]): string {
  const header = ['backend', 'idle process', 'SQL statements/s (driver count)', 'SQLite `PRAGMA data_version` checks/s', 'server transactions/s (whole database)'];
  const lines = [row([...header, 'process CPU', "waiters' start-up; RSS", 'most frequent statements (per s)'])];
  lines.push(row(Array(header.length + 3).fill('---')));
  for (const { backend, idle } of results) {
    for (const r of idle) {
      const server = r.serverTransactionsPerSec === undefined ? '—' : fmt(r.serverTransactionsPerSec, 1);
      const top = r.topStatements.map((s) => `\`${s.text.replaceAll('|', '\\|').replaceAll('`', "'").slice(0, 70)}…\` ${fmt(s.perSec, 1)}`).join('<br>');
      const start = r.startMs === undefined ? '—' : ms(r.startMs);
      const watcher = backend === 'sqlite' ? fmt(r.watcherChecksPerSec, 1) : '—';
      lines.push(row([backend, r.shape, fmt(r.statementsPerSec, 1), watcher, server, `${fmt(r.cpuPercent, 2)}%`, `${start}; ${fmt(r.rssMb)} MB`, top || '—']));
    }
  }
  return lines.join('\n');
}

export function scaleVerdicts(results: BackendScale[]): string[] {
  return results.flatMap(({ backend, scale, idle }) => {
    const worst = compared
      .map((c) => ({ what: c.what, r: c.time(scale.filled) / c.time(scale.empty) }))
      .filter((c) => c.r > withinRatio)
      .map((c) => `${c.what} ${fmt(c.r, 2)}x`);
    const stall = Math.max(scale.gc.during.timerLateMs, scale.gc.during.workflowMaxMs);
    const baseline = idle[0]!;
    const most = idle.reduce((a, b) => (b.statementsPerSec > a.statementsPerSec ? b : a));
    return [
      `- ${backend} at ${fmt(scale.workflows)} finished workflows (${fmt(scale.fill.rows)} rows, filled in ${fmt(scale.fill.seconds, 1)} s): ` +
        (worst.length ? `beyond ${withinRatio}x of the empty database: ${worst.join('; ')}.` : `every figure within ${withinRatio}x of the empty database.`),
      `- ${backend} garbage collection of ${fmt(scale.gc.deleted)} workflows took ${fmt(scale.gc.seconds, 1)} s; live work stalled at most ` +
        `${ms(stall)} (target < ${gcStallTargetMs} ms: ${stall < gcStallTargetMs ? 'met' : 'NOT met'}; ` +
        `${ms(Math.max(scale.gc.baseline.timerLateMs, scale.gc.baseline.workflowMaxMs))} in the same window without collection).`,
      `- ${backend} idle: ${fmt(baseline.statementsPerSec, 1)} statements/s with one idle queue; the most, ${fmt(most.statementsPerSec, 1)}/s, ` +
        `with ${most.shape} (target: independent of the waiters, < 1/s per process with LISTEN).`,
    ];
  });
}

function fullScanNote(results: BackendScale[]): string {
  const scans = results.flatMap((r) => Object.values(r.scale.filled.plans ?? {}).flat()).filter((p) => p.fullScans.length > 0);
  return scans.length === 0
    ? 'Every statement on the live path finds its rows through an index, none reads\na table whole'
    : `**${scans.length} statement(s) read a large table whole** (see the last column)`;
}

export const scaleSectionStart = '<!-- scale:start -->';
export const scaleSectionEnd = '<!-- scale:end -->';

export function scaleSection(results: BackendScale[]): string {
  const s = scaleShape;
  return `${scaleSectionStart}
## (s) Cost as the work grows

Measured on ${new Date().toISOString()} (\`npm run bench -- --only scale\`; N = \`DURABLY_BENCH_SCALE_WORKFLOWS\`, default 1,000,000).
The same figures on an empty system database and on one holding N finished 3-step workflows, in the same run and
process. The N workflows are put there by set-based SQL (Postgres \`generate_series\`, SQLite a recursive CTE) cloning
every row of one real finished workflow (its status and 3 steps, and its input and output rows where the backend keeps
them apart) with fresh IDs and created_at one ms apart,
30 days old; every other one is a finished task of the measured no-limit queue.

${scaleTable(results)}

${scaleVerdicts(results).join('\n')}

- Enqueue → start: ${s.latencyRuns} tasks one at a time through an idle queue, the enqueue call to the body's first statement.
  Claim throughput: ${fmt(s.claim.total)} no-op tasks enqueued ${s.claim.enqueuers} at a time until all finished, after ${s.claim.warmup}.
  Reads: ${s.readRuns} each, median. Recovery: bench/recovery.ts's scenario (${s.recoveryWorkflows} workflows) on the same database.
- The machine is shared (2 cores, other work running): a ratio within about ±20% between two runs of the empty database is noise.

### Which indexes make it so

The statements each operation really sent (captured at the drivers, process-wide: a dequeuer's poll that ran meanwhile
shows too), EXPLAINed on the filled database. ${fullScanNote(results)}:

${plansTable(results)}

### Garbage collection while live work runs

\`DBOS.garbageCollect({ cutoffEpochTimestampMs })\` deleting the N workflows, while a 5 ms interval timer and a loop of
sequential 3-step workflows run in the same process; the same for ${fmt(s.gcBaselineMs / 1000)} s without collection first.

${gcTable(results)}

### Idle load

Each shape in its own process on a fresh database; SQL statements counted at the process's drivers and its CPU over
${fmt(idleWindowMs / 1000)} s, after every waiter started and a 2 s pause. Waiters: half in \`DBOS.recv\`, half in
\`DBOS.getEvent\` on another waiter, each for an hour.

${idleTable(results)}
${scaleSectionEnd}`;
}

/** `report` with its (s) section replaced by `section` (or `section` appended, if it has none). */
export function withScaleSection(report: string, section: string): string {
  const start = report.indexOf(scaleSectionStart);
  const end = report.indexOf(scaleSectionEnd);
  if (start === -1 || end === -1) return `${report.trimEnd()}\n\n${section}\n`;
  return report.slice(0, start) + section + report.slice(end + scaleSectionEnd.length);
}

/** The (s) section already in `report`, to keep across a full bench run (which does not measure it). */
export function existingScaleSection(report: string): string | undefined {
  const start = report.indexOf(scaleSectionStart);
  const end = report.indexOf(scaleSectionEnd);
  return start === -1 || end === -1 ? undefined : report.slice(start, end + scaleSectionEnd.length);
}
