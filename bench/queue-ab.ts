/**
 * A quick before/after probe of the limited queue, for a dequeue change: the
 * bench's (q2) scenario alone (no-op tasks through a queue with
 * `concurrency: 10`) on one backend, printed as one JSON line. Run it from two
 * checkouts alternately and compare ratios within a round:
 *   node --import tsx bench/queue-ab.ts sqlite|postgres [total]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dropSchemas, postgresUrl, preparePostgres } from './harness.ts';
import { benchQueues, declareBenchQueues, limitedConcurrency, queueThroughput } from './queues.ts';
import { settings } from './settings.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const total = Number(process.argv[3] ?? settings.queues.throughput.total);
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
    const limited = await queueThroughput(config, benchQueues().limited, warmup, total, enqueuers);
    const slotMs = (1000 * limitedConcurrency) / limited.tasksPerSec;
    console.log(
      JSON.stringify({
        backend,
        tasksPerSec: Math.round(limited.tasksPerSec),
        slotMs: Number(slotMs.toFixed(2)),
        enqueueMs: Math.round(limited.enqueueMs),
        tailMs: Math.round(limited.tailMs),
        processCores: Number(limited.cpu.processCores.toFixed(2)),
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
