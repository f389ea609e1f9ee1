/**
 * Queues registered in the database (DBOS.registerQueue, retrieveQueue,
 * listQueues, deleteQueue): stored, validated, applied after a relaunch, and
 * followed when another process registers, changes or deletes one (here a
 * second SystemDatabase on the same database plays that process: its writes
 * reach this runtime only through the database, by NOTIFY or by polling).
 * Also: a registered step started as a workflow, on a queue or not.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSNotLaunchedError,
  DBOSQueueNotFoundError,
  WorkflowQueue,
  type DBOSConfig,
} from '../../src/index.ts';
import { definitionFromParameters } from '../../src/queues/queue-definitions.ts';
import { resolveConfig } from '../../src/runtime/resolve-config.ts';
import { currentRuntime } from '../../src/runtime/runtime.ts';
import { openSystemDatabase } from '../../src/system-database/open-system-database.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { overlap, overlapTask, runOverlapTasks } from './fixtures/overlap-task.ts';
import { crashAndRelaunch, launch, stepOutcomes } from '../helpers/lifecycle.ts';

const declared = new WorkflowQueue('dbq-declared');
const stepsQueue = new WorkflowQueue('dbq-steps');


let doubled = 0;
const double = DBOS.registerStep(
  async (n: number) => {
    doubled++;
    return n * 2;
  },
  { name: 'dbq.double' },
);
const shout = DBOS.registerStep(async (word: string) => word.toUpperCase(), { name: 'shout', className: 'Words' });

const enqueueStepFromWorkflow = DBOS.registerWorkflow(
  async (n: number) => {
    const handle = await DBOS.startWorkflow(double, { queueName: stepsQueue.name })(n);
    return handle.getResult();
  },
  { name: 'dbq.enqueueStep' },
);

function catalog() {
  return currentRuntime()!.queues;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Another process's view of the same system database. */
function openOther(config: DBOSConfig): Promise<SystemDatabase> {
  const resolved = resolveConfig(config);
  return openSystemDatabase(resolved.target, resolved.logger);
}

