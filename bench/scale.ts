/**
 * (s) Cost as the work grows: the same live figures on an empty system
 * database and on one holding N finished workflows (3 steps each, every
 * other one a finished task of the measured queue), in the same run:
 *
 *   enqueue-to-start latency on an idle queue, claim throughput of a queue
 *   with no limit, `listWorkflows` first page, one workflow's steps, and
 *   recovery of workflows SIGKILLed in a step (bench/recovery.ts);
 *
 * the plans of the statements those operations send, on the filled database
 * (which indexes make it so); then garbage collection of the N workflows
 * while live work runs: the longest stall of a 5 ms timer and of a
 * sequential workflow loop, against the same window without collection.
 * N = DURABLY_BENCH_SCALE_WORKFLOWS (default 1,000,000).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { recoveryAfterKill } from './recovery.ts';
import { fillFinishedWorkflows, fillIDPrefix, openRawDatabase, type FillResult } from './scale-fill.ts';
import { captureStatements, plansOf, type StatementPlan } from './scale-plans.ts';
import { quantile, threeStepWorkflow, withDurably } from './workflows.ts';

export const scaleShape = {
  workflows: Number(process.env.DURABLY_BENCH_SCALE_WORKFLOWS ?? 1_000_000),
  latencyRuns: 100,
  claim: { warmup: 200, total: 2_000, enqueuers: 100 },
  readRuns: 30,
  recoveryWorkflows: 500,
  /** The window of live work measured without, then with, garbage collection. */
  gcBaselineMs: 3_000,
};

const queueNames = { unlimited: 'scale-unlimited', idle: 'scale-idle' };
let queues: { unlimited: WorkflowQueue; idle: WorkflowQueue } | undefined;

/** Declared only when (s) runs: a declared queue's dequeuer runs in every launch after. */
function declareScaleQueues(): void {
  queues ??= { unlimited: new WorkflowQueue(queueNames.unlimited), idle: new WorkflowQueue(queueNames.idle) };
}

let bodyStartedAt: number | undefined;
const scaleTask = DBOS.registerWorkflow(
  async function scaleTask(): Promise<void> {
    bodyStartedAt = performance.now();
  },
  { name: 'bench.scale.task' },
);

export interface Figure {
  medianMs: number;
  p90Ms: number;
}

export interface PhaseResult {
  enqueueToStart: Figure;
  claimTasksPerSec: number;
  listFirstPage: Figure;
  listedRows: number;
  steps: Figure;
  stepRows: number;
  recoveryAllFinishedMs: number;
  recoveryLaunchMs: number;
  plans?: Record<string, StatementPlan[]>;
}

function figure(times: number[]): Figure {
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p90Ms: quantile(sorted, 0.9) };
}

async function timed(runs: number, work: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  return times;
}

async function enqueueToStart(runs: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < runs; i++) {
    await sleep(i % 20); // the dequeuer asleep, just or for a while
    bodyStartedAt = undefined;
    const called = performance.now();
    await (await DBOS.startWorkflow(scaleTask, { queueName: queueNames.idle })()).getResult();
    latencies.push(bodyStartedAt! - called);
  }
  return latencies;
}

/** `total` tasks enqueued `enqueuers` at a time on the no-limit queue, until every one has finished: tasks/s. */
async function claimThroughput(total: number, enqueuers: number): Promise<number> {
  const started = performance.now();
  const handles: Promise<unknown>[] = [];
  let next = 0;
  const lane = async () => {
    while (next++ < total) {
      const handle = await DBOS.startWorkflow(scaleTask, { queueName: queueNames.unlimited })();
      handles.push(handle.getResult());
    }
  };
  await Promise.all(Array.from({ length: enqueuers }, lane));
  await Promise.all(handles);
  return total / ((performance.now() - started) / 1000);
}

const listFirstPage = () => DBOS.listWorkflows({ limit: 50, sortDesc: true });

/** One phase's figures: `stepsOf` names a finished 3-step workflow; with `explain`, the plans on the database as it is. */
async function measurePhase(config: DBOSConfig, stepsOf: string, explain: boolean, say: (what: string) => void): Promise<PhaseResult> {
  const live = await withDurably(config, async () => {
    const { claim, latencyRuns, readRuns } = scaleShape;
    say(`enqueue-to-start latency, ${latencyRuns} tasks one at a time`);
    await enqueueToStart(10);
    const enqueue = figure(await enqueueToStart(latencyRuns));
    say(`claim throughput: ${claim.total} tasks through a queue with no limit`);
    await claimThroughput(claim.warmup, claim.enqueuers);
    const claimTasksPerSec = await claimThroughput(claim.total, claim.enqueuers);
    say(`listWorkflows first page and one workflow's steps, ${readRuns} times each`);
    const listedRows = (await listFirstPage()).length;
    const list = figure(await timed(readRuns, listFirstPage));
    const stepRows = (await DBOS.listWorkflowSteps(stepsOf))?.length ?? 0;
    const steps = figure(await timed(readRuns, () => DBOS.listWorkflowSteps(stepsOf)));
    let plans: Record<string, StatementPlan[]> | undefined;
    if (explain) {
      const captured = {
        'enqueue, claim, run and finish a task': await captureStatements(() => claimThroughput(20, 5)),
        'listWorkflows first page': await captureStatements(listFirstPage),
        "one workflow's steps": await captureStatements(() => DBOS.listWorkflowSteps(stepsOf)),
      };
      const db = await openRawDatabase(config);
      try {
        plans = {};
        for (const [what, statements] of Object.entries(captured)) plans[what] = await plansOf(db, statements);
      } finally {
        await db.close();
      }
    }
    return { enqueueToStart: enqueue, claimTasksPerSec, listFirstPage: list, listedRows, steps, stepRows, plans };
  });
  say(`recovery of ${scaleShape.recoveryWorkflows} workflows SIGKILLed in a step`);
  const recovery = await recoveryAfterKill(config, scaleShape.recoveryWorkflows);
  await forgetRecoveredWorkflows(config);
  return { ...live, recoveryAllFinishedMs: recovery.allFinishedMs, recoveryLaunchMs: recovery.launchMs };
}

