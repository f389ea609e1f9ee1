/**
 * A quick before/after probe of the hot path, for a schema change: the bench's
 * (a) sequential latency and (b) in-flight throughput on one backend, printed
 * as one JSON line, with the raw commit time measured around (a) in the same
 * run (bench/raw-commits.ts, one connection, before and after: their mean),
 * so (a) also reads as raw commit times. Run it from two checkouts
 * alternately and compare ratios:
 *   node --import tsx bench/schema-ab.ts sqlite|postgres
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { dropSchemas, postgresUrl, preparePostgres } from './harness.ts';
import { postgresRawLimit, sqliteRawLimit } from './raw-commits.ts';
import { inFlightThroughput, sequentialLatency } from './workflows.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const tag = `${Date.now()}${process.pid}`;
const rawDurationMs = 1500;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(os.tmpdir(), 'durably-ab-'));
  const url = postgresUrl();
  if (backend === 'postgres') {
    const { problem } = await preparePostgres(url);
    if (problem) throw new Error(`Postgres unreachable at ${url}: ${problem}`);
  }
  const config = (scenario: string) =>
    backend === 'postgres'
      ? { name: 'ab', systemDatabaseUrl: url, systemDatabaseSchemaName: `ab_${tag}_${scenario}`, logLevel: 'warn' as const }
      : { name: 'ab', systemDatabaseUrl: join(dir, `${scenario}.sqlite`), logLevel: 'warn' as const };
  const rawCommitMs = async (pass: string) => {
    const limit =
      backend === 'postgres'
        ? await postgresRawLimit(url, `ab_${tag}_raw_${pass}`, rawDurationMs)
        : await sqliteRawLimit(join(dir, `raw-${pass}.sqlite`), rawDurationMs);
    return 1000 / limit.sequentialPerSec;
  };
  try {
    const rawBefore = await rawCommitMs('before');
    const sequential = await sequentialLatency(config('seq'), 50, 300);
    const rawMs = (rawBefore + (await rawCommitMs('after'))) / 2;
    const inFlight = await inFlightThroughput(config('flight'), 400, 5000, 200);
    console.log(
      JSON.stringify({
        backend,
        medianMs: sequential.medianMs,
        p99Ms: sequential.p99Ms,
        rawCommitMs: rawMs,
        medianInRawCommits: sequential.medianMs / rawMs,
        workflowsPerSec: inFlight.workflowsPerSec,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') await dropSchemas(url, ['seq', 'flight', 'raw_before', 'raw_after'].map((s) => `ab_${tag}_${s}`));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
