/**
 * (s) many processes, Postgres: 1, 2, 4 and 8 worker processes
 * (bench/scale-process-worker.ts) share one queue with no limit. Once all
 * are launched, T no-op tasks are enqueued at once (one set-based INSERT
 * cloning an enqueued template, so the enqueue rate does not bound the
 * figure); throughput is T over the span durably recorded, from the first
 * task's start to the last one's end. Next to it, the raw 16-connection
 * commit rate measured in the same run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DBOSClient, type DBOSConfig } from '../src/index.ts';
import { BenchChild } from './bench-child.ts';
import type { Harness } from './harness.ts';
import { fillFinishedWorkflows, openRawDatabase } from './scale-fill.ts';
import { processesAppVersion, processesQueueName } from './scale-processes-task.ts';
import { withDurably } from './workflows.ts';

export const processCounts = [1, 2, 4, 8];
export const processesTasks = Number(process.env.DURABLY_BENCH_SCALE_PROCESS_TASKS ?? 20_000);

export interface ProcessesPoint {
  processes: number;
  tasks: number;
  tasksPerSec: number;
  spanMs: number;
  /** Tasks each process ran, most first. */
  perProcess: number[];
}

export interface ProcessesResult {
  rawParallelCommitsPerSec: number;
  points: ProcessesPoint[];
}

const templateID = 'processes-template';

/** An enqueued task to clone, on a queue nobody serves (so it stays enqueued). */
async function enqueueTemplate(config: DBOSConfig): Promise<void> {
  await withDurably(config, async () => undefined); // create and migrate the schema
  const client = await DBOSClient.create({ systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName });
  try {
    await client.enqueue({
      queueName: `${processesQueueName}-template`,
      workflowName: 'bench.scale.processesTask',
      workflowID: templateID,
      appVersion: processesAppVersion,
    });
  } finally {
    await client.destroy();
  }
}

async function onePoint(config: DBOSConfig, processes: number): Promise<ProcessesPoint> {
  await enqueueTemplate(config);
  const workers = Array.from(
    { length: processes },
    (_, i) => new BenchChild('bench/scale-process-worker.ts', { DURABLY_BENCH_CONFIG: JSON.stringify({ ...config, executorID: `bench-processes-${i}` }) }, 300_000),
  );
  const db = await openRawDatabase(config);
  try {
    await Promise.all(workers.map((w) => w.ready()));
    await fillFinishedWorkflows(config, templateID, processesTasks, processesQueueName, Date.now() - processesTasks, () => undefined, 1);
    const status = db.table('workflow_status');
    const deadline = performance.now() + 280_000;
    for (;;) {
      const [left] = await db.query(`SELECT COUNT(*) AS n FROM ${status} WHERE queue_name = $1 AND status <> 'SUCCESS'`, [processesQueueName]);
      if (Number(left!.n) === 0) break;
      if (performance.now() > deadline) throw new Error(`${left!.n} tasks still unfinished with ${processes} processes`);
      await sleep(100);
    }
    const [span] = await db.query(`SELECT MIN(started_at_epoch_ms) AS first, MAX(updated_at) AS last FROM ${status} WHERE queue_name = $1`, [
      processesQueueName,
    ]);
    const byExecutor = await db.query(`SELECT COUNT(*) AS n FROM ${status} WHERE queue_name = $1 GROUP BY executor_id ORDER BY n DESC`, [
      processesQueueName,
    ]);
    const spanMs = Number(span!.last) - Number(span!.first);
    return { processes, tasks: processesTasks, tasksPerSec: (processesTasks / spanMs) * 1000, spanMs, perProcess: byExecutor.map((r) => Number(r.n)) };
  } finally {
    await db.close();
    await Promise.all(workers.map((w) => w.stop().catch(() => w.kill())));
  }
}

export async function processesCurve(h: Harness, say: (what: string) => void): Promise<ProcessesResult> {
  say('(s) raw commits for the many-processes curve');
  const raw = await h.raw('processes');
  const points: ProcessesPoint[] = [];
  for (const processes of processCounts) {
    say(`(s) ${processesTasks} tasks through a no-limit queue shared by ${processes} worker process(es)`);
    points.push(await onePoint({ ...h.config(`scale_processes_${processes}`), applicationVersion: processesAppVersion }, processes));
  }
  return { rawParallelCommitsPerSec: raw.parallelPerSec, points };
}
