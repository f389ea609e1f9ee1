/**
 * A quick before/after probe of a queue's throughput, for a dequeue change:
 * the bench's (q2) scenario alone (no-op tasks through a queue with
 * `concurrency: 10`), or (q1)'s (a queue without limit) when asked, on one
 * backend, printed as one JSON line. Run it from two checkouts alternately and
 * compare ratios within a round:
 *   node --import tsx bench/queue-ab.ts sqlite|postgres [total] [limited|unlimited]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dropSchemas, postgresUrl, preparePostgres } from './harness.ts';
import { benchQueues, declareBenchQueues, limitedConcurrency, queueThroughput } from './queues.ts';
import { settings } from './settings.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const total = Number(process.argv[3] ?? settings.queues.throughput.total);
const queue = process.argv[4] === 'unlimited' ? 'unlimited' : 'limited';
const tag = `${Date.now()}${process.pid}`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'durably-queue-ab-'));
  const url = postgresUrl();
  if (backend === 'postgres') {
    const { problem } = await preparePostgres(url);
    if (problem) throw new Error(`Postgres unreachable at ${url}: ${problem}`);
  }
  const schema = `qab_${tag}`;
  const config =
    backend === 'postgres'
      ? { name: 'qab', systemDatabaseUrl: url, systemDatabaseSchemaName: schema, logLevel: 'warn' as const }
      : { name: 'qab', systemDatabaseUrl: join(dir, 'q2.sqlite'), logLevel: 'warn' as const };
  try {
    declareBenchQueues();
    const { warmup, enqueuers } = settings.queues.throughput;
    const result = await queueThroughput(config, benchQueues()[queue], warmup, total, enqueuers);
    const slotMs = queue === 'limited' ? Number(((1000 * limitedConcurrency) / result.tasksPerSec).toFixed(2)) : undefined;
    console.log(
      JSON.stringify({
        backend,
        queue,
        tasksPerSec: Math.round(result.tasksPerSec),
        slotMs,
        enqueueMs: Math.round(result.enqueueMs),
        tailMs: Math.round(result.tailMs),
        processCores: Number(result.cpu.processCores.toFixed(2)),
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchemas(url, [schema]);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
