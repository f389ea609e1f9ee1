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
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DBOSConfig } from '../src/index.ts';
import { postgresRawLimit, sqliteRawLimit, type RawLimit } from './raw-commits.ts';
import {
  benchQueues,
  declareBenchQueues,
  drainRate,
  drainShape,
  idleLatency,
  limitedConcurrency,
  queueThroughput,
  type DrainResult,
  type IdleLatencyResult,
  type QueueThroughputResult,
} from './queues.ts';
import { countPerWorkflow, type PerWorkflowCount, type Target } from './statement-count.ts';
import { SqliteNotifier } from '../src/system-database/sqlite/sqlite-notifier.ts';
import {
  pingPongOneProcess,
  pingPongTwoProcesses,
  postgresNotifyLatency,
  type Latencies,
  type PingPongResult,
} from './communication.ts';
import { inFlightThroughput, sequentialLatency, stepsPerWorkflow, type InFlightResult, type SequentialResult } from './workflows.ts';

const settings = {
  rawDurationMs: 2500,
  sequential: { warmup: 50, runs: 300 },
  inFlight: { warmup: 400, total: 10_000, concurrency: 200 },
  countedWorkflows: 200,
  communication: { warmup: 20, runs: 200, idle: { warmup: 2, runs: 20, pausesMs: [250, 500, 1000, 2000] } },
  queues: {
    throughput: { warmup: 500, total: 10_000, enqueuers: 200 },
    idle: { warmup: 20, runs: 200 },
    drain: { warmup: 20, tasks: 250, processes: 3 },
  },
};

type Backend = 'sqlite' | 'postgres';

interface BackendResult {
  backend: Backend;
  /** Mean of the raw limit measured before and after the workflow scenarios. */
  raw: RawLimit;
  rawBeforeAfter: [RawLimit, RawLimit];
  sequential: SequentialResult;
  inFlight: InFlightResult;
  counts: PerWorkflowCount;
  communication: {
    oneProcess: PingPongResult;
    twoProcesses: PingPongResult;
    /** Across 2 processes, the receiver's recv waiting 0.25 to 2 s before each send. */
    idle: PingPongResult;
    /** Postgres: a bare pg_notify until another connection hears it (after the 3 to 10 ms pauses; after the idle ones). */
    rawNotify?: Latencies;
    rawNotifyIdle?: Latencies;
  };
  queues: {
    unlimited: QueueThroughputResult;
    limited: QueueThroughputResult;
    idle: IdleLatencyResult;
    drainOne: DrainResult;
    drainShared: DrainResult;
  };
}

const run = randomUUID().replaceAll('-', '').slice(0, 10);

// ---------------------------------------------------------------- targets

