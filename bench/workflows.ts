/**
 * The workflow scenarios: a 3-step no-op workflow run (a) sequentially, for
 * latency, and (b) many at a time, for throughput. Each scenario launches
 * durably on the configuration it is given and shuts it down afterwards.
 * Workflows and steps are registered here, at module top level, before any
 * launch.
 */
import { readFileSync } from 'node:fs';
import { DBOS, type DBOSConfig } from '../src/index.ts';

const stepOne = DBOS.registerStep(async function stepOne() {});
const stepTwo = DBOS.registerStep(async function stepTwo() {});
const stepThree = DBOS.registerStep(async function stepThree() {});

export const stepsPerWorkflow = 3;

export const threeStepWorkflow = DBOS.registerWorkflow(async function threeStepWorkflow(): Promise<void> {
  await stepOne();
  await stepTwo();
  await stepThree();
});

export async function withDurably<T>(config: DBOSConfig, work: () => Promise<T>): Promise<T> {
  DBOS.setConfig(config);
  await DBOS.launch();
  try {
    return await work();
  } finally {
    await DBOS.shutdown();
  }
}

/** Where the CPU went during a measurement: this process, and the whole machine (Postgres included). */
export interface CpuUse {
  /** CPU time of this process over wall time (1 = one core busy). */
  processCores: number;
  /** Busy fraction of all cores of the machine (1 = every core busy). */
  machineBusy: number;
  /** CPU time of this process per workflow, in ms, and its kernel part (syscalls: fsync, sockets). */
  processMsPerWorkflow: number;
  systemMsPerWorkflow: number;
}

function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

export function cpuMeter(): (workflows: number) => CpuUse {
  const process0 = process.cpuUsage();
  const machine0 = machineTicks();
  const wall0 = performance.now();
  return (workflows) => {
    const used = process.cpuUsage(process0);
    const processMs = (used.user + used.system) / 1000;
    const machine1 = machineTicks();
    return {
      processCores: processMs / (performance.now() - wall0),
      machineBusy: (machine1.busy - machine0.busy) / Math.max(1, machine1.total - machine0.total),
      processMsPerWorkflow: processMs / workflows,
      systemMsPerWorkflow: used.system / 1000 / workflows,
    };
  };
}

/**
 * The longest time a 10 ms interval timer waited to fire: how long the event
 * loop went without turning (timers, I/O, an HTTP server all wait meanwhile).
 */
function stallProbe(): () => number {
  let last = performance.now();
  let longest = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
  }, 10);
  return () => {
    clearInterval(timer);
    return Math.max(longest, performance.now() - last);
  };
}

export interface SequentialResult {
  runs: number;
  medianMs: number;
  p99Ms: number;
  meanMs: number;
  cpu: CpuUse;
  /** Longest event-loop stall during the runs, ms. */
  stallMs: number;
}

/** (a) `await threeStepWorkflow()` in a loop: per-workflow latency after a warm-up. */
export function sequentialLatency(
  config: DBOSConfig,
  warmup: number,
  runs: number,
  workflow: () => Promise<unknown> = threeStepWorkflow,
): Promise<SequentialResult> {
  return withDurably(config, async () => {
    for (let i = 0; i < warmup; i++) await workflow();
    const latencies: number[] = [];
    const cpu = cpuMeter();
    const stall = stallProbe();
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      await workflow();
      latencies.push(performance.now() - started);
    }
    const cpuUse = cpu(runs);
    const stallMs = stall();
    latencies.sort((a, b) => a - b);
    return {
      runs,
      medianMs: quantile(latencies, 0.5),
      p99Ms: quantile(latencies, 0.99),
      meanMs: latencies.reduce((a, b) => a + b, 0) / runs,
      cpu: cpuUse,
      stallMs,
    };
  });
}

export interface InFlightResult {
  total: number;
  concurrency: number;
  workflowsPerSec: number;
  stepsPerSec: number;
  cpu: CpuUse;
  /** Longest event-loop stall during the run, ms. */
  stallMs: number;
}

/** Run `total` workflows keeping `concurrency` in flight: each finished workflow makes room for the next. */
async function keepInFlight(total: number, concurrency: number, workflow: () => Promise<unknown>): Promise<void> {
  let started = 0;
  const lane = async () => {
    while (started < total) {
      started++;
      await workflow();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

/** (b) `concurrency` workflows in flight: workflows/s and steps/s. */
export function inFlightThroughput(
  config: DBOSConfig,
  warmup: number,
  total: number,
  concurrency: number,
  workflow: () => Promise<unknown> = threeStepWorkflow,
  stepsPerRun = stepsPerWorkflow,
): Promise<InFlightResult> {
  return withDurably(config, async () => {
    await keepInFlight(warmup, concurrency, workflow);
    const cpu = cpuMeter();
    const stall = stallProbe();
    const started = performance.now();
    await keepInFlight(total, concurrency, workflow);
    const seconds = (performance.now() - started) / 1000;
    const stallMs = stall();
    return {
      total,
      concurrency,
      workflowsPerSec: total / seconds,
      stepsPerSec: (total * stepsPerRun) / seconds,
      cpu: cpu(total),
      stallMs,
    };
  });
}

export function quantile(sorted: number[], q: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index]!;
}
