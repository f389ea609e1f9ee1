/**
 * (s)'s garbage collection with live work, alone, for finding and checking its stalls: the database of N
 * finished workflows is filled once (a template: a SQLite file, or a Postgres database), then each run
 * collects a fresh copy of it while a 5 ms timer and a loop of sequential 3-step workflows run, as
 * bench/scale.ts does, and prints what the slowest live workflows waited for (bench/scale-gc-trace.ts).
 *
 *   npx tsx bench/scale-gc-alone.ts <sqlite|postgres> [runs]
 *
 * N = DURABLY_BENCH_SCALE_WORKFLOWS (default 100,000). Not part of `npm run bench`.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { engineFor } from '../src/runtime/runtime.ts';
import type { GarbageCollectionBatch } from '../src/system-database/records.ts';
import { fillFinishedWorkflows, openRawDatabase } from './scale-fill.ts';
import { asCollection, collectionHolds, heaviest, installStatementTimer, overlapping, type Interval } from './scale-gc-trace.ts';
import { WaitSampler } from './scale-gc-waits.ts';
import { quantile, threeStepWorkflow, withDurably } from './workflows.ts';

const backend = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const runs = Number(process.argv[3] ?? 1);
const workflows = Number(process.env.DURABLY_BENCH_SCALE_WORKFLOWS ?? 100_000);
const dir = '/tmp/durably-gc-alone';
const schema = 'gc';
const serverUrl = (database: string) => `postgresql://postgres@127.0.0.1:5432/${database}`;
const template = backend === 'sqlite' ? join(dir, `template-${workflows}.sqlite`) : `durably_gc_template_${workflows}`;
const copy = backend === 'sqlite' ? join(dir, 'run.sqlite') : 'durably_gc_run';

// As in (s): declared queues whose dequeuers poll beside the live work.
new WorkflowQueue('scale-unlimited');
new WorkflowQueue('scale-idle');

function configOf(database: string): DBOSConfig {
  if (backend === 'sqlite') return { name: 'bench', systemDatabaseUrl: database, logLevel: 'warn' };
  return { name: 'bench', systemDatabaseUrl: serverUrl(database), systemDatabaseSchemaName: schema, logLevel: 'warn' };
}

async function onServer(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl('postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/** Fill the template once; its cutoff is kept beside it. */
async function ensureTemplate(): Promise<number> {
  const cutoffFile = join(dir, `cutoff-${backend}-${workflows}.json`);
  if (existsSync(cutoffFile)) return JSON.parse(readFileSync(cutoffFile, 'utf8')).cutoff;
  mkdirSync(dir, { recursive: true });
  if (backend === 'postgres') await onServer(async (c) => void (await c.query(`CREATE DATABASE ${template}`)));
  else rmSync(template, { force: true });
  const config = configOf(template);
  await withDurably(config, () => DBOS.withNextWorkflowID('scale-template', () => threeStepWorkflow()));
  const say = (what: string) => console.log(`[${backend}] ${what}`);
  const fill = await fillFinishedWorkflows(config, 'scale-template', workflows, 'scale-unlimited', Date.now() - 30 * 86_400_000, say);
  if (backend === 'sqlite') {
    const db = await openRawDatabase(config);
    await db.query('PRAGMA wal_checkpoint(TRUNCATE)');
    await db.close();
  }
  writeFileSync(cutoffFile, JSON.stringify({ cutoff: fill.cutoffEpochMs }));
  return fill.cutoffEpochMs;
}