/** The recovery scenario's workflows have fixed IDs: remove them, so that the next phase's run starts them anew. */
async function forgetRecoveredWorkflows(config: DBOSConfig): Promise<void> {
  const db = await openRawDatabase(config);
  try {
    for (const table of ['operation_outputs', 'workflow_status']) {
      await db.query(`DELETE FROM ${db.table(table)} WHERE workflow_uuid LIKE 'bench-recovery-%'`);
    }
  } finally {
    await db.close();
  }
}

export interface StallWindow {
  ms: number;
  /** Longest lateness of a 5 ms interval timer. */
  timerLateMs: number;
  /** Sequential 3-step workflows run in the window, and the slowest. */
  workflows: number;
  workflowMaxMs: number;
  workflowMedianMs: number;
}

export interface GcResult {
  deleted: number;
  seconds: number;
  baseline: StallWindow;
  during: StallWindow;
}

/** Run the timer and a sequential workflow loop until `until` settles. */
async function liveWorkDuring(until: Promise<unknown>): Promise<StallWindow> {
  const started = performance.now();
  let last = started;
  let timerLateMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    timerLateMs = Math.max(timerLateMs, now - last - 5);
    last = now;
  }, 5);
  let done = false;
  void until.finally(() => (done = true));
  const latencies: number[] = [];
  try {
    while (!done) {
      const t = performance.now();
      await threeStepWorkflow();
      latencies.push(performance.now() - t);
    }
    await until;
  } finally {
    clearInterval(timer);
  }
  latencies.sort((a, b) => a - b);
  return {
    ms: performance.now() - started,
    timerLateMs,
    workflows: latencies.length,
    workflowMaxMs: latencies.at(-1) ?? 0,
    workflowMedianMs: quantile(latencies, 0.5),
  };
}

async function garbageCollection(config: DBOSConfig, cutoffEpochMs: number): Promise<GcResult> {
  return withDurably(config, async () => {
    for (let i = 0; i < 20; i++) await threeStepWorkflow();
    const baseline = await liveWorkDuring(sleep(scaleShape.gcBaselineMs));
    const started = performance.now();
    let deleted = 0;
    const during = await liveWorkDuring(
      DBOS.garbageCollect({ cutoffEpochTimestampMs: cutoffEpochMs }).then((n) => (deleted = n)),
    );
    return { deleted, seconds: (performance.now() - started) / 1000, baseline, during };
  });
}

export interface ScaleResult {
  workflows: number;
  fill: FillResult;
  empty: PhaseResult;
  filled: PhaseResult;
  gc: GcResult;
}

/** (s) on one backend: an empty phase, the fill, the filled phase, then garbage collection. */
export async function measureScale(config: DBOSConfig, say: (what: string) => void): Promise<ScaleResult> {
  declareScaleQueues();
  const templateID = 'scale-template';
  await withDurably(config, () => DBOS.withNextWorkflowID(templateID, () => threeStepWorkflow()));
  say('(s) on the empty database');
  const empty = await measurePhase(config, templateID, false, say);
  const { workflows } = scaleShape;
  say(`(s) filling ${workflows.toLocaleString('en-US')} finished workflows with set-based SQL`);
  // Old enough to be collected, younger than anything live: 30 days ago.
  const fill = await fillFinishedWorkflows(config, templateID, workflows, queueNames.unlimited, Date.now() - 30 * 86_400_000, say);
  say(`(s) on the filled database (${fill.rows.toLocaleString('en-US')} rows in ${fill.seconds.toFixed(1)} s)`);
  const middle = `${fillIDPrefix}${String(Math.ceil(workflows / 2)).padStart(8, '0')}`;
  const filled = await measurePhase(config, middle, true, say);
  say(`(s) garbage collection of the ${workflows.toLocaleString('en-US')} finished workflows while live work runs`);
  const gc = await garbageCollection(config, fill.cutoffEpochMs);
  return { workflows, fill, empty, filled, gc };
}
