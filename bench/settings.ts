/** What \`npm run bench\` measures and how much of it, and the shape of one backend's results. */
import { randomUUID } from 'node:crypto';
import type { DrainResult, IdleLatencyResult, QueueThroughputResult } from './queues.ts';
import type { RawLimit } from './raw-commits.ts';
import type { PerWorkflowCount } from './statement-count.ts';
import type { Latencies, PingPongResult } from './communication.ts';
import type { ClientResult } from './client.ts';
import type { HttpResult } from './http.ts';
import type { DashboardResult } from './dashboard.ts';
import type { Placement, TransactionResult } from './transactions.ts';
import type { InFlightResult, SequentialResult } from './workflows.ts';
import type { RecoveryResult } from './recovery.ts';

export const settings = {
  rawDurationMs: 2500,
  sequential: { warmup: 50, runs: 300 },
  inFlight: { warmup: 400, total: 10_000, concurrency: 200 },
  countedWorkflows: 200,
  /** (r): workflows SIGKILLed in a step, then recovered by a new process (DURABLY_BENCH_RECOVERY_WORKFLOWS). */
  recovery: { workflows: Number(process.env.DURABLY_BENCH_RECOVERY_WORKFLOWS ?? 1_000) },
  client: { warmup: 20, runs: 200 },
  communication: { warmup: 20, runs: 200, idle: { warmup: 2, runs: 20, pausesMs: [250, 500, 1000, 2000] } },
  queues: {
    throughput: { warmup: 500, total: 10_000, enqueuers: 200 },
    idle: { warmup: 20, runs: 200 },
    drain: { warmup: 20, tasks: 250, processes: 3 },
  },
};

export type Backend = 'sqlite' | 'postgres';

export interface BackendResult {
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
  /** (k) DBOSClient in this process, the worker in another. */
  client: ClientResult;
  /** (t) measured last (empty until then), the application database apart and the same as the system database. */
  transactions: Partial<Record<Placement, TransactionResult>>;
  /** (h) per HTTP framework. */
  http: HttpResult[];
  /** (d) the admin server's reads with 100,000 workflows in the system database. */
  dashboard: DashboardResult;
  /** (r) recovery by a new process of workflows SIGKILLed in a step. */
  recovery: RecoveryResult;
  queues: {
    unlimited: QueueThroughputResult;
    limited: QueueThroughputResult;
    idle: IdleLatencyResult;
    drainOne: DrainResult;
    drainShared: DrainResult;
  };
}

/** Names this run's files and schemas, so runs never collide. */
export const run = randomUUID().replaceAll('-', '').slice(0, 10);