async function freshCopy(): Promise<void> {
  if (backend === 'sqlite') {
    for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
    copyFileSync(template, copy);
    return;
  }
  await onServer(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${copy}`);
    await c.query(`CREATE DATABASE ${copy} TEMPLATE ${template} STRATEGY FILE_COPY`);
  });
}

interface LiveWorkflow extends Interval {}

/** The timer and the workflow loop until `until` settles, as bench/scale.ts's liveWorkDuring, keeping each workflow's interval. */
async function liveWorkDuring(until: Promise<unknown>) {
  const started = performance.now();
  let last = started;
  const lateTimers: Interval[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    if (now - last - 5 > 20) lateTimers.push({ startMs: last, ms: now - last });
    last = now;
  }, 5);
  let done = false;
  void until.finally(() => (done = true));
  const live: LiveWorkflow[] = [];
  try {
    while (!done) {
      const startMs = performance.now();
      await threeStepWorkflow();
      live.push({ startMs, ms: performance.now() - startMs });
    }
    await until;
  } finally {
    clearInterval(timer);
  }
  const sorted = live.map((w) => w.ms).sort((a, b) => a - b);
  const summary = {
    seconds: (performance.now() - started) / 1000,
    workflows: live.length,
    medianMs: quantile(sorted, 0.5),
    p99Ms: quantile(sorted, 0.99),
    maxMs: sorted.at(-1) ?? 0,
    over50: live.filter((w) => w.ms > 50).length,
    timerLateMaxMs: Math.max(0, ...lateTimers.map((t) => t.ms - 5)),
  };
  return { summary, live, lateTimers, started };
}

function describeSlowest(live: LiveWorkflow[], count: number, waits: WaitSampler | undefined, since: number): void {
  for (const w of [...live].sort((a, b) => b.ms - a.ms).slice(0, count)) {
    console.log(`  live workflow of ${w.ms.toFixed(1)} ms at +${((w.startMs - since) / 1000).toFixed(2)} s:`);
    for (const s of overlapping(w, 2).slice(0, 6)) console.log(`    ${s.by} ${s.ms.toFixed(1)} ms ${s.sql}`);
    for (const line of waits?.during(w).slice(0, 6) ?? []) console.log(`    server: ${line}`);
  }
}

async function oneRun(cutoff: number): Promise<void> {
  await freshCopy();
  await withDurably(configOf(copy), async () => {
    for (let i = 0; i < 20; i++) await threeStepWorkflow();
    const baseline = await liveWorkDuring(sleep(3_000));
    console.log('baseline', JSON.stringify(baseline.summary));
    const batches: (GarbageCollectionBatch & { atMs: number })[] = [];
    const waits = backend === 'postgres' ? await WaitSampler.start(serverUrl('postgres'), copy) : undefined;
    const gcStarted = performance.now();
    const collect = asCollection(() =>
      engineFor('bench').systemDatabase.garbageCollect(cutoff, undefined, undefined, {
        afterBatch: (b) => void batches.push({ ...b, atMs: performance.now() }),
      }),
    );
    const during = await liveWorkDuring(collect);
    const deleted = await collect;
    const limits = batches.map((b) => b.limit).sort((a, b) => a - b);
    console.log('during', JSON.stringify({ ...during.summary, deleted, batches: batches.length, medianLimit: quantile(limits, 0.5), maxLimit: limits.at(-1) }));
    const holds = collectionHolds(gcStarted);
    const held = holds.reduce((sum, ms) => sum + ms, 0);
    console.log('holds', JSON.stringify({ count: holds.length, p50: quantile(holds, 0.5), p99: quantile(holds, 0.99), max: holds.at(-1), over20: holds.filter((h) => h > 20).length, heldSeconds: held / 1000 }));
    const counters = await waits?.stop();
    console.log('took', ((performance.now() - gcStarted) / 1000).toFixed(1), 's', counters ? JSON.stringify(counters) : '');
    describeSlowest(during.live, 5, waits, gcStarted);
    for (const t of during.lateTimers.sort((a, b) => b.ms - a.ms).slice(0, 3)) {
      console.log(`  timer late ${(t.ms - 5).toFixed(1)} ms at +${((t.startMs - gcStarted) / 1000).toFixed(2)} s:`);
      for (const s of overlapping(t, 2).slice(0, 4)) console.log(`    ${s.by} ${s.ms.toFixed(1)} ms ${s.sql}`);
    }
    console.log('  heaviest statements during collection:');
    for (const line of heaviest(gcStarted, performance.now(), 8)) console.log(`    ${line}`);
  });
}

const cutoff = await ensureTemplate();
installStatementTimer();
console.log(`[${backend}] ${workflows.toLocaleString('en-US')} workflows, ${runs} run(s)`);
for (let i = 0; i < runs; i++) await oneRun(cutoff);
