/**
 * The bench's targets and scenarios: one Harness per backend (its raw limit,
 * a fresh database per scenario, the clean-up), and the order in which the
 * scenarios run.
 */
import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DBOSConfig } from '../src/index.ts';
import { postgresNotifyLatency, pingPongOneProcess, pingPongTwoProcesses, type Latencies } from './communication.ts';
import { clientLatency } from './client.ts';
import { httpFrameworks, httpShape, httpThroughput } from './http.ts';
import { dashboardAtScale, dashboardShape } from './dashboard.ts';
import { benchQueues, declareBenchQueues, drainRate, drainShape, idleLatency, limitedConcurrency, queueThroughput } from './queues.ts';
import { postgresRawLimit, sqliteRawLimit, type RawLimit } from './raw-commits.ts';
import { run, settings, type Backend, type BackendResult } from './settings.ts';
import { countPerWorkflow, type Target } from './statement-count.ts';
import { measureTransactions, type Placement, type TransactionResult } from './transactions.ts';
import { inFlightThroughput, sequentialLatency } from './workflows.ts';
import { recoveryAfterKill } from './recovery.ts';

// ---------------------------------------------------------------- targets

export function postgresUrl(): string {
  const url = new URL(process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/durably_bench';
  return url.toString();
}

/** Create durably_bench if missing; the reason Postgres cannot be used, or undefined. */
export async function preparePostgres(url: string): Promise<{ problem?: string; version?: string }> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    const exists = await client.query("SELECT 1 FROM pg_database WHERE datname = 'durably_bench'");
    if (exists.rowCount === 0) await client.query('CREATE DATABASE durably_bench');
    const { rows } = await client.query('SHOW server_version');
    return { version: String(rows[0].server_version) };
  } catch (error) {
    return { problem: (error as Error).message };
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------- scenarios

/** One backend: its raw limit, a fresh database per scenario, and the clean-up of all of them. */
export interface Harness {
  backend: Backend;
  raw: (pass: string) => Promise<RawLimit>;
  /** Postgres: the bare NOTIFY → LISTEN wake-up, after the given pauses. */
  rawNotify?: (warmup: number, runs: number, pause?: (round: number) => number) => Promise<Latencies>;
  config: (scenario: string) => DBOSConfig;
  target: (config: DBOSConfig) => Target;
  /** (t): the transaction workflow, its application database apart from the system database. */
  transactions: (placement: Placement) => Promise<TransactionResult>;
  cleanUp: () => Promise<void>;
}

export function sqliteHarness(): Harness {
  const dir = join(os.tmpdir(), 'durably-bench', run);
  mkdirSync(dir, { recursive: true });
  return {
    backend: 'sqlite',
    raw: (pass) => sqliteRawLimit(join(dir, `raw-${pass}.sqlite`), settings.rawDurationMs),
    config: (scenario) => ({ name: 'bench', systemDatabaseUrl: join(dir, `${scenario}.sqlite`), logLevel: 'warn' }),
    target: (config) => ({ backend: 'sqlite', path: config.systemDatabaseUrl! }),
    transactions(placement) {
      return measureTransactions(this.config, this.target, 'sqlite', placement, join(dir, 'app.sqlite'));
    },
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function postgresHarness(url: string): Harness {
  const schemas: string[] = [];
  const schema = (scenario: string) => {
    schemas.push(`bench_${run}_${scenario}`);
    return schemas.at(-1)!;
  };
  return {
    backend: 'postgres',
    raw: (pass) => postgresRawLimit(url, schema(`raw_${pass}`), settings.rawDurationMs),
    rawNotify: (warmup, runs, pause) => postgresNotifyLatency(url, warmup, runs, pause),
    config: (scenario) => ({ name: 'bench', systemDatabaseUrl: url, systemDatabaseSchemaName: schema(scenario), logLevel: 'warn' }),
    target: () => ({ backend: 'postgres', url }),
    transactions(placement) {
      return measureTransactions(this.config, this.target, 'postgres', placement, '');
    },
    cleanUp: () => dropSchemas(url, schemas).catch((error) => console.warn(`Could not drop bench schemas: ${error.message}`)),
  };
}

const say = (h: Harness, what: string) => console.log(`[${h.backend}] ${what}...`);

/** The raw limit (first pass) and the workflow scenarios: (c), (a), (b), (m), (e), (n), SQL per workflow, (k), (h), (d), (r). */
async function measureWorkflows(h: Harness) {
  const { raw, config, target } = h;
  say(h, `raw commits (${settings.rawDurationMs / 1000} s on 1 connection, then 16)`);
  const before = await raw('before');
  say(h, `(a) ${settings.sequential.runs} sequential workflows after ${settings.sequential.warmup} warm-up`);
  const sequential = await sequentialLatency(config('seq'), settings.sequential.warmup, settings.sequential.runs);
  const { warmup, total, concurrency } = settings.inFlight;
  say(h, `(b) ${total} workflows, ${concurrency} in flight, after ${warmup} warm-up`);
  const inFlight = await inFlightThroughput(config('flight'), warmup, total, concurrency);
  const m = settings.communication;
  say(h, `(m), (e) ping-pong send → recv, setEvent → getEvent: ${m.runs} rounds after ${m.warmup} warm-up, in 1 process`);
  const oneProcess = await pingPongOneProcess(config('pingpong1'), m.warmup, m.runs);
  say(h, '(m), (e) the same across 2 processes');
  const twoProcesses = await pingPongTwoProcesses(config('pingpong2'), m.warmup, m.runs);
  const { pausesMs } = m.idle;
  say(h, `(m) the same across 2 processes, ${m.idle.runs} rounds with the recv idle ${pausesMs.map((p) => p / 1000).join(', ')} s in turn`);
  const idlePause = (i: number) => pausesMs[i % pausesMs.length]!;
  const idle = await pingPongTwoProcesses(config('pingpong_idle'), m.idle.warmup, m.idle.runs, idlePause);
  let rawNotify: Latencies | undefined;
  let rawNotifyIdle: Latencies | undefined;
  if (h.rawNotify) {
    say(h, `(n) raw wake-up: ${m.runs} bare pg_notify heard by another connection, then ${m.idle.runs} after the idle pauses`);
    rawNotify = await h.rawNotify(m.warmup, m.runs);
    rawNotifyIdle = await h.rawNotify(m.idle.warmup, m.idle.runs, idlePause);
  }
  const communication = { oneProcess, twoProcesses, idle, rawNotify, rawNotifyIdle };
  say(h, `SQL per workflow over ${settings.countedWorkflows} sequential workflows, and a bare replay of it`);
  const countConfig = config('count');
  const counts = await countPerWorkflow(countConfig, target(countConfig), settings.countedWorkflows, settings.sequential.runs);
  const k = settings.client;
  say(h, `(k) DBOSClient here, the worker in a child process: ${k.runs} enqueue → start and setEvent → getEvent rounds after ${k.warmup} warm-up`);
  const client = await clientLatency(config('client'), k.warmup, k.runs);
  const http = [];
  for (const framework of httpFrameworks) {
    say(h, `(h) ${framework}: POST requests from ${httpShape.connections} keep-alive clients, ${httpShape.noopRounds} rounds of each no-op route, ${httpShape.durableRounds} of the durable one`);
    http.push(await httpThroughput(config(`http_${framework}`), framework));
  }
  const d = dashboardShape;
  say(h, `(d) the dashboard: ${d.workflows} workflows put in the system database, then ${d.runs} answers per read after ${d.warmup} warm-up`);
  const dashboard = await dashboardAtScale(config('dashboard'));
  say(h, `(r) recovery: ${settings.recovery.workflows} workflows SIGKILLed in a step, then a new process launches`);
  const recovery = await recoveryAfterKill(config('recovery'), settings.recovery.workflows);
  return { before, sequential, inFlight, communication, counts, client, http, dashboard, recovery };
}

/** The queue scenarios (q1)..(q4), then the raw limit's second pass. */
async function measureQueues(h: Harness, workflows: Awaited<ReturnType<typeof measureWorkflows>>): Promise<BackendResult> {
  const { config } = h;
  const q = settings.queues;
  const { warmup, total, enqueuers } = q.throughput;
  say(h, `(q1) ${total} no-op tasks through a queue with no limit, ${enqueuers} enqueues at a time, after ${warmup} warm-up`);
  const unlimited = await queueThroughput(config('q_unlimited'), benchQueues().unlimited, warmup, total, enqueuers);
  say(h, `(q2) the same through a queue with concurrency ${limitedConcurrency}`);
  const limited = await queueThroughput(config('q_limited'), benchQueues().limited, warmup, total, enqueuers);
  say(h, `(q3) ${q.idle.runs} tasks one at a time through an idle queue, after ${q.idle.warmup} warm-up`);
  const idle = await idleLatency(config('q_idle'), q.idle.warmup, q.idle.runs);
  const drainWhat = `${q.drain.tasks} tasks of ${drainShape.taskMs} ms through a queue with concurrency ${drainShape.concurrency}`;
  say(h, `(q4) ${drainWhat}, 1 process`);
  const drainOne = await drainRate(config('q_drain1'), 1, q.drain.warmup, q.drain.tasks);
  say(h, `(q4) ${drainWhat}, ${q.drain.processes} processes`);
  const drainShared = await drainRate(config('q_drain3'), q.drain.processes, q.drain.warmup, q.drain.tasks);
  say(h, 'raw commits again (the machine is noisy: the ratios use the mean of both)');
  const { before, ...rest } = workflows;
  const after = await h.raw('after');
  const mean = (f: (r: RawLimit) => number) => (f(before) + f(after)) / 2;
  const raw = { ...before, sequentialPerSec: mean((r) => r.sequentialPerSec), parallelPerSec: mean((r) => r.parallelPerSec) };
  return {
    backend: h.backend,
    raw,
    rawBeforeAfter: [before, after],
    ...rest,
    queues: { unlimited, limited, idle, drainOne, drainShared },
    transactions: {},
  };
}

/**
 * Every backend's workflow scenarios first, then every backend's queue
 * scenarios: the bench's queues are declared only then (a declared queue's
 * dequeuer runs in every launch after, and its polls would show in the
 * workflow scenarios' figures).
 */
export async function measureAll(harnesses: Harness[]): Promise<BackendResult[]> {
  try {
    const workflows = [];
    for (const h of harnesses) workflows.push(await measureWorkflows(h));
    declareBenchQueues();
    const results = [];
    for (const [i, h] of harnesses.entries()) results.push(await measureQueues(h, workflows[i]!));
    // Last: a data source, once created, is initialized at every later launch.
    for (const [i, h] of harnesses.entries()) {
      const { sequential: s, inFlight: f } = settings;
      for (const placement of ['apart', 'same'] as const) {
        const where = placement === 'apart' ? 'its own database' : 'the system database (single commit)';
        say(h, `(t) one transaction (in ${where}) and one step: ${s.runs} sequential, then ${f.total} with ${f.concurrency} in flight, then counted`);
        results[i]!.transactions[placement] = await h.transactions(placement);
      }
    }
    return results;
  } finally {
    for (const h of harnesses) await h.cleanUp();
  }
}
