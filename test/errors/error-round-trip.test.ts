/**
 * DBOS error classes thrown by workflow code, constructed with DBOS's arguments, come back from the system
 * database with their class, numeric code and fields: getResult from a relaunched runtime rethrows them.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSDataValidationError,
  DBOSError,
  DBOSInitializationError,
  DBOSInvalidQueuePriorityError,
  DBOSNotAuthorizedError,
  DBOSQueueDuplicatedError,
  isDataValidationError,
} from '../../src/index.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { forEachBackend } from '../helpers/backends.ts';

const failures = {
  plain: () => new DBOSError('bad input', 400),
  priority: () => new DBOSInvalidQueuePriorityError(0, 1, 10),
  duplicated: () => new DBOSQueueDuplicatedError('wf-dup', 'orders', 'order-7'),
  notAuthorized: () => new DBOSNotAuthorizedError('needs admin', 401),
  initialization: () => new DBOSInitializationError('cannot start', new TypeError('bad url')),
};
type FailureKind = keyof typeof failures;

const throwing = DBOS.registerWorkflow(
  async (kind: FailureKind) => {
    throw failures[kind]();
  },
  { name: 'error-round-trip.throwing' },
);

const validate = DBOS.registerStep(
  async (age: unknown) => {
    if (typeof age !== 'number') throw new DBOSDataValidationError(`age must be a number, got ${JSON.stringify(age)}`);
    return age;
  },
  { name: 'error-round-trip.validate' },
);
const throwingFromStep = DBOS.registerWorkflow(async (age: unknown) => validate(age), {
  name: 'error-round-trip.throwingFromStep',
});

/** The error a finished workflow's getResult throws, read from a relaunched runtime. */
async function errorAfterRelaunch(config: Parameters<typeof crashAndRelaunch>[0], workflowID: string): Promise<unknown> {
  await crashAndRelaunch(config);
  return DBOS.retrieveWorkflow(workflowID).getResult().then(
    () => assert.fail(`workflow ${workflowID} succeeded`),
    (error: unknown) => error,
  );
}

forEachBackend('DBOS error classes through a workflow', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('new DBOSError(message, 400) comes back with dbosErrorCode 400', async () => {
    const config = await launch(backend);
    const workflowID = `plain-${randomUUID()}`;
    await assert.rejects(DBOS.startWorkflow(throwing, { workflowID })('plain').then((h) => h.getResult()));
    const error = await errorAfterRelaunch(config, workflowID);
    assert.ok(error instanceof DBOSError);
    assert.equal(error.constructor, DBOSError);
    assert.equal(error.message, 'bad input');
    assert.equal(error.dbosErrorCode, 400);
    assert.equal(error.code, 'DBOS_ERROR');
  });

  test('DBOS classes built with DBOS\'s arguments come back with class and fields', async () => {
    const config = await launch(backend);
    const kinds = ['priority', 'duplicated', 'notAuthorized', 'initialization'] as const;
    const ids = kinds.map((kind) => `${kind}-${randomUUID()}`);
    for (const [index, kind] of kinds.entries()) {
      const handle = await DBOS.startWorkflow(throwing, { workflowID: ids[index] })(kind);
      await assert.rejects(handle.getResult());
    }
    await crashAndRelaunch(config);
    const [priority, duplicated, notAuthorized, initialization] = await Promise.all(
      ids.map((id) => DBOS.retrieveWorkflow(id).getResult().catch((error: unknown) => error)),
    );
    assert.ok(priority instanceof DBOSInvalidQueuePriorityError);
    assert.deepEqual([priority.priority, priority.min, priority.max, priority.dbosErrorCode], [0, 1, 10, 29]);
    assert.ok(duplicated instanceof DBOSQueueDuplicatedError);
    assert.deepEqual(
      [duplicated.workflowID, duplicated.queue, duplicated.queueName, duplicated.deduplicationID, duplicated.dbosErrorCode],
      ['wf-dup', 'orders', 'orders', 'order-7', 28],
    );
    assert.ok(notAuthorized instanceof DBOSNotAuthorizedError);
    assert.deepEqual([notAuthorized.message, notAuthorized.status, notAuthorized.dbosErrorCode], ['needs admin', 401, 12]);
    assert.ok(initialization instanceof DBOSInitializationError);
    assert.equal(initialization.dbosErrorCode, 3);
    assert.ok(initialization.error instanceof TypeError);
    assert.equal(initialization.error.message, 'bad url');
  });

  test('a DBOS class thrown by a step comes back from the workflow, and isDataValidationError holds', async () => {
    const config = await launch(backend);
    const workflowID = `step-${randomUUID()}`;
    await assert.rejects(DBOS.startWorkflow(throwingFromStep, { workflowID })('forty').then((h) => h.getResult()));
    const error = await errorAfterRelaunch(config, workflowID);
    assert.ok(error instanceof DBOSDataValidationError);
    assert.equal(error.message, 'age must be a number, got "forty"');
    assert.equal(error.dbosErrorCode, 9);
    assert.equal(isDataValidationError(error), true);
  });
});
