/**
 * Enqueue by name (DBOS.enqueueWorkflowWithOptions / ...Portable) and
 * DBOS.withWorkflowQueue: a workflow is enqueued by its name, also one that
 * only another process registered (on a queue only that process declares);
 * portable inputs are plain JSON `{positionalArgs, namedArgs}`; from workflow
 * code the enqueue is a recorded child.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSInvalidQueuePriorityError,
  DBOSWorkflowIDInUseError,
  isWorkflowIDInUseError,
  WorkflowQueue,
} from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, stepOutcomes } from '../helpers/lifecycle.ts';
import { childExecArgv } from '../processes/child-process.ts';

const byNameQueue = new WorkflowQueue('by-name.queue');
const contextQueue = new WorkflowQueue('by-name.context-queue');

const greet = DBOS.registerWorkflow(async (name: string, times: number) => `${'hi '.repeat(times)}${name}`, {
  name: 'by-name.greet',
});

const parent = DBOS.registerWorkflow(async (name: string) => {
  const handle = await DBOS.enqueueWorkflowWithOptions<string>({ queueName: byNameQueue.name, workflowName: 'by-name.greet' }, name, 1);
  return { childID: handle.workflowID, result: await handle.getResult() };
}, { name: 'by-name.parent' });

function rawRow(workflowID: string) {
  return engineFor('test').systemDatabase.getWorkflowStatus(workflowID);
}

forEachBackend('enqueue by name', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a workflow of this process, enqueued by name, runs with its arguments', async () => {
    await launch(backend);
    const handle = await DBOS.enqueueWorkflowWithOptions<string>(
      { queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'by-name-1' },
      'ada',
      2,
    );
    assert.equal(handle.workflowID, 'by-name-1');
    assert.equal(await handle.getResult(), 'hi hi ada');
    const row = await rawRow('by-name-1');
    assert.equal(row?.queueName, byNameQueue.name);
    // Enqueued with its application version unset: any executor may run it (it runs on ours).
    assert.equal(row?.serialization, 'js_superjson');
    // The same ID again returns the existing workflow (default "return-existing")...
    const again = await DBOS.enqueueWorkflowWithOptions({ queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'by-name-1' }, 'x', 1);
    assert.equal(await again.getResult(), 'hi hi ada');
    // ...or is refused with "reject", by DBOS's error naming the workflow holding the ID.
    await assert.rejects(
      DBOS.enqueueWorkflowWithOptions({ queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'by-name-1', workflowIDReusePolicy: 'reject' }),
      (error: unknown) => {
        assert.ok(error instanceof DBOSWorkflowIDInUseError, String(error));
        assert.ok(isWorkflowIDInUseError(error));
        assert.deepEqual([error.workflowID, error.status, error.workflowName], ['by-name-1', 'SUCCESS', 'by-name.greet']);
        return true;
      },
    );
  });

  test('portable inputs are stored as plain JSON {positionalArgs, namedArgs} and run', async () => {
    await launch(backend);
    const handle = await DBOS.enqueueWorkflowWithOptionsPortable<string>(
      { queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'portable-1' },
      ['grace', 1],
    );
    assert.equal(await handle.getResult(), 'hi grace');
    assert.deepEqual(JSON.parse((await rawRow('portable-1'))!.inputs!), { positionalArgs: ['grace', 1] });
    // Read before it runs (the column then names the output's format).
    const waiting = await DBOS.enqueueWorkflowWithOptionsPortable(
      { queueName: 'by-name.nobody-listens', workflowName: 'by-name.greet', workflowID: 'portable-0' },
      ['grace', 1],
    );
    const row = await rawRow(waiting.workflowID);
    assert.equal(row?.serialization, 'portable_json');
    assert.deepEqual(JSON.parse(row!.inputs!), { positionalArgs: ['grace', 1] });
    const named = await DBOS.enqueueWorkflowWithOptionsPortable(
      { queueName: 'by-name.nobody-listens', workflowName: 'python_task', workflowID: 'portable-2' },
      [1],
      { flag: true, when: '2024-01-01' },
    );
    assert.deepEqual(JSON.parse((await rawRow(named.workflowID))!.inputs!), { positionalArgs: [1], namedArgs: { flag: true, when: '2024-01-01' } });
    // Named arguments have no place in a JavaScript call: the workflow fails with a recorded, typed error.
    const refused = await DBOS.enqueueWorkflowWithOptionsPortable(
      { queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'portable-3' },
      ['grace'],
      { times: 2 },
    );
    await assert.rejects(refused.getResult(), (error: Error & { code?: string }) => error.code === 'WORKFLOW_INPUTS_INVALID' && /namedArgs/.test(error.message));
    assert.equal((await refused.getStatus())?.status, 'ERROR');
  });

  test('a workflow enqueued with portable inputs records its outcome portably: its inputs stay readable', async () => {
    await launch(backend);
    const handle = await DBOS.enqueueWorkflowWithOptionsPortable<string>(
      { queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'portable-4' },
      ['ada', 1],
    );
    assert.equal(await handle.getResult(), 'hi ada');
    const row = await rawRow('portable-4');
    assert.equal(row?.serialization, 'portable_json');
    assert.equal(JSON.parse(row!.output!), 'hi ada');
    assert.deepEqual(await handle.getWorkflowInputs(), ['ada', 1]);
    assert.deepEqual((await DBOS.getWorkflowStatus('portable-4'))?.input, ['ada', 1]);
  });

  test('from workflow code, the enqueue is a recorded child with a deterministic ID', async () => {
    await launch(backend);
    const result = await DBOS.startWorkflow(parent, { workflowID: 'by-name-parent' })('lin');
    assert.deepEqual(await result.getResult(), { childID: 'by-name-parent-0', result: 'hi lin' });
    const [recorded] = await stepOutcomes('by-name-parent');
    assert.equal(recorded?.functionName, 'by-name.greet');
    assert.equal(recorded?.childWorkflowID, 'by-name-parent-0');
    assert.equal((await rawRow('by-name-parent-0'))?.parentWorkflowID, 'by-name-parent');
  });

  test('a workflow registered only in another process runs there', { timeout: 60_000 }, async () => {
    const config = await launch(backend);
    const env: NodeJS.ProcessEnv = { ...process.env, DURABLY_TEST_CONFIG: JSON.stringify(config) };
    delete env.NODE_TEST_CONTEXT;
    const fixture = join(import.meta.dirname, 'fixtures', 'by-name-worker.ts');
    const child = spawn(process.execPath, [...childExecArgv(), fixture], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    try {
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      while (!output.includes('READY')) {
        if (child.exitCode !== null) assert.fail(`worker exited:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const handle = await DBOS.enqueueWorkflowWithOptions<string>({ queueName: 'by-name.remote-queue', workflowName: 'by-name.remote' }, 21);
      assert.equal(await handle.getResult(), 'remote:42');
      assert.equal((await handle.getStatus())?.executorId, 'by-name-worker');
      child.stdin.write('exit\n');
    } finally {
      clearTimeout(timer);
      child.kill('SIGKILL');
    }
  });

  test('attributes are stored and searchable, and any queue takes a priority', async () => {
    await launch(backend);
    const attributes = { team: 'billing', tags: ['a', 'b'], level: 2 };
    const handle = await DBOS.enqueueWorkflowWithOptions<string>(
      { queueName: byNameQueue.name, workflowName: 'by-name.greet', workflowID: 'by-name-attrs', attributes, priority: 3 },
      'eve',
      1,
    );
    assert.equal(await handle.getResult(), 'hi eve');
    const status = await handle.getStatus();
    assert.deepEqual(status?.attributes, attributes);
    assert.equal(status?.priority, 3, 'a queue without priorityEnabled takes a priority (DBOS 5)');
    const found = await DBOS.listWorkflows({ attributes: { team: 'billing' } });
    assert.deepEqual(found.map((w) => w.workflowID), ['by-name-attrs']);
  });

  test('bad options are refused, naming the option and value', async () => {
    await launch(backend);
    const base = { queueName: byNameQueue.name, workflowName: 'by-name.greet' };
    await assert.rejects(DBOS.enqueueWorkflowWithOptions({ ...base, queueNme: 'x' } as never), /Unknown EnqueueWorkflowOptions "queueNme"/);
    await assert.rejects(DBOS.enqueueWorkflowWithOptions({ ...base, workflowName: '' }), /workflowName must be a non-empty string, got ""/);
    await assert.rejects(DBOS.enqueueWorkflowWithOptions({ ...base, priority: -1 }), DBOSInvalidQueuePriorityError);
    await assert.rejects(DBOS.enqueueWorkflowWithOptions({ ...base, delaySeconds: Number.NaN }), /delaySeconds/);
    await assert.rejects(DBOS.enqueueWorkflowWithOptions({ ...base, workflowID: 'bad-1', attributes: ['a'] as never }), DBOSConfigurationError);
    await assert.rejects(
      DBOS.enqueueWorkflowWithOptions({ ...base, workflowID: 'bad-2', attributes: { when: new Date() } }),
      /EnqueueWorkflowOptions\.attributes: the value at "when" is not plain JSON/,
    );
    for (const workflowID of ['bad-1', 'bad-2']) assert.equal(await DBOS.getWorkflowStatus(workflowID), null, 'nothing is written');
    assert.throws(() => DBOS.withWorkflowQueue('', async () => undefined), /withWorkflowQueue needs a queue name/);
  });
});

forEachBackend('withWorkflowQueue', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('workflows started or called inside the callback are enqueued on the queue', async () => {
    await launch(backend);
    const { started, called } = await DBOS.withWorkflowQueue(contextQueue.name, async () => {
      const handle = await DBOS.startWorkflow(greet, { workflowID: 'ctx-started' })('bo', 1);
      const value = await DBOS.withNextWorkflowID('ctx-called', () => greet('cy', 1));
      return { started: await handle.getResult(), called: value };
    });
    assert.deepEqual({ started, called }, { started: 'hi bo', called: 'hi cy' });
    assert.equal((await rawRow('ctx-started'))?.queueName, contextQueue.name);
    assert.equal((await rawRow('ctx-called'))?.queueName, contextQueue.name);
    // An explicit queueName wins; outside the callback, nothing is enqueued.
    await DBOS.withWorkflowQueue(contextQueue.name, () => DBOS.startWorkflow(greet, { workflowID: 'ctx-explicit', queueName: byNameQueue.name })('x', 0));
    assert.equal((await rawRow('ctx-explicit'))?.queueName, byNameQueue.name);
    await DBOS.startWorkflow(greet, { workflowID: 'ctx-outside' })('x', 0);
    assert.equal((await rawRow('ctx-outside'))?.queueName, null);
  });
});
