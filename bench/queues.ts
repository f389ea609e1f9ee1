/**
 * The queue scenarios. Each launches durably on the configuration it is given
 * (a fresh database) and shuts it down afterwards.
 *
 *   (q1) 10,000 no-op workflows enqueued on a queue with no limit: tasks/s
 *   (q2) the same on a queue with `concurrency: 10`
 *   (q3) an idle queue: latency from enqueue to the workflow body's first
 *        statement, one task at a time
 *   (q4) a queue with `concurrency: N` and tasks lasting d ms: how close the
 *        drain rate gets to N/d, in one process and in three sharing the queue
 *
 * Workflows are registered here, at module top level; the queues are
 * declared by declareBenchQueues(), before the first queue scenario's launch.
 * bench/queue-worker.ts (the extra processes of q4) imports this file and
 * declares them too, so that every process has the same ones. The bench
 * reads the system database directly (its own connection) only to know when
 * a queue has drained and to read the timestamps durably recorded: never on
 * a workflow's path.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { cpuMeter, quantile, withDurably, type CpuUse } from './workflows.ts';
import { withStatusRows, type StatusRows } from './queue-status-rows.ts';

/** (q2): the limited queue's concurrency. */
export const limitedConcurrency = 10;
/** (q4): the limited queue's concurrency N and each task's duration d. */
export const drainShape = { concurrency: 5, taskMs: 50 };

let declared:
  | { unlimited: WorkflowQueue; limited: WorkflowQueue; idle: WorkflowQueue; drain: WorkflowQueue }
  | undefined;

/**
 * Declare the bench's queues (once per process, before the launch that uses
 * them). Not at import: a declared queue's dequeuer runs in every launch
 * after, and the workflow scenarios must run without them.
 */
export function declareBenchQueues(): void {
  declared ??= {
    unlimited: new WorkflowQueue('bench-unlimited'),
    limited: new WorkflowQueue('bench-limited', { concurrency: limitedConcurrency }),
    idle: new WorkflowQueue('bench-idle'),
    drain: new WorkflowQueue('bench-drain', { concurrency: drainShape.concurrency }),
  };
}

export function benchQueues(): NonNullable<typeof declared> {
  if (!declared) throw new Error('declareBenchQueues() first');
  return declared;
}

// ---------------------------------------------------------------- workflows

/** Bodies of noopTask run so far in this process, and who waits for a count. */
let bodiesRun = 0;
let bodiesWanted: { count: number; resolve: () => void } | undefined;

const noopTask = DBOS.registerWorkflow(
  async function benchNoopTask(): Promise<void> {
    bodiesRun++;
    if (bodiesWanted && bodiesRun >= bodiesWanted.count) bodiesWanted.resolve();
  },
  { name: 'benchNoopTask' },
);

/** When idleProbe's body last began (performance.now() of this process). */
let probeStartedAt: number | undefined;

const idleProbe = DBOS.registerWorkflow(
  async function benchIdleProbe(): Promise<void> {
    probeStartedAt = performance.now();
  },
  { name: 'benchIdleProbe' },
);

/** Epoch ms with performance.now()'s resolution, comparable across the processes of one machine. */
const preciseNow = () => performance.timeOrigin + performance.now();

/** [first statement, last statement] of each drainTask body run in this process, in preciseNow() ms. */
export const drainBodies: [number, number][] = [];

const drainTask = DBOS.registerWorkflow(
  async function benchDrainTask(ms: number): Promise<void> {
    const started = preciseNow();
    await new Promise((resolve) => setTimeout(resolve, ms));
    drainBodies.push([started, preciseNow()]);
  },
  { name: 'benchDrainTask' },
);

/** Start `total` enqueues, `lanes` at a time (each lane enqueues its next task once the last enqueue returned). */
async function enqueueMany(total: number, lanes: number, enqueue: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < total) await enqueue(next++);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, total) }, lane));
}

// ---------------------------------------------------------------- (q1), (q2)

export interface QueueThroughputResult {
  total: number;
  tasksPerSec: number;
  /** How long the enqueues took (the tasks run meanwhile). */
  enqueueMs: number;
  /** From the last enqueue's return to the last task's end committed. */
  tailMs: number;
  cpu: CpuUse;
}

/**
 * Enqueue `total` noopTasks, `enqueuers` at a time, and wait until all have
 * finished: every body has run (an in-memory count), then the database shows
 * none of the queue's workflows unfinished (every end is committed).
 */
