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
 *
 * Prints a table and writes BENCHMARKS.md. Postgres: the server of
 * DBOS_TEST_POSTGRES_URL, else 127.0.0.1:5432 (user postgres), database
 * durably_bench, a fresh schema per scenario (dropped at the end); skipped,
 * loudly, when unreachable. SQLite: fresh files under the OS temp folder.
 */
import { writeFileSync } from 'node:fs';
import { measureAll, postgresHarness, postgresUrl, preparePostgres, sqliteHarness } from './harness.ts';
import { fmt } from './report-rows.ts';
import { markdown, table, verdicts } from './report.ts';

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
  const results = await measureAll([sqliteHarness(), ...(problem ? [] : [postgresHarness(url)])]);
  const report = markdown(results, problem, version);
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), report);
  console.log(`\n${table(results)}\n\n${verdicts(results).join('\n')}\n`);
  console.log(`Wrote BENCHMARKS.md (${fmt((Date.now() - started) / 1000, 1)} s).`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});