/**
 * Workflows: results, status fields, idempotent starts by workflow ID, ID
 * assignment, handles and DBOS.getResult, and failing workflows (in this
 * process and read back after a relaunch).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConflictingWorkflowError,
  DBOSNotRegisteredError,
  DBOSSerializationError,
  type DBOSConfig,
} from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend, type TestBackend } from '../helpers/backends.ts';

let addRuns = 0;
const addOne = DBOS.registerWorkflow(
  async (x: number, label: string) => {
    addRuns++;
    return { sum: x + 1, label };
  },
  { name: 'workflows.addOne' },
);

const identity = DBOS.registerWorkflow(async (x: number) => x, { name: 'workflows.identity' });

let slowGate: Deferred<void> = deferred();
let slowRuns = 0;
const slow = DBOS.registerWorkflow(
  async (x: number) => {
    slowRuns++;
    await slowGate.promise;
    return x * 10;
  },
  { name: 'workflows.slow' },
);

class PaymentError extends Error {
  readonly code: string;
  readonly amount: number;
  constructor(message: string, code: string, amount: number) {
    super(message);
    this.name = 'PaymentError';
    this.code = code;
    this.amount = amount;
  }
}

const failing = DBOS.registerWorkflow(
  async (amount: number) => {
    throw new PaymentError(`card declined for ${amount}`, 'E_DECLINED', amount);
  },
  { name: 'workflows.failing' },
);

const failingWithDurablyError = DBOS.registerWorkflow(
  async (name: string) => {
    throw new DBOSNotRegisteredError(name);
  },
  { name: 'workflows.failingWithDurablyError' },
);

const unstorableResult = DBOS.registerWorkflow(async () => ({ callback: () => 1 }) as unknown, {
  name: 'workflows.unstorableResult',
});

async function launch(backend: TestBackend, extra?: DBOSConfig): Promise<DBOSConfig> {
  const config = backend.freshConfig(extra);
  DBOS.setConfig(config);
  await DBOS.launch();
  return config;
}

async function relaunch(config: DBOSConfig): Promise<void> {
  await DBOS.shutdown();
  DBOS.setConfig(config);
  await DBOS.launch();
}

forEachBackend('workflows', (backend) => {
  afterEach(async () => {
    slowGate.resolve();
    await DBOS.shutdown();
  });

  test('calling a registered workflow returns its result', async () => {
    await launch(backend);
    assert.deepEqual(await addOne(1, 'direct'), { sum: 2, label: 'direct' });
    const handle = await DBOS.startWorkflow(addOne)(41, 'started');
    assert.deepEqual(await handle.getResult(), { sum: 42, label: 'started' });
  });

  test('getStatus reports the recorded fields', async () => {
    await launch(backend, { executorID: 'executor-a', applicationVersion: 'version-7' });
    const workflowID = `status-${randomUUID()}`;
    const before = Date.now();
    const handle = await DBOS.startWorkflow(addOne, { workflowID })(1, 'a');
    await handle.getResult();
    const after = Date.now();
    const status = await handle.getStatus();
    assert.ok(status);
    assert.equal(status.workflowID, workflowID);
    assert.equal(status.status, 'SUCCESS');
    assert.equal(status.workflowName, 'workflows.addOne');
    assert.equal(status.workflowClassName, '');
    assert.deepEqual(status.input, [1, 'a']);
    assert.deepEqual(status.output, { sum: 2, label: 'a' });
    assert.equal(status.error, undefined);
    assert.equal(status.executorId, 'executor-a');
    assert.equal(status.applicationVersion, 'version-7');
    assert.equal(status.applicationName, 'durably-test');
    assert.ok(status.createdAt >= before && status.createdAt <= after, `createdAt ${status.createdAt}`);
    assert.equal(status.recoveryAttempts, 1);
    assert.equal(status.parentWorkflowID, undefined);
    assert.deepEqual(await DBOS.getWorkflowStatus(workflowID), status);
  });

  test('by default, status carries the launched executor ID and computed application version', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(identity)(5);
    await handle.getResult();
    const status = await handle.getStatus();
    assert.equal(status?.executorId, DBOS.executorID);
    assert.equal(status?.applicationVersion, DBOS.applicationVersion);
    assert.match(DBOS.applicationVersion, /^[0-9a-f]{32}$/);
  });

  test('a workflow ID started twice in sequence runs the body once; both get the first result', async () => {
    await launch(backend);
    const workflowID = `sequential-${randomUUID()}`;
    addRuns = 0;
    const first = await DBOS.startWorkflow(addOne, { workflowID })(1, 'first');
    assert.deepEqual(await first.getResult(), { sum: 2, label: 'first' });
    const second = await DBOS.startWorkflow(addOne, { workflowID })(100, 'second');
    assert.equal(second.workflowID, workflowID);
    assert.deepEqual(await second.getResult(), { sum: 2, label: 'first' });
    assert.equal(addRuns, 1);
    assert.deepEqual((await second.getStatus())?.input, [1, 'first']);
  });

  test('a workflow ID started twice concurrently runs the body once; both get the same result', async () => {
    await launch(backend);
    slowGate = deferred();
    slowRuns = 0;
    const workflowID = `concurrent-${randomUUID()}`;
    const [a, b] = await Promise.all([
      DBOS.startWorkflow(slow, { workflowID })(1),
      DBOS.startWorkflow(slow, { workflowID })(2),
    ]);
    slowGate.resolve();
    const [resultA, resultB] = await Promise.all([a.getResult(), b.getResult()]);
    assert.equal(slowRuns, 1);
    assert.equal(resultA, resultB);
    const input = (await a.getStatus())?.input as number[];
    assert.equal(resultA, input[0]! * 10);
  });

  test('many concurrent starts of one ID run the body once', async () => {
    await launch(backend);
    slowGate = deferred();
    slowRuns = 0;
    const workflowID = `stampede-${randomUUID()}`;
    const handles = await Promise.all(
      Array.from({ length: 10 }, (_, index) => DBOS.startWorkflow(slow, { workflowID })(index)),
    );
    slowGate.resolve();
    const results = new Set(await Promise.all(handles.map((handle) => handle.getResult())));
    assert.equal(slowRuns, 1);
    assert.equal(results.size, 1);
  });

  test('reusing a workflow ID for another function is a DBOSConflictingWorkflowError', async () => {
    await launch(backend);
    const workflowID = `conflict-${randomUUID()}`;
    await (await DBOS.startWorkflow(addOne, { workflowID })(1, 'x')).getResult();
    await assert.rejects(
      async () => DBOS.startWorkflow(identity, { workflowID })(1),
      (error: unknown) => {
        assert.ok(error instanceof DBOSConflictingWorkflowError);
        assert.equal(error.code, 'WORKFLOW_ID_CONFLICT');
        assert.equal(error.workflowID, workflowID);
        assert.match(error.message, /workflows\.addOne/);
        assert.match(error.message, /workflows\.identity/);
        return true;
      },
    );
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.workflowName, 'workflows.addOne');
  });

  test('withNextWorkflowID gives its ID to the first workflow started inside only', async () => {
    await launch(backend);
    const workflowID = `assigned-${randomUUID()}`;
    const [first, second] = await DBOS.withNextWorkflowID(workflowID, async () => {
      const result = await addOne(2, 'assigned');
      const handle = await DBOS.startWorkflow(identity)(3);
      return [result, handle] as const;
    });
    assert.deepEqual(first, { sum: 3, label: 'assigned' });
    assert.notEqual(second.workflowID, workflowID);
    assert.equal(await second.getResult(), 3);
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.workflowName, 'workflows.addOne');
    assert.deepEqual(status?.input, [2, 'assigned']);
  });

  test('retrieveWorkflow and DBOS.getResult read a finished workflow by ID', async () => {
    await launch(backend);
    const workflowID = `retrieve-${randomUUID()}`;
    await DBOS.startWorkflow(addOne, { workflowID })(9, 'r');
    const handle = DBOS.retrieveWorkflow<{ sum: number; label: string }>(workflowID);
    assert.equal(handle.workflowID, workflowID);
    assert.deepEqual(await handle.getResult(), { sum: 10, label: 'r' });
    assert.deepEqual(await handle.getWorkflowInputs(), [9, 'r']);
    assert.deepEqual(await DBOS.getResult(workflowID), { sum: 10, label: 'r' });
    assert.deepEqual(await DBOS.getResult(workflowID, 1), { sum: 10, label: 'r' });
  });

  test('DBOS.getResult with a timeout returns null while the workflow still runs', async () => {
    await launch(backend);
    slowGate = deferred();
    const workflowID = `timeout-${randomUUID()}`;
    await DBOS.startWorkflow(slow, { workflowID })(4);
    assert.equal(await DBOS.getResult(workflowID, 0.05), null);
    assert.equal(await DBOS.getResult(workflowID, { timeoutSeconds: 0 }), null);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'PENDING');
    slowGate.resolve();
    assert.equal(await DBOS.getResult(workflowID, 60), 40);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'SUCCESS');
  });

  test('an unknown workflow ID has no status', async () => {
    await launch(backend);
    assert.equal(await DBOS.getWorkflowStatus(`missing-${randomUUID()}`), null);
    assert.equal(await DBOS.retrieveWorkflow(`missing-${randomUUID()}`).getStatus(), null);
  });

  test('a workflow that throws rethrows the same error and ends in ERROR', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(failing)(42);
    await assert.rejects(handle.getResult(), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error.name, 'PaymentError');
      assert.equal(error.message, 'card declined for 42');
      assert.equal((error as PaymentError).code, 'E_DECLINED');
      assert.equal((error as PaymentError).amount, 42);
      return true;
    });
    await assert.rejects(failing(7), { name: 'PaymentError', message: 'card declined for 7', code: 'E_DECLINED' });
    const status = await handle.getStatus();
    assert.equal(status?.status, 'ERROR');
    assert.equal(status?.output, undefined);
    const recorded = status?.error as PaymentError;
    assert.equal(recorded.name, 'PaymentError');
    assert.equal(recorded.message, 'card declined for 42');
    assert.equal(recorded.code, 'E_DECLINED');
  });

  test('a failed workflow read back after a relaunch rethrows a revived error', async () => {
    const config = await launch(backend);
    const workflowID = `failed-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(failing, { workflowID })(13);
    const original = await handle.getResult().catch((error: unknown) => error);
    await relaunch(config);
    const revived = await DBOS.retrieveWorkflow(workflowID).getResult().catch((error: unknown) => error);
    assert.ok(revived instanceof Error, 'a revived error is an Error');
    assert.notEqual(revived, original);
    assert.equal(revived.name, 'PaymentError');
    assert.equal(revived.message, 'card declined for 13');
    assert.equal((revived as PaymentError).code, 'E_DECLINED');
    assert.equal((revived as PaymentError).amount, 13);
    assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'ERROR');
  });

  test("durably's own error classes are revived with their class after a relaunch", async () => {
    const config = await launch(backend);
    const workflowID = `failed-durably-${randomUUID()}`;
    await DBOS.startWorkflow(failingWithDurablyError, { workflowID })('ghost');
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), DBOSNotRegisteredError);
    await relaunch(config);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSNotRegisteredError);
      assert.equal(error.code, 'NOT_REGISTERED');
      assert.equal(error.dbosErrorCode, 6);
      assert.equal(error.functionName, 'ghost');
      assert.match(error.message, /"ghost"/);
      return true;
    });
  });

  test('a result that cannot be stored fails the workflow with DBOSSerializationError', async () => {
    await launch(backend);
    const handle = await DBOS.startWorkflow(unstorableResult)();
    await assert.rejects(handle.getResult(), DBOSSerializationError);
    const status = await handle.getStatus();
    assert.equal(status?.status, 'ERROR');
    assert.ok(status?.error instanceof DBOSSerializationError);
  });
});