async function enqueueAndDrain(queue: WorkflowQueue, rows: StatusRows, total: number, enqueuers: number) {
  bodiesRun = 0;
  const allRan = new Promise<void>((resolve) => {
    bodiesWanted = { count: total, resolve };
  });
  const started = performance.now();
  await enqueueMany(total, enqueuers, () => DBOS.startWorkflow(noopTask, { queueName: queue.name })());
  const enqueued = performance.now();
  await allRan;
  bodiesWanted = undefined;
  await rows.waitUntilDrained(queue.name, 1);
  return { enqueueMs: enqueued - started, totalMs: performance.now() - started, tailMs: performance.now() - enqueued };
}

export function queueThroughput(
  config: DBOSConfig,
  queue: WorkflowQueue,
  warmup: number,
  total: number,
  enqueuers: number,
): Promise<QueueThroughputResult> {
  return withDurably(config, () =>
    withStatusRows(config, async (rows) => {
      await enqueueAndDrain(queue, rows, warmup, enqueuers);
      const cpu = cpuMeter();
      const { enqueueMs, totalMs, tailMs } = await enqueueAndDrain(queue, rows, total, enqueuers);
      const cpuUse = cpu(total);
      const succeeded = await rows.succeeded(queue.name);
      if (succeeded !== warmup + total) throw new Error(`Queue ${queue.name}: ${succeeded} tasks succeeded, expected ${warmup + total}`);
      return { total, tasksPerSec: total / (totalMs / 1000), enqueueMs, tailMs, cpu: cpuUse };
    }),
  );
}

// ---------------------------------------------------------------- (q3)

export interface IdleLatencyResult {
  runs: number;
  /** Enqueue call to the body's first statement, performance.now() in this process. */
  medianMs: number;
  p90Ms: number;
  maxMs: number;
  /** The same from durably's own timestamps: dequeued (started_at_epoch_ms) − created_at, 1 ms resolution. */
  statusMedianMs: number;
  statusP90Ms: number;
}

/** Enqueue one task, wait for its result, pause, repeat: every enqueue finds the queue idle. */
export function idleLatency(config: DBOSConfig, warmup: number, runs: number): Promise<IdleLatencyResult> {
  return withDurably(config, () =>
    withStatusRows(config, async (rows) => {
      const queueName = benchQueues().idle.name;
      const once = async (i: number) => {
        await sleep(i % 20); // a varying pause: the dequeuer is asleep, just or for a while
        probeStartedAt = undefined;
        const called = performance.now();
        const handle = await DBOS.startWorkflow(idleProbe, { queueName })();
        await handle.getResult();
        return probeStartedAt! - called;
      };
      for (let i = 0; i < warmup; i++) await once(i);
      const since = Date.now();
      const latencies: number[] = [];
      for (let i = 0; i < runs; i++) latencies.push(await once(i));
      latencies.sort((a, b) => a - b);
      const delays = (await rows.spans(queueName, since)).map((s) => s.startedAt - s.createdAt).sort((a, b) => a - b);
      return {
        runs,
        medianMs: quantile(latencies, 0.5),
        p90Ms: quantile(latencies, 0.9),
        maxMs: latencies.at(-1)!,
        statusMedianMs: quantile(delays, 0.5),
        statusP90Ms: quantile(delays, 0.9),
      };
    }),
  );
}

// ---------------------------------------------------------------- (q4)

export interface DrainResult {
  processes: number;
  tasks: number;
  tasksPerSec: number;
  /** N/d: the rate the limit allows. */
  idealPerSec: number;
  /** Most task bodies running at once, over all processes (each body records its first and last statement). */
  maxRunning: number;
  /** Tasks each process ran, this process first. */
  perProcess: number[];
}