/** A worker process (fixtures/registered-queue-worker.ts) on the same system database. */
function startWorker(role: string, queueName: string, config: DBOSConfig, log: string) {
  const fixture = join(import.meta.dirname, 'fixtures', 'registered-queue-worker.ts');
  const env: NodeJS.ProcessEnv = { ...process.env, DURABLY_TEST_CONFIG: JSON.stringify(config), DURABLY_TEST_LOG: log };
  delete env.NODE_TEST_CONTEXT; // else the child would report to this test runner
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, role, queueName], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.on('exit', () => clearTimeout(timer));
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return {
    /** The rest of the first output line starting with `prefix`. */
    async line(prefix: string): Promise<string> {
      for (;;) {
        const found = output.split('\n').find((l) => l.startsWith(prefix));
        if (found !== undefined) return found.slice(prefix.length).trim();
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`${role} exited without "${prefix}":\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: () => child.stdin.write('exit\n'),
    kill: () => child.kill('SIGKILL'),
    exited,
  };
}

/** The most tasks that ran at once, from start/end lines (an end sorts before a start of the same ms). */
function maxOverlap(log: string): number {
  const events = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; at: number });
  events.sort((a, b) => a.at - b.at || (a.event === 'end' ? -1 : 1));
  let running = 0;
  let max = 0;
  for (const e of events) max = Math.max(max, (running += e.event === 'start' ? 1 : -1));
  return max;
}


forEachBackend('database-backed queues', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('registerQueue stores a queue; retrieveQueue, listQueues and deleteQueue read and remove it', async () => {
    await launch(backend);
    const orders = await DBOS.registerQueue('orders', {
      concurrency: 4,
      workerConcurrency: 2,
      rateLimit: { limitPerPeriod: 10, periodSec: 2.5 },
      priorityEnabled: true,
      minPollingIntervalMs: 500,
    });
    assert.equal(orders.name, 'orders');
    assert.equal(orders.databaseBacked, true);
    const expected = {
      concurrency: 4,
      workerConcurrency: 2,
      rateLimit: { limitPerPeriod: 10, periodSec: 2.5 },
      priorityEnabled: true,
      partitionQueue: false,
      partitionConcurrency: undefined,
      partitionWorkerConcurrency: undefined,
      partitionRateLimit: undefined,
      minPollingIntervalMs: 500,
    };
    assert.deepEqual(orders.parameters, expected);
    const retrieved = await DBOS.retrieveQueue('orders');
    assert.equal(retrieved?.databaseBacked, true);
    assert.deepEqual(retrieved?.parameters, expected);

    await DBOS.registerQueue('billing', { partitionConcurrency: 1 });
    assert.deepEqual((await DBOS.listQueues()).map((q) => q.name), ['billing', 'orders']);
    assert.equal((await DBOS.retrieveQueue('billing'))?.partitioned, true);
    assert.equal(await DBOS.retrieveQueue('missing'), null);
    assert.equal(await DBOS.retrieveQueue(declared.name), null, 'a queue declared in code has no row');

    await DBOS.deleteQueue('orders');
    assert.equal(await DBOS.retrieveQueue('orders'), null);
    assert.deepEqual((await DBOS.listQueues()).map((q) => q.name), ['billing']);
    await DBOS.deleteQueue('orders'); // deleting twice is harmless
  });

  test('onConflict: the default (update_if_latest_version, from the latest version) and always_update overwrite the stored limits, never_update keeps them', async () => {
    await launch(backend);
    await DBOS.registerQueue('limits', { concurrency: 1 });
    const updated = await DBOS.registerQueue('limits', { concurrency: 5, workerConcurrency: 3 });
    assert.equal(updated.concurrency, 5);
    assert.equal((await DBOS.retrieveQueue('limits'))?.workerConcurrency, 3);
    const overwritten = await DBOS.registerQueue('limits', { concurrency: 5, workerConcurrency: 2, onConflict: 'always_update' });
    assert.equal(overwritten.workerConcurrency, 2);
    const kept = await DBOS.registerQueue('limits', { concurrency: 9, onConflict: 'never_update' });
    assert.equal(kept.concurrency, 5, 'the returned queue has the stored limits');
    assert.equal((await DBOS.retrieveQueue('limits'))?.concurrency, 5);
    const fresh = await DBOS.registerQueue('new-one', { concurrency: 2, onConflict: 'never_update' });
    assert.equal(fresh.concurrency, 2, 'never_update still inserts a new queue');
    assert.equal(catalog().find('limits')?.concurrency, 5, 'this process applies the stored limits');
  });

  test('invalid limits, names declared in code and unknown options are refused before anything is written', async () => {
    await launch(backend);
    await assert.rejects(DBOS.registerQueue('bad', { concurrency: 0 }), DBOSConfigurationError);
    await assert.rejects(DBOS.registerQueue('bad', { concurrency: 1, workerConcurrency: 2 }), DBOSConfigurationError);
    await assert.rejects(DBOS.registerQueue('bad', { rateLimit: { limitPerPeriod: 1, periodSec: 0 } }), DBOSConfigurationError);
    await assert.rejects(DBOS.registerQueue('', {}), DBOSConfigurationError);
    await assert.rejects(DBOS.registerQueue('bad', { onConflict: 'sometimes' as never }), DBOSConfigurationError);
    await assert.rejects(DBOS.registerQueue('bad', { globalConcurency: 3 } as never), /unknown option "globalConcurency"\. Did you mean "globalConcurrency"/);
    assert.equal(await DBOS.retrieveQueue('bad'), null);
    await assert.rejects(DBOS.registerQueue(declared.name, { concurrency: 2 }), DBOSConflictingRegistrationError);
    await assert.rejects(DBOS.registerQueue('_dbos_internal_queue'), DBOSConflictingRegistrationError);
    assert.deepEqual(await DBOS.listQueues(), []);
    await DBOS.shutdown();
    await assert.rejects(DBOS.registerQueue('late', {}), DBOSNotLaunchedError);
  });

  test('workflows enqueued on a registered queue run within its limits', async () => {
    await launch(backend);
    await DBOS.registerQueue('pair', { concurrency: 2 });
    assert.deepEqual(await runOverlapTasks('pair', 6, 40), [40, 40, 40, 40, 40, 40]);
    assert.ok(overlap.max <= 2, `at most 2 at once, saw ${overlap.max}`);
  });

  test('a registered queue outlives the process: the next launch applies its limits without registering it', async () => {
    const config = await launch(backend);
    await DBOS.registerQueue('single', { concurrency: 1 });
    await crashAndRelaunch(config);
    assert.equal(catalog().find('single')?.concurrency, 1, 'loaded at launch');
    assert.deepEqual(await runOverlapTasks('single', 4, 20), [20, 20, 20, 20]);
    assert.equal(overlap.max, 1);
  });

  test("another process's registration is usable at once, and its changes and deletion reach this process", async () => {
    const config = await launch(backend);
    const other = await openOther(config);
    try {
      const register = (concurrency: number) =>
        other.registerQueueDefinition(definitionFromParameters('remote', { concurrency }, 'other'), 'always_update', Date.now());
      await register(1);
      // Not in this process's catalog yet: the enqueue looks the queue up again.
      assert.deepEqual(await runOverlapTasks('remote', 3, 20), [20, 20, 20]);
      assert.equal(overlap.max, 1);

      await register(3);
      await waitUntil(() => catalog().find('remote')?.concurrency === 3, 'the new limit is applied here');

      await other.deleteQueueDefinition('remote');
      await waitUntil(() => catalog().find('remote') === undefined, 'the deletion reaches this process');
      await assert.rejects(DBOS.startWorkflow(overlapTask, { queueName: 'remote' })(1), DBOSQueueNotFoundError);
    } finally {
      await other.close();
    }
  });

  test('a queue registered while other processes run reaches them, and its limit holds across them', async () => {
    const config = backend.freshConfig();
    const log = join(testTempDir, `registered-queue-${randomUUID()}.log`);
    const queueName = `shared-${backend.name}`;
    const workers = [startWorker('enqueuer', queueName, config, log), startWorker('worker', queueName, config, log)];
    try {
      await Promise.all(workers.map((w) => w.line('READY')));
      // This process runs other code (another application version), so it never dequeues the workers' tasks.
      DBOS.setConfig(config);
      await DBOS.launch();
      await DBOS.registerQueue(queueName, { concurrency: 1 });
      await Promise.all(workers.map((w) => w.line('SEEN')));
      assert.deepEqual(JSON.parse(await workers[0]!.line('DONE')), [0, 1, 2, 3, 4, 5]);
      workers[1]!.stop();
      await Promise.all(workers.map((w) => w.exited));
      assert.equal(maxOverlap(log), 1, 'concurrency 1 across both processes');
    } finally {
      for (const worker of workers) worker.kill();
      rmSync(log, { force: true });
    }
  });

  test('a deleted queue is no longer dequeued; registered again, its waiting workflows run', async () => {
    await launch(backend);
    await DBOS.registerQueue('pausable', {});
    const handle = await DBOS.startWorkflow(overlapTask, { queueName: 'pausable', enqueueOptions: { delaySeconds: 0.2 } })(1);
    await DBOS.deleteQueue('pausable');
    await new Promise((resolve) => setTimeout(resolve, 600));
    assert.notEqual((await handle.getStatus())?.status, 'SUCCESS', 'nothing dequeues from a deleted queue');
    await DBOS.registerQueue('pausable', {});
    assert.equal(await handle.getResult(), 1);
  });
});

forEachBackend('enqueueing a step', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a registered step started on a queue runs as a one-step workflow named temp_workflow-step-<name>', async () => {
    await launch(backend);
    doubled = 0;
    const handle = await DBOS.startWorkflow(double, { queueName: stepsQueue.name })(21);
    assert.equal(await handle.getResult(), 42);
    const status = await handle.getStatus();
    assert.equal(status?.workflowName, 'temp_workflow-step-dbq.double');
    assert.equal(status?.queueName, stepsQueue.name);
    assert.equal(status?.status, 'SUCCESS');
    const steps = await stepOutcomes(handle.workflowID);
    assert.deepEqual(steps.map((s) => s.functionName), ['dbq.double']);
    assert.equal(doubled, 1);

    const classStep = await DBOS.startWorkflow(shout, { queueName: stepsQueue.name })('hi');
    assert.equal(await classStep.getResult(), 'HI');
    assert.equal((await classStep.getStatus())?.workflowClassName, 'Words');
  });

  test('without a queue, a started step runs at once; from a workflow, an enqueued step is a recorded child', async () => {
    await launch(backend);
    const direct = await DBOS.startWorkflow(double, { workflowID: 'direct-step' })(5);
    assert.equal(await direct.getResult(), 10);
    assert.equal((await direct.getStatus())?.queueName, undefined);

    const parent = await DBOS.startWorkflow(enqueueStepFromWorkflow, { workflowID: 'step-parent' })(4);
    assert.equal(await parent.getResult(), 8);
    const [child] = await stepOutcomes('step-parent');
    assert.equal(child?.functionName, 'temp_workflow-step-dbq.double');
    assert.equal(child?.childWorkflowID, 'step-parent-0');
  });

  test('an enqueued step still waiting when its process stops runs after the next launch', async () => {
    const config = await launch(backend);
    const handle = await DBOS.startWorkflow(double, { queueName: stepsQueue.name, enqueueOptions: { delaySeconds: 0.3 } })(8);
    await crashAndRelaunch(config);
    assert.equal(await DBOS.retrieveWorkflow(handle.workflowID).getResult(), 16);
  });
});