function postgresUrl(): string {
  const url = new URL(process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = '/durably_bench';
  return url.toString();
}

/** Create durably_bench if missing; the reason Postgres cannot be used, or undefined. */
async function preparePostgres(url: string): Promise<{ problem?: string; version?: string }> {
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

async function dropSchemas(url: string, schemas: string[]): Promise<void> {
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
interface Harness {
  backend: Backend;
  raw: (pass: string) => Promise<RawLimit>;
  /** Postgres: the bare NOTIFY → LISTEN wake-up, after the given pauses. */
  rawNotify?: (warmup: number, runs: number, pause?: (round: number) => number) => Promise<Latencies>;
  config: (scenario: string) => DBOSConfig;
  target: (config: DBOSConfig) => Target;
  cleanUp: () => Promise<void>;
}

function sqliteHarness(): Harness {
  const dir = join(os.tmpdir(), 'durably-bench', run);
  mkdirSync(dir, { recursive: true });
  return {
    backend: 'sqlite',
    raw: (pass) => sqliteRawLimit(join(dir, `raw-${pass}.sqlite`), settings.rawDurationMs),
    config: (scenario) => ({ name: 'bench', systemDatabaseUrl: join(dir, `${scenario}.sqlite`), logLevel: 'warn' }),
    target: (config) => ({ backend: 'sqlite', path: config.systemDatabaseUrl! }),
    cleanUp: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function postgresHarness(url: string): Harness {
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
    cleanUp: () => dropSchemas(url, schemas).catch((error) => console.warn(`Could not drop bench schemas: ${error.message}`)),
  };
}

const say = (h: Harness, what: string) => console.log(`[${h.backend}] ${what}...`);

/** The raw limit (first pass) and the workflow scenarios: (c), (a), (b), SQL per workflow. */
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
  return { before, sequential, inFlight, communication, counts };
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
  };
}

/**
 * Every backend's workflow scenarios first, then every backend's queue
 * scenarios: the bench's queues are declared only then (a declared queue's
 * dequeuer runs in every launch after, and its polls would show in the
 * workflow scenarios' figures).
 */
async function measureAll(harnesses: Harness[]): Promise<BackendResult[]> {
  try {
    const workflows = [];
    for (const h of harnesses) workflows.push(await measureWorkflows(h));
    declareBenchQueues();
    const results = [];
    for (const [i, h] of harnesses.entries()) results.push(await measureQueues(h, workflows[i]!));
    return results;
  } finally {
    for (const h of harnesses) await h.cleanUp();
  }
}

// ---------------------------------------------------------------- report

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ms = (n: number) => `${fmt(n, n < 1 ? 3 : 2)} ms`;
const times = (n: number) => `${fmt(n, 2)}×`;

interface Row {
  figure: string;
  cells: (r: BackendResult) => [value: string, ratio: string];
  target: string;
}

const rows: Row[] = [
  {
    figure: '(c) raw: single-row INSERT + commit, 1 connection',
    cells: (r) => [
      `${fmt(r.raw.sequentialPerSec)}/s (${ms(1000 / r.raw.sequentialPerSec)} each)`,
      `1 raw commit (the unit); before/after: ${r.rawBeforeAfter.map((x) => fmt(x.sequentialPerSec)).join(' / ')}`,
    ],
    target: '',
  },
  {
    figure: '(c) raw: same, 16 connections',
    cells: (r) => [
      `${fmt(r.raw.parallelPerSec)}/s`,
      `${times(r.raw.parallelPerSec / r.raw.sequentialPerSec)} the 1-connection rate; before/after: ${r.rawBeforeAfter.map((x) => fmt(x.parallelPerSec)).join(' / ')}`,
    ],
    target: '',
  },
  {
    figure: '(a) sequential 3-step workflow, median latency',
    cells: (r) => [ms(r.sequential.medianMs), `${fmt(r.sequential.medianMs * r.raw.sequentialPerSec / 1000, 1)} raw commits`],
    target: '≈ 5 raw commits',
  },
  {
    figure: '(a) same, p99 latency',
    cells: (r) => [ms(r.sequential.p99Ms), `${fmt(r.sequential.p99Ms * r.raw.sequentialPerSec / 1000, 1)} raw commits`],
    target: '',
  },
  {
    figure: "(a') the same workflow's 5 writes replayed by a bare driver, median",
    cells: (r) => [ms(r.counts.replayMedianMs), `${fmt(r.counts.replayMedianMs * r.raw.sequentialPerSec / 1000, 1)} raw commits`],
    target: '',
  },
  {
    figure: "durably's own time per sequential workflow: (a) − (a')",
    cells: (r) => [ms(r.sequential.medianMs - r.counts.replayMedianMs), `${fmt((100 * (r.sequential.medianMs - r.counts.replayMedianMs)) / r.sequential.medianMs)}% of (a)`],
    target: '',
  },
  {
    figure: '(b) 200 in flight: workflows/s',
    cells: (r) => [`${fmt(r.inFlight.workflowsPerSec)}/s`, `${times(r.inFlight.workflowsPerSec / r.raw.parallelPerSec)} raw 16-conn commits/s`],
    target: '',
  },
  {
    figure: '(b) 200 in flight: steps/s',
    cells: (r) => [`${fmt(r.inFlight.stepsPerSec)}/s`, `${times(r.inFlight.stepsPerSec / r.raw.parallelPerSec)} raw 16-conn commits/s`],
    target: '> 1× (group commit)',
  },
  {
    figure: 'durable commits per sequential workflow (client count)',
    cells: (r) => [fmt(r.counts.durableCommits, 2), `${fmt(r.counts.durableCommits / (stepsPerWorkflow + 2), 2)}× of 5`],
    target: '≤ 5',
  },
  {
    figure: 'all transactions per sequential workflow (client count)',
    cells: (r) => [fmt(r.counts.transactions, 2), r.counts.serverXactCommits === undefined ? '' : `server xact_commit: ${fmt(r.counts.serverXactCommits, 2)}`],
    target: '',
  },
  {
    figure: 'SQL statements per sequential workflow',
    cells: (r) => [
      fmt(r.counts.statements, 2),
      Object.entries(r.counts.byKind)
        .map(([kind, n]) => `${kind} ${fmt(n, 2)}`)
        .join(', '),
    ],
    target: '',
  },
  {
    figure: '(a) bench-process CPU per sequential workflow',
    cells: (r) => [
      `${ms(r.sequential.cpu.processMsPerWorkflow)} (kernel ${ms(r.sequential.cpu.systemMsPerWorkflow)})`,
      `${fmt((100 * r.sequential.cpu.processMsPerWorkflow) / r.sequential.meanMs)}% of mean latency`,
    ],
    target: '',
  },
  {
    figure: '(b) bench-process CPU per workflow, in flight',
    cells: (r) => [
      `${ms(r.inFlight.cpu.processMsPerWorkflow)} (kernel ${ms(r.inFlight.cpu.systemMsPerWorkflow)})`,
      `process ${fmt(r.inFlight.cpu.processCores, 2)} cores; machine ${fmt(100 * r.inFlight.cpu.machineBusy)}% busy`,
    ],
    target: '',
  },
  {
    figure: '(a) longest event-loop stall (10 ms timer late by)',
    cells: (r) => [ms(r.sequential.stallMs), `${fmt((100 * r.sequential.stallMs) / (r.sequential.meanMs * r.sequential.runs))}% of the ${fmt(r.sequential.meanMs * r.sequential.runs)} ms run`],
    target: 'a few ms',
  },
  {
    figure: '(b) longest event-loop stall (10 ms timer late by)',
    cells: (r) => {
      const runMs = (1000 * r.inFlight.total) / r.inFlight.workflowsPerSec;
      return [ms(r.inFlight.stallMs), `${fmt((100 * r.inFlight.stallMs) / runMs)}% of the ${fmt(runMs)} ms run`];
    },
    target: 'a few ms',
  },
  {
    figure: `(q1) queue, no limit: ${fmt(settings.queues.throughput.total)} no-op tasks enqueued and finished, tasks/s`,
    cells: (r) => queueThroughputCells(r, r.queues.unlimited),
    target: '≥ 1× on Postgres',
  },
  {
    figure: `(q2) same, queue with concurrency ${limitedConcurrency}`,
    cells: (r) => {
      const [value, ratio] = queueThroughputCells(r, r.queues.limited);
      const slotMs = (1000 * limitedConcurrency) / r.queues.limited.tasksPerSec;
      return [value, `${ratio}; each task held one of the ${limitedConcurrency} slots for ${ms(slotMs)}`];
    },
    target: '',
  },
  {
    figure: '(q3) idle queue: enqueue → workflow body starts, median (p90)',
    cells: (r) => {
      const i = r.queues.idle;
      return [
        `${ms(i.medianMs)} (p90 ${ms(i.p90Ms)})`,
        `${fmt((i.medianMs * r.raw.sequentialPerSec) / 1000, 1)} raw commits; max ${ms(i.maxMs)}; ` +
          `durably's own timestamps (dequeued − created): median ${fmt(i.statusMedianMs)} ms, p90 ${fmt(i.statusP90Ms)} ms`,
      ];
    },
    target: '< 10 ms',
  },
  {
    figure: `(q4) queue with concurrency ${drainShape.concurrency}, ${drainShape.taskMs} ms tasks, 1 process: drain rate`,
    cells: (r) => drainCells(r.queues.drainOne),
    target: '≥ 80% of N/d',
  },
  {
    figure: `(q4) same, ${settings.queues.drain.processes} processes sharing the queue`,
    cells: (r) => drainCells(r.queues.drainShared),
    target: '≥ 80% of N/d',
  },
  {
    figure: '(n) raw wake-up across connections: `pg_notify` → another connection LISTENing hears it, median (p99)',
    cells: (r) => {
      const raw = r.communication.rawNotify;
      if (!raw) return ['none (SQLite has no cross-process signal)', `waiters in other processes poll: ${sqlitePolls}`];
      return [latencyValue(raw), inRawCommits(r, raw)];
    },
    target: '',
  },
  {
    figure: `(n) same, after ${settings.communication.idle.pausesMs.map((p) => p / 1000).join(' / ')} s idle: median (max)`,
    cells: (r) => {
      const raw = r.communication.rawNotifyIdle;
      if (!raw) return ['none', 'see (m) after the same idle pauses'];
      return [
        `${ms(raw.medianMs)} (max ${ms(raw.maxMs)})`,
        `${fmt(rawCommits(r, raw.medianMs), 1)} raw commits (max ${fmt(rawCommits(r, raw.maxMs), 1)}); ` +
          `${times(raw.medianMs / r.communication.rawNotify!.medianMs)} the median with 3 to 10 ms pauses; ${settings.communication.idle.runs} rounds`,
      ];
    },
    target: '',
  },
  {
    figure: '(m) `DBOS.send` → the waiting `DBOS.recv` returns, 1 process: median (p99)',
    cells: (r) => pingPongCells(r, 'send', r.communication.oneProcess),
    target: 'median < 5 ms on SQLite',
  },
  {
    figure: '(m) same, 2 processes (receiver in a child process)',
    cells: (r) => pingPongCells(r, 'send', r.communication.twoProcesses),
    target: 'median < 5 ms on Postgres',
  },
  {
    figure: `(m) same, 2 processes, the recv idle ${settings.communication.idle.pausesMs.map((p) => p / 1000).join(' / ')} s before the send: median (max)`,
    cells: (r) => {
      const { idle, twoProcesses } = r.communication;
      return [
        `${ms(idle.send.medianMs)} (max ${ms(idle.send.maxMs)})`,
        `${fmt(rawCommits(r, idle.send.medianMs), 1)} raw commits (max ${fmt(rawCommits(r, idle.send.maxMs), 1)}); ` +
          `${times(idle.send.medianMs / twoProcesses.send.medianMs)} the median with 3 to 10 ms pauses; ${idle.rounds} rounds; ` +
          (r.communication.rawNotifyIdle
            ? `${times(idle.send.medianMs / r.communication.rawNotifyIdle.medianMs)} the raw wake-up after the same pauses (n)`
            : `the waiter polls (${sqlitePolls})`),
      ];
    },
    target: '',
  },
  {
    figure: '(e) `DBOS.setEvent` → the waiting `DBOS.getEvent` returns, 1 process: median (p99)',
    cells: (r) => pingPongCells(r, 'event', r.communication.oneProcess),
    target: 'median < 5 ms on SQLite',
  },
  {
    figure: '(e) same, 2 processes (setEvent in a child process)',
    cells: (r) => pingPongCells(r, 'event', r.communication.twoProcesses),
    target: 'median < 5 ms on Postgres',
  },
];

/** SQLite's safety poll for writers in other processes, as durably's notifier sets it. */
const sqlitePolls = (() => {
  const notifier = new SqliteNotifier();
  return `first after ${notifier.safetyPollMs(0)} ms, then doubling up to ${notifier.safetyPollMs(30)} ms`;
})();

const rawCommits = (r: BackendResult, latencyMs: number) => (latencyMs * r.raw.sequentialPerSec) / 1000;
const latencyValue = (l: Latencies) => `${ms(l.medianMs)} (p99 ${ms(l.p99Ms)})`;
const inRawCommits = (r: BackendResult, l: Latencies) =>
  `${fmt(rawCommits(r, l.medianMs), 1)} raw commits (p99 ${fmt(rawCommits(r, l.p99Ms), 1)})`;

function pingPongCells(r: BackendResult, half: 'send' | 'event', p: PingPongResult): [string, string] {
  const parts = [inRawCommits(r, p[half])];
  if (half === 'send') {
    const call = p.sendCall.medianMs;
    parts.push(`of which \`DBOS.send\`'s own call ${ms(call)} (${fmt(rawCommits(r, call), 1)} raw commits)`);
    parts.push(`recv called before the send in ${p.recvFirst}/${p.rounds} rounds`);
  } else {
    parts.push(`getEvent called before the setEvent in ${p.getEventFirst}/${p.rounds} rounds`);
  }
  if (p.processes === 2) {
    const { oneProcess, rawNotify } = r.communication;
    parts.push(`${times(p[half].medianMs / oneProcess[half].medianMs)} the 1-process median`);
    parts.push(rawNotify ? `${times(p[half].medianMs / rawNotify.medianMs)} the raw wake-up (n)` : `the waiter polls (${sqlitePolls})`);
    if (half === 'send' && p.clock) parts.push(`clock offset between the processes ${ms(p.clock.offsetMs)} (pipe round trip ${ms(p.clock.pipeRoundTripMs)})`);
  }
  return [latencyValue(p[half]), parts.join('; ')];
}

/** Tasks/s as a multiple of raw 16-connection commits/s ÷ 3 (enqueue, dequeue, end: about three writes per task). */
function queueRatio(r: BackendResult, q: QueueThroughputResult): number {
  return q.tasksPerSec / (r.raw.parallelPerSec / 3);
}

function queueThroughputCells(r: BackendResult, q: QueueThroughputResult): [string, string] {
  return [
    `${fmt(q.tasksPerSec)}/s`,
    `${times(queueRatio(r, q))} raw 16-conn commits/s ÷ 3; enqueues took ${fmt(q.enqueueMs)} ms, the rest ${fmt(q.tailMs)} ms more; ` +
      `process ${fmt(q.cpu.processCores, 2)} cores, machine ${fmt(100 * q.cpu.machineBusy)}% busy`,
  ];
}

function drainCells(d: DrainResult): [string, string] {
  const perProcess = d.processes > 1 ? `; tasks run per process: ${d.perProcess.join(' / ')}` : '';
  return [
    `${fmt(d.tasksPerSec, 1)}/s`,
    `${fmt((100 * d.tasksPerSec) / d.idealPerSec)}% of N/d = ${fmt(d.idealPerSec)}/s; at most ${d.maxRunning} running at once${perProcess}`,
  ];
}

function table(results: BackendResult[]): string {
  const header = ['figure', ...results.flatMap((r) => [r.backend, `${r.backend}: ratio to raw`]), 'target'];
  const lines = [header, header.map(() => '---')];
  for (const row of rows) lines.push([row.figure, ...results.flatMap((r) => row.cells(r)), row.target]);
  return lines.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function verdicts(results: BackendResult[]): string[] {
  return results.flatMap((r) => {
    const median = (r.sequential.medianMs * r.raw.sequentialPerSec) / 1000;
    const groupCommit = r.inFlight.stepsPerSec / r.raw.parallelPerSec;
    const { processCores, machineBusy } = r.inFlight.cpu;
    const bound =
      processCores > 0.9
        ? `this process used ${fmt(processCores, 2)} cores: its one JS thread is saturated (CPU-bound in the process${r.backend === 'sqlite' ? ", SQLite's synchronous calls included" : ''})`
        : machineBusy > 0.85
          ? `the machine was ${fmt(100 * machineBusy)}% busy: CPU-bound (database and JS together)`
          : `this process used ${fmt(processCores, 2)} cores and the machine was ${fmt(100 * machineBusy)}% busy: not CPU-bound, so bound by waiting on the database`;
    const stalled = Math.max(r.sequential.stallMs, r.inFlight.stallMs) > 100;
    const { unlimited, idle, drainOne, drainShared } = r.queues;
    const queueRatioMet = queueRatio(r, unlimited) >= 1 ? 'met' : 'NOT met';
    const drains = [drainOne, drainShared];
    const drainMet = drains.every((d) => d.tasksPerSec >= 0.8 * d.idealPerSec) ? 'met' : 'NOT met';
    const overCap = drains.filter((d) => d.maxRunning > drainShape.concurrency);
    return [
      `- ${r.backend}: sequential median = ${fmt(median, 1)} raw commits (target ≈ 5, met if ≤ 6: ${median <= 6 ? 'met' : 'NOT met'}); ` +
        `${fmt(r.counts.durableCommits, 2)} durable commits per workflow (target ≤ 5: ${r.counts.durableCommits <= 5 ? 'met' : 'NOT met'}); ` +
        `in flight, steps/s = ${times(groupCommit)} the raw 16-connection commit rate (target > 1: ${groupCommit > 1 ? 'met' : 'NOT met'}). ` +
        `During (b) ${bound}. ` +
        `Sequentially, the bare replay of the same writes takes ${fmt((100 * r.counts.replayMedianMs) / r.sequential.medianMs)}% of durably's latency.` +
        (stalled ? ` **The event loop stalled for up to ${fmt(Math.max(r.sequential.stallMs, r.inFlight.stallMs))} ms** (timers and I/O starved).` : ''),
      `- ${r.backend} queues: no-limit throughput = ${times(queueRatio(r, unlimited))} the raw 16-connection commit rate ÷ 3 ` +
        `(target ≥ 1${r.backend === 'postgres' ? `: ${queueRatioMet}` : ' on Postgres; here for comparison'}); ` +
        `idle enqueue-to-start median ${ms(idle.medianMs)} (target < 10 ms: ${idle.medianMs < 10 ? 'met' : 'NOT met'}); ` +
        `a limited queue drains at ${drains.map((d) => `${fmt((100 * d.tasksPerSec) / d.idealPerSec)}%`).join(' (1 process) and ')} ` +
        `(${drainShared.processes} processes) of N/d (target ≥ 80%: ${drainMet}).` +
        (overCap.length ? ` **The concurrency limit was exceeded: ${overCap.map((d) => d.maxRunning).join(', ')} running at once.**` : ''),
      communicationVerdict(r),
    ];
  });
}

function communicationVerdict(r: BackendResult): string {
  const { oneProcess: one, twoProcesses: two } = r.communication;
  const both = (p: PingPongResult) => `send → recv ${ms(p.send.medianMs)}, setEvent → getEvent ${ms(p.event.medianMs)}`;
  const met = (p: PingPongResult) => (Math.max(p.send.medianMs, p.event.medianMs) < 5 ? 'met' : 'NOT met');
  const verdict =
    r.backend === 'postgres'
      ? `target: median < 5 ms across processes: ${met(two)}`
      : `target: median < 5 ms in one process: ${met(one)}; across processes the waiter polls (${sqlitePolls}), no target`;
  return (
    `- ${r.backend} messages and events (medians): in 1 process ${both(one)}; across 2 processes ${both(two)} (${verdict}). ` +
    `p99: ${ms(one.send.p99Ms)} / ${ms(one.event.p99Ms)} in 1 process, ${ms(two.send.p99Ms)} / ${ms(two.event.p99Ms)} across 2. ` +
    `A recv idle 0.25 to 2 s in another process wakes in ${ms(r.communication.idle.send.medianMs)} (median; max ${ms(r.communication.idle.send.maxMs)}).`
  );
}

function markdown(results: BackendResult[], skipped: string | undefined, pgVersion: string | undefined): string {
  const cpus = os.cpus();
  const { sequential: s, inFlight: f, queues: q } = settings;
  return `# Benchmarks

Generated by \`npm run bench\` on ${new Date().toISOString()}. Every figure is printed next to the raw
limit of the same database, measured in the same run, as a ratio: absolute numbers on this machine
mean little, ratios say how close durably gets to the hardware.

- Machine: **2 cores, noisy** (shared with other work: expect ±20% between runs); here ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${fmt(os.totalmem() / 2 ** 30, 1)} GiB.
- Node ${process.version} (${process.platform}/${process.arch}); SQLite ${sqliteVersion()} via node:sqlite, WAL, \`synchronous=FULL\` (durably's default), files under ${os.tmpdir()}.
- Postgres: ${skipped ? `**SKIPPED** (${skipped})` : `${pgVersion} on 127.0.0.1 (same machine), database durably_bench, a fresh schema per scenario; pg pool of 10 (durably's default)`}.

${table(results)}

${verdicts(results).join('\n')}

## How each figure is measured

- **(c) raw limit**: single-row \`INSERT\` (a ~100-byte text) committed on its own, in a loop for ${settings.rawDurationMs / 1000} s after a short warm-up.
  Postgres: one pg client (autocommit: one round trip, one commit), then 16 pg clients in parallel (Postgres groups their WAL flushes).
  SQLite: one \`DatabaseSync\` on a fresh WAL file with \`synchronous=FULL\`; for "16 connections", 16 \`DatabaseSync\` connections
  in 4 worker threads contending through SQLite's busy handler. SQLite has one writer at a time and no group commit across
  connections, so its 16-connection figure is at best its 1-connection figure. Measured before the workflow scenarios
  and after the queue scenarios; the ratios use the mean of the two (both are shown, as a measure of the noise).
- **(a)**: \`await threeStepWorkflow()\` in a loop (steps registered with \`DBOS.registerStep\`, doing nothing); ${s.runs} runs after ${s.warmup} warm-up.
  Ratio = latency × raw 1-connection commits/s: the latency in units of one raw commit. A 3-step workflow needs 5 durable writes
  (start, 3 step outcomes, finish), so about 5 is the target.
- **(b)**: ${f.total} workflows, keeping ${f.concurrency} in flight (each finished workflow starts the next), after ${f.warmup} warm-up.
  Ratio = steps/s ÷ raw 16-connection commits/s: above 1 only if checkpoints of concurrent workflows share commits (group commit).
- **(a')**: the statements of one sequential workflow, captured from the driver, run again ${s.runs} times in a loop by a bare
  driver connection (a fresh workflow ID each time; the Postgres notification left out, as it is not on the workflow's path).
  It is what the database needs for durably's writes; (a) − (a') is durably's own time (JS, pool, scheduling).
- **SQL per workflow**: ${settings.countedWorkflows} sequential workflows in one launch, counted by wrapping the drivers in the bench process
  (\`pg.Client#query\`; node:sqlite \`StatementSync#all/run/get\`, \`DatabaseSync#exec\`). A statement outside \`BEGIN\`..\`COMMIT\` is its own
  transaction; a *durable commit* is a committed transaction that wrote rows. On Postgres, \`pg_stat_database.xact_commit\`
  (read from shutdown to shutdown, minus an empty launch) counts every transaction server-side as a cross-check; it also
  counts, per finished workflow, the transaction in which the LISTEN connection's backend reads the notification (with the
  \`pg_notify\` suppressed, the server count drops from 7 to 5 per workflow).
- **(q1)**: \`DBOS.startWorkflow(noopTask, { queueName })()\` for ${q.throughput.total} no-op workflows on one queue with no limit,
  ${q.throughput.enqueuers} enqueues at a time (each lane enqueues its next task once its last enqueue returned), after ${q.throughput.warmup} warm-up tasks;
  this process's dequeuer claims and runs them meanwhile. Timed from the first enqueue until every task has finished: each
  body counts itself in memory, and once all have run the bench polls the system database (its own connection, every 1 ms)
  until none of the queue's workflows is ENQUEUED or PENDING (every end committed), then checks that all ${q.throughput.warmup + q.throughput.total} succeeded.
  Ratio = tasks/s ÷ (raw 16-connection commits/s ÷ 3): a task needs about three writes (enqueue, dequeue, end), so 1 means
  the queue goes as fast as three raw commits per task.
- **(q2)**: the same through a queue with \`concurrency: ${limitedConcurrency}\`. At most ${limitedConcurrency} tasks run at once, so tasks/s =
  ${limitedConcurrency} ÷ the time each task holds a slot (from its claim to the commit of its end, plus the wait until a claim sees the
  slot free): that time is shown. It is the dequeuer's round trip per task, as a no-op task takes no time itself.
- **(q3)**: one no-op task at a time on its own queue: \`startWorkflow\` then \`getResult\` then a pause of 0 to 19 ms (varying),
  ${q.idle.runs} times after ${q.idle.warmup} warm-up, so every enqueue finds the queue idle (its dequeuer asleep). Latency = from just before the \`startWorkflow\` call to the body's
  first statement, both \`performance.now()\` in this process (the enqueue's own commit included). Cross-check from durably's
  status rows: \`started_at_epoch_ms − created_at\` (\`dequeuedAt − createdAt\`), millisecond resolution.
- **(q4)**: a queue with \`concurrency: ${drainShape.concurrency}\` (N) and tasks whose body awaits a plain \`setTimeout(${drainShape.taskMs})\` (d); ${q.drain.tasks} tasks
  after ${q.drain.warmup} warm-up, enqueued 10 at a time from this process, timed from the first enqueue until the database shows
  none unfinished (polled every 50 ms, then every 1 ms once at most N remain). The limit allows N/d = ${fmt(drainShape.concurrency / (drainShape.taskMs / 1000))} tasks/s;
  the figure is the share of that reached. Run in this process alone, then with ${q.drain.processes - 1} more worker processes
  (\`process.execPath\` with the tsx loader, \`bench/queue-worker.ts\`) on the same database, each with its own \`executorID\` and
  the same \`applicationVersion\`; this process enqueues and works the queue too. "At most … running at once" is the
  largest overlap of the task bodies over all processes (each body records its first and last statement,
  \`performance.timeOrigin + performance.now()\`): it must never exceed N. Tasks per process come from \`executor_id\`.
  On SQLite other processes learn of new tasks only by polling (backing off to the queue's \`minPollingIntervalMs\`, 1 s),
  while the enqueuing process is woken at once by its own enqueues and completions: it usually runs them all.
- **(m), (e)**: a ping-pong, ${settings.communication.runs} rounds after ${settings.communication.warmup} warm-up. A receiver workflow loops \`recv('ping')\` → \`setEvent('pong-<i>', times)\`;
  the sender, outside any workflow, pauses 3 to 10 ms (varying, so the receiver's next \`recv\` is waiting: its deadline write
  and first empty read take about a millisecond), calls \`DBOS.send(id, i, 'ping')\`, then \`DBOS.getEvent(id, 'pong-<i>')\` (a fresh key each
  round, so it waits for a value not yet set). Each half is timed on a clock both processes share,
  \`performance.timeOrigin + performance.now()\` (epoch ms, sub-ms resolution): (m) from just before \`DBOS.send\` (sender) to just
  after \`recv\` returned (receiver), the send's own commit included; (e) from just before \`DBOS.setEvent\` (receiver) to just after
  \`getEvent\` returned (sender), the setEvent's commit included. Each half is measured, not half a round trip. "1 process": the receiver
  workflow started by the sender's process. "2 processes": the receiver workflow started and run by a child process
  (\`process.execPath\` with the tsx loader, \`bench/communication-worker.ts\`, its own \`executorID\`) on the same database; the
  child's clock offset is measured over its stdin/stdout pipe (the exchange with the shortest of 30 round trips) and subtracted.
  "Called before" counts the rounds in which the waiter had been called before the write was (a waiter called but still reading
  would find the value at once: a floor on the waiting rounds, not proof). Ratio = latency × raw 1-connection commits/s.
  Postgres wakes other processes by NOTIFY from the writing statement; SQLite wakes this process's waiters at once and
  other processes' waiters by their safety poll.
- **(m), idle**: the same two-process ping-pong, ${settings.communication.idle.runs} rounds after ${settings.communication.idle.warmup}, the sender pausing ${settings.communication.idle.pausesMs.map((p) => `${p} ms`).join(', ')} in turn before
  each send: how fast a \`recv\` that has waited a while wakes (on SQLite the safety poll has backed off by then).
- **(n)**: the raw limit of a wake-up across connections: \`SELECT pg_notify(channel, i)\` on one pg connection (autocommit)
  until another connection, LISTENing on the channel, receives it; the same pauses and number of rounds as (m), (e), then as (m), idle.
  After an idle pause every round trip on this machine is slower (processes and cores asleep): compare the idle figures
  with each other.
- **Order**: each backend's raw limit and workflow scenarios ((a), (b), (m), (e), (n), SQL per workflow) first, then each
  backend's queue scenarios and its raw limit again. The bench's queues are declared only for the queue scenarios: a declared queue's dequeuer runs in every launch,
  and its idle polls would show in the workflow scenarios' statement counts.
- **Event-loop stall**: a 10 ms \`setInterval\` runs during (a) and (b); the longest gap between its ticks (or until the end)
  is how long timers and I/O (an HTTP server in the same process, say) had to wait.
- **CPU**: this process's CPU time (\`process.cpuUsage\`) and the whole machine's busy time (\`/proc/stat\`, Postgres included) over the measurement.
`;
}

function sqliteVersion(): string {
  return process.versions.sqlite ?? 'unknown';
}

// ---------------------------------------------------------------- main

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