/** A worker process of (q4): bench/queue-worker.ts, under the same Node and the tsx loader. */
class WorkerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private output = '';
  private readonly exited: Promise<number | null>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly executorID: string,
    config: DBOSConfig,
  ) {
    this.child = spawn(process.execPath, ['--import', 'tsx', '--no-warnings', 'bench/queue-worker.ts'], {
      cwd: new URL('..', import.meta.url),
      env: { ...process.env, DURABLY_BENCH_CONFIG: JSON.stringify(config) },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdin.on('error', () => undefined); // a worker that already died: its exit code tells
    live.add(this);
    this.timer = setTimeout(() => this.child.kill('SIGKILL'), 120_000); // a hang, not a bench
    this.child.stdout.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.child.stderr.setEncoding('utf8').on('data', (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code) => {
        clearTimeout(this.timer);
        live.delete(this);
        resolve(code);
      }),
    );
  }

  /** Resolves once the worker has launched durably (its queue loops run). */
  async ready(): Promise<void> {
    const exitedEarly = this.exited.then((code) => {
      throw new Error(`Bench worker ${this.executorID} exited (${code}) before it was ready:\n${this.output}`);
    });
    while (!this.output.includes('READY')) await Promise.race([sleep(20), exitedEarly]);
  }

  /** Shut the worker down; the drainTask bodies it ran. */
  async stop(): Promise<[number, number][]> {
    this.child.stdin.end('stop\n');
    const code = await this.exited;
    const bodies = /^BODIES (.*)$/m.exec(this.output)?.[1];
    if (code !== 0 || bodies === undefined) throw new Error(`Bench worker ${this.executorID} exited with ${code}:\n${this.output}`);
    return JSON.parse(bodies) as [number, number][];
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

const live = new Set<WorkerProcess>();
process.on('exit', () => {
  for (const worker of live) worker.kill();
});

/** The most intervals [start, end) open at once. */
function maxOverlap(intervals: readonly (readonly [number, number])[]): number {
  const events = intervals.flatMap(([start, end]) => [
    { at: start, delta: 1 },
    { at: end, delta: -1 },
  ]);
  events.sort((a, b) => a.at - b.at || a.delta - b.delta); // an end before a start at the same ms
  let open = 0;
  let most = 0;
  for (const e of events) most = Math.max(most, (open += e.delta));
  return most;
}

/** (q4) in this process: enqueue a warm-up, let it drain, then time `tasks` tasks from enqueue to the last end. */
async function timeDrain(rows: StatusRows, warmup: number, tasks: number, executors: string[]) {
  const queueName = benchQueues().drain.name;
  const enqueue = () => DBOS.startWorkflow(drainTask, { queueName })(drainShape.taskMs);
  await enqueueMany(warmup, 10, enqueue);
  await rows.waitUntilDrained(queueName, 5);
  const since = preciseNow();
  const started = performance.now();
  await enqueueMany(tasks, 10, enqueue);
  await rows.waitUntilDrained(queueName, 1, drainShape.concurrency, 50);
  const seconds = (performance.now() - started) / 1000;
  const spans = await rows.spans(queueName, Math.floor(since));
  if (spans.length !== tasks) throw new Error(`Queue ${queueName}: ${spans.length} tasks succeeded, expected ${tasks}`);
  return {
    since,
    tasksPerSec: tasks / seconds,
    perProcess: executors.map((id) => spans.filter((s) => s.executorID === id).length),
  };
}

/**
 * (q4) Start `processes - 1` worker processes (each its own executorID) on
 * the same database, enqueue the tasks from this process (which works the
 * queue too), and time it until every task has finished.
 */
export function drainRate(config: DBOSConfig, processes: number, warmup: number, tasks: number): Promise<DrainResult> {
  // One application version for all, or a worker would not claim this process's tasks.
  const shared = { ...config, applicationVersion: 'bench-drain' };
  const mainConfig = { ...shared, executorID: 'bench-main' };
  return withDurably(mainConfig, () =>
    withStatusRows(config, async (rows) => {
      const workers = Array.from({ length: processes - 1 }, (_, i) => {
        const executorID = `bench-worker-${i + 1}`;
        return new WorkerProcess(executorID, { ...shared, executorID });
      });
      const executors = [mainConfig.executorID, ...workers.map((w) => w.executorID)];
      drainBodies.length = 0;
      let timed: Awaited<ReturnType<typeof timeDrain>>;
      let stopped: PromiseSettledResult<[number, number][]>[];
      try {
        await Promise.all(workers.map((w) => w.ready()));
        timed = await timeDrain(rows, warmup, tasks, executors);
      } finally {
        stopped = await Promise.allSettled(workers.map((w) => w.stop()));
      }
      const bodies = [...drainBodies];
      for (const s of stopped) {
        if (s.status === 'rejected') throw s.reason;
        bodies.push(...s.value);
      }
      const { since, ...figures } = timed;
      return {
        processes,
        tasks,
        idealPerSec: drainShape.concurrency / (drainShape.taskMs / 1000),
        ...figures,
        maxRunning: maxOverlap(bodies.filter(([start]) => start >= since)),
      };
    }),
  );
}
