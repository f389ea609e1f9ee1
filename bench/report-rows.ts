/** The rows of the benchmark table: each figure's value and its ratio to the raw limit of the same run. */
import { SqliteNotifier } from '../src/system-database/sqlite/sqlite-notifier.ts';
import type { Latencies, PingPongResult } from './communication.ts';
import { httpShape, type HttpResult, type RouteFigures } from './http.ts';
import { limitedConcurrency, drainShape, type DrainResult, type QueueThroughputResult } from './queues.ts';
import { settings, type BackendResult } from './settings.ts';
import { commitsWithoutTransaction, type TransactionResult } from './transactions.ts';
import { stepsPerWorkflow } from './workflows.ts';

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
export const ms = (n: number) => `${fmt(n, n < 1 ? 3 : 2)} ms`;
export const times = (n: number) => `${fmt(n, 2)}×`;

export interface Row {
  figure: string;
  cells: (r: BackendResult) => [value: string, ratio: string];
  target: string;
}

export const rows: Row[] = [
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
      if (!raw) return ['none (SQLite has no cross-process signal)', `waiters in other processes watch the file: ${sqlitePolls}`];
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
            : `the waiter watches the file (${sqlitePolls})`),
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

/** (t): two rows per placement of the application database (apart from the system database, and the same). */
export const transactionRows: Row[] = (['apart', 'same'] as const).flatMap((placement): Row[] => {
  const where = placement === 'apart' ? 'another database' : 'the system database: single commit';
  const limit = placement === 'apart' ? 2 : 1;
  return [
    {
      figure: `(t1) a workflow of 1 transaction (1-row INSERT, ${where}) + 1 step, sequential: median latency`,
      cells: (r) => {
        const t = r.transactions[placement];
        if (!t) return ['—', '—'];
        return [
          ms(t.sequential.medianMs),
          `${fmt((t.sequential.medianMs * r.raw.sequentialPerSec) / 1000, 1)} raw commits; ${fmt(transactionCommits(t), 2)} durable commits for the transaction ` +
            `(${fmt(t.counts.durableCommits, 2)} per workflow − ${commitsWithoutTransaction} for start, step, end); application database: ${t.appDatabase}`,
        ];
      },
      target: `${limit === 1 ? 'exactly 1 commit' : '≤ 2 commits'} per transaction`,
    },
    {
      figure: `(t2) the same (${where}), 200 in flight: workflows/s`,
      cells: (r) => {
        const t = r.transactions[placement];
        if (!t) return ['—', '—'];
        return [`${fmt(t.inFlight.workflowsPerSec)}/s`, `${times(t.inFlight.workflowsPerSec / r.raw.parallelPerSec)} raw 16-conn commits/s (each does the same INSERT)`];
      },
      target: '> 1× the raw commit rate',
    },
  ];
});

/** Durable commits of the transaction operation alone. */
export const transactionCommits = (t: TransactionResult) => t.counts.durableCommits - commitsWithoutTransaction;

/** (k): the client's two wake-ups, next to the raw one (n) on Postgres. */
export const clientRows: Row[] = [
  {
    figure: '(k1) `DBOSClient.enqueue` (this process) → the task starts in a worker process, idle queue: median (p99)',
    cells: (r) => [latencyValue(r.client.enqueueToStart), clientCompared(r, r.client.enqueueToStart)],
    target: 'median < 10 ms on Postgres',
  },
  {
    figure: "(k2) `DBOS.setEvent` (worker) → the client's waiting `getEvent` returns: median (p99)",
    cells: (r) => [latencyValue(r.client.eventWake), clientCompared(r, r.client.eventWake)],
    target: 'median < 5 ms on Postgres',
  },
];

function clientCompared(r: BackendResult, l: Latencies): string {
  const raw = r.communication.rawNotify;
  return `${inRawCommits(r, l)}; ${raw ? `${times(l.medianMs / raw.medianMs)} the raw wake-up (n)` : `the waiter watches the file (${sqlitePolls})`}`;
}

