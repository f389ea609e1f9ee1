/**
 * `npm run bench`: durably's hot path on both backends, each figure next to
 * the raw limit of the same database measured in the same run.
 *
 *   (c) raw limit: single-row INSERT commits/s, 1 connection and 16
 *   (a) a 3-step no-op workflow run sequentially: median and p99 latency,
 *       in units of one raw commit (target: about 5 = start + 3 steps + finish)
 *   (b) 200 such workflows in flight: workflows/s and steps/s, steps/s as a
 *       multiple of the raw 16-connection commit rate (target > 1: group commit)
 *   SQL statements and commits per sequential workflow (target: <= 5 commits)
 *   (q1) 10,000 no-op workflows through a queue with no limit: tasks/s, as a
 *        multiple of the raw 16-connection commit rate / 3 (enqueue, dequeue,
 *        end; target on Postgres >= 1)
 *   (q2) the same through a queue with `concurrency: 10`
 *   (q3) enqueue-to-start latency on an idle queue (target: median < 10 ms)
 *   (q4) a queue with `concurrency: 5` and 50 ms tasks: drain rate as a share
 *        of N/d, in one process and in three (target >= 80%)
 *   (m) DBOS.send (outside) -> the waiting DBOS.recv (in a workflow) returns,
 *   (e) DBOS.setEvent (in a workflow) -> the waiting DBOS.getEvent (outside)
 *       returns: median and p99, in one process and across two, in units of
 *       one raw commit (targets: median < 5 ms across processes on Postgres,
 *       in one process on SQLite); and across two with the recv idle 0.25
 *       to 2 s before each send; (n) the raw wake-up: a bare pg_notify heard
 *       by another connection, after the same pauses
 *   (o) tracing's cost: (a) and (b) with tracing off, no provider, the API's
 *       no-op spans, a real SDK, and OTLP export (bench/tracing.ts; targets:
 *       no-op < 2%, full tracing < 15%). Alone: `npm run bench -- --only tracing`
 *       (replaces only its section of BENCHMARKS.md)
 *   (s) cost as the work grows: the live figures on an empty database and on
 *       one of 1,000,000 finished workflows, garbage collection's stalls, idle
 *       load (bench/scale.ts). Only alone: `npm run bench -- --only scale`
 *       (its fill takes minutes), with 1 to 8 processes sharing a queue
 *       (also alone: `--only scale-processes`); a full run keeps their sections
 *
 * Prints a table and writes BENCHMARKS.md, keeping its hand-written notes (from notesMarker on). Postgres: the server of
 * DBOS_TEST_POSTGRES_URL, else 127.0.0.1:5432 (user postgres), database
 * durably_bench, a fresh schema per scenario (dropped at the end); skipped,
 * loudly, when unreachable. SQLite: fresh files under the OS temp folder.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { measureAll, postgresHarness, postgresUrl, preparePostgres, sqliteHarness } from './harness.ts';
import { fmt } from './report-rows.ts';
import { markdown, table, verdicts } from './report.ts';
import { tracingSection } from './report-tracing.ts';
import { measureTracingOn, onlyTracing, printTracing } from './run-tracing.ts';
import { onlyScale, onlyScaleProcesses } from './run-scale.ts';
import { existingScaleSection } from './report-scale.ts';
import { existingProcessesSection } from './report-scale-processes.ts';

const benchmarksFile = new URL('../BENCHMARKS.md', import.meta.url);
/** Everything from this line on in BENCHMARKS.md is written by hand (figures measured once) and kept by a full run. */
const notesMarker = '<!-- notes: kept by npm run bench -->';

function keptNotes(): string {
  let current: string;
  try {
    current = readFileSync(benchmarksFile, 'utf8');
  } catch {
    return '';
  }
  const at = current.indexOf(notesMarker);
  return at === -1 ? '' : `\n${current.slice(at)}`;
}

const onlySections = ['tracing', 'scale', 'scale-processes'];

/** `--only <section>`: the one section to run. */
function onlySection(): string | undefined {
  const at = process.argv.indexOf('--only');
  if (at === -1) return undefined;
  const section = process.argv[at + 1];
  if (!onlySections.includes(section!)) throw new Error(`--only takes one of ${onlySections.join(', ')}, got ${JSON.stringify(section)}.`);
  return section;
}

async function main(): Promise<void> {
  const started = Date.now();
  const url = postgresUrl();
  const { problem, version } = await preparePostgres(url);
  if (problem) {
    console.warn(
      `\n!!! POSTGRES BENCHMARK SKIPPED: cannot reach ${url} (${problem}).\n` +
        '!!! Start Postgres on 127.0.0.1:5432 or set DBOS_TEST_POSTGRES_URL to include it.\n',
    );
  }
  const harnesses = [sqliteHarness(), ...(problem ? [] : [postgresHarness(url)])];
  if (onlySection() === 'tracing') {
    await onlyTracing(harnesses);
    console.log(`Replaced the tracing section of BENCHMARKS.md (${fmt((Date.now() - started) / 1000, 1)} s).`);
    return;
  }
  if (onlySection() === 'scale' || onlySection() === 'scale-processes') {
    await (onlySection() === 'scale' ? onlyScale(harnesses) : onlyScaleProcesses(harnesses));
    console.log(`Replaced the ${onlySection()} section(s) of BENCHMARKS.md (${fmt((Date.now() - started) / 1000, 1)} s).`);
    return;
  }
  // (o) first: the later scenarios declare queues and data sources that every later launch would start.
  const tracing = await measureTracingOn(harnesses);
  const results = await measureAll(harnesses);
  const current = readFileSync(benchmarksFile, 'utf8'); // (s) runs only alone: keep its figures
  const kept = [existingScaleSection(current), existingProcessesSection(current)].filter(Boolean).map((section) => `\n${section}\n`);
  const report = `${markdown(results, problem, version)}\n\n${tracingSection(tracing)}\n${kept.join('')}${keptNotes()}`;
  writeFileSync(benchmarksFile, report);
  console.log(`\n${table(results)}\n\n${verdicts(results).join('\n')}\n`);
  printTracing(tracing);
  console.log(`Wrote BENCHMARKS.md (${fmt((Date.now() - started) / 1000, 1)} s).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});