/**
 * A worker runs queued workflows while its Postgres is crash-restarted
 * (`pg_ctl restart -m immediate`): the worker process must survive (pg
 * clients emit 'error' events when their server dies; one unhandled one ends
 * the process), every workflow must finish with no restart of the app, and
 * no step may run twice (its checkpoint write is retried, not the step).
 * Then the same in this process, under the mixed workload (waits, a
 * schedule, the heartbeat: support/mixed-workload.ts).
 * Postgres-only: see support/fault-suite.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { freshLogPath, killAllChildren, readExecutions, removeLog, startChild } from '../processes/child-process.ts';
import { runMixedWorkload } from './support/mixed-workload.ts';
import { clusterSkipReason, usePrivateCluster, waitForDoneAfter, waitForLines } from './support/fault-suite.ts';

const workerScript = new URL('./fixtures/fault-worker.ts', import.meta.url).pathname;

describe('Postgres crash restarts under a queue worker [postgres]', { skip: clusterSkipReason }, () => {
  const cluster = usePrivateCluster();
  afterEach(killAllChildren);

  it('survives two immediate restarts while 100 queued workflows run; all finish, no step runs twice', async () => {
    const url = await cluster.get().createDatabase('restart_queue');
    const log = freshLogPath();
    const count = 100;
    const worker = startChild('queue', [String(count)], {
      role: 'worker',
      script: workerScript,
      log,
      timeoutMs: 60_000,
      config: { name: 'fault-test', systemDatabaseUrl: url, logLevel: 'warn' },
    });
    try {
      await worker.waitForLine('MARK ready');
      const recoveries: number[] = [];
      for (const after of [10, 40]) {
        await waitForLines(worker, 'MARK done ', after);
        await cluster.get().restart({ mode: 'immediate' });
        // pg_ctl returns once the server accepts connections again (it polls, so "back" is a little late).
        const back = Date.now();
        recoveries.push((await waitForDoneAfter(worker, back)) - back);
      }
      const outcomes = await worker.result<{ workflowID: string; ok: boolean; value?: number }[]>();
      assert.equal(outcomes.length, count);
      assert.deepEqual(outcomes.filter((outcome) => !outcome.ok), [], 'every workflow succeeds');
      for (const [index, outcome] of outcomes.entries()) assert.equal(outcome.value, index * 10 + 3);
      const stepRuns = new Map<string, number>();
      for (const execution of readExecutions(log)) {
        const task = (execution as unknown as { task: string }).task;
        stepRuns.set(task, (stepRuns.get(task) ?? 0) + 1);
      }
      assert.equal(stepRuns.size, count * 3, 'every step ran');
      assert.deepEqual([...stepRuns].filter(([, runs]) => runs > 1), [], 'no step ran twice');
      console.log(`# database back → first completed workflow: ${recoveries.map((ms) => `${ms} ms`).join(', ')}`);
    } finally {
      removeLog(log);
    }
  });

  it('in this process: an immediate then a fast restart under the mixed workload; all finish with no relaunch', async () => {
    const url = await cluster.get().createDatabase('restart_mixed');
    DBOS.setConfig({ name: 'fault-test', systemDatabaseUrl: url, logLevel: 'error', heartbeatIntervalMs: 200, databaseOutageTimeoutMs: 20_000 });
    await DBOS.launch();
    try {
      const report = await runMixedWorkload(async () => {
        await cluster.get().restart({ mode: 'immediate' }); // a crash: every backend killed, crash recovery
        await new Promise((resolve) => setTimeout(resolve, 300));
        await cluster.get().restart({ mode: 'fast' }); // an orderly restart: sessions ended with 57P01
      });
      console.log(
        `# in-process restart: back → first workflow done ${report.firstDoneMs} ms, all ${report.allDoneMs} ms; ` +
          `recv woke ${report.wakeMs} ms after its send`,
      );
    } finally {
      await DBOS.shutdown();
    }
  });
});