/** (h): one row per framework (the frameworks measured are the same on every backend). */
export function httpRows(results: BackendResult[]): Row[] {
  const frameworks = results[0]?.http.map((h) => h.framework) ?? [];
  return frameworks.map((framework) => ({
    figure: `(h) ${framework}: POST with a 2-step workflow, ${results[0]?.http[0]?.connections} keep-alive clients: requests/s`,
    cells: (r) => {
      const h = r.http.find((x) => x.framework === framework)!;
      return [
        `${fmt(h.durable.perSec)}/s`,
        `${fmt((100 * h.durable.perSec) / r.inFlight.workflowsPerSec)}% of (b)'s workflows/s; the middleware's code timed alone: ` +
          `${fmt(h.middlewareCpu.ownMicros, 2)} µs per request (the floor's ${fmt(h.middlewareCpu.floorMicros, 2)} µs), ` +
          `${fmt(middlewareCodeCost(h), 1)}% of the bare no-op POST's server CPU; the whole server: a no-op POST costs ` +
          `(+${fmt(middlewareCost(h), 1)}%) at ${fmt(httpShape.fixedRate)} requests/s (${fmt(h.bareAtRate.cpuMicrosPerRequest, 1)} / ` +
          `${fmt(h.wiredAtRate.cpuMicrosPerRequest, 1)} µs; the floor app, a header and an AsyncLocalStorage only, ` +
          `${fmt(h.floorAtRate.cpuMicrosPerRequest, 1)} µs: durably's own part ${fmt(addedPercent(h.floorAtRate, h.wiredAtRate), 1)}%); saturated: ${fmt(h.bare.cpuMicrosPerRequest, 1)} / ${fmt(h.wired.cpuMicrosPerRequest, 1)} µs ` +
          `(+${fmt(saturatedMiddlewareCost(h), 1)}%), requests/s ${fmt(h.bare.perSec)} bare, ${fmt(h.wired.perSec)} wired (${fmt(middlewareThroughputDrop(h), 1)}% fewer)`,
      ];
    },
    target: 'middleware < 5% added; ≥ 50% of (b)',
  }));
}

const addedPercent = (bare: RouteFigures, wired: RouteFigures) => (100 * (wired.cpuMicrosPerRequest - bare.cpuMicrosPerRequest)) / bare.cpuMicrosPerRequest;

/**
 * The middleware's code (timed alone in the server process, http-middleware-cpu.ts) in percent of the bare no-op
 * POST's server CPU time at the fixed rate: what the middleware itself adds to a request doing no durable work.
 */
export const middlewareCodeCost = (h: HttpResult) => (100 * h.middlewareCpu.ownMicros) / h.bareAtRate.cpuMicrosPerRequest;

/** What durably's middleware adds to a no-op POST, in percent of the bare request's server CPU time, both at one fixed rate. */
export const middlewareCost = (h: HttpResult) => addedPercent(h.bareAtRate, h.wiredAtRate);

/** What the floor app (a header and an AsyncLocalStorage only) adds the same way. */
export const floorCost = (h: HttpResult) => addedPercent(h.bareAtRate, h.floorAtRate);

/** The same, each app as fast as it answers (the wired one then serves fewer requests per event-loop turn). */
export const saturatedMiddlewareCost = (h: HttpResult) => addedPercent(h.bare, h.wired);

/** How many fewer no-op POSTs per second the wired app served, in percent (noisier: client and server share 2 cores). */
export const middlewareThroughputDrop = (h: HttpResult) => (100 * (h.bare.perSec - h.wired.perSec)) / h.bare.perSec;

/** SQLite's safety poll for writers in other processes, as durably's notifier sets it. */
export const sqlitePolls = (() => {
  const notifier = new SqliteNotifier();
  return `a PRAGMA data_version watcher every 2 ms while anyone waits; safety poll first after ${notifier.safetyPollMs(0)} ms, then doubling up to ${notifier.safetyPollMs(30)} ms`;
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
    parts.push(rawNotify ? `${times(p[half].medianMs / rawNotify.medianMs)} the raw wake-up (n)` : `the waiter watches the file (${sqlitePolls})`);
    if (half === 'send' && p.clock) parts.push(`clock offset between the processes ${ms(p.clock.offsetMs)} (pipe round trip ${ms(p.clock.pipeRoundTripMs)})`);
  }
  return [latencyValue(p[half]), parts.join('; ')];
}

/** Tasks/s as a multiple of raw 16-connection commits/s ÷ 3 (enqueue, dequeue, end: about three writes per task). */
export function queueRatio(r: BackendResult, q: QueueThroughputResult): number {
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
