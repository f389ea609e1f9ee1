/**
 * Every error class has DBOS's constructor: DBOS's arguments give DBOS's fields and numeric code, and
 * durably's string `code` rides along. Also DBOS's exported names and constants.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as durably from '../../src/index.ts';
import {
  DBOSDatabaseUnreachableError,
  DBOSError,
  DBOSExecutorNotInitializedError,
  DBOSInitializationError,
  DBOSNotLaunchedError,
} from '../../src/errors/errors.ts';
import { errorCases, exportedErrorClasses } from './dbos-error-cases.ts';

test('new DBOSError(message, 400) has dbosErrorCode 400 (DBOS\'s constructor), and durably\'s code DBOS_ERROR', () => {
  const error = new DBOSError('bad input', 400);
  assert.equal(error.dbosErrorCode, 400);
  assert.equal(error.code, 'DBOS_ERROR');
  assert.equal(error.message, 'bad input');
  assert.equal(new DBOSError('x').dbosErrorCode, 1);
});

for (const { error, errorClass, dbosErrorCode, code, fields } of errorCases) {
  test(`${errorClass.name}(${error.message.slice(0, 40)}…): class, codes and fields`, () => {
    assert.ok(error instanceof errorClass);
    assert.ok(error instanceof DBOSError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, errorClass.name);
    assert.equal(error.dbosErrorCode, dbosErrorCode);
    assert.equal(error.code, code);
    for (const [key, value] of Object.entries(fields)) {
      assert.equal((error as unknown as Record<string, unknown>)[key], value, `${errorClass.name}.${key}`);
    }
  });
}

test('every exported error class has a constructor case', () => {
  const covered = new Set(errorCases.map((errorCase) => errorCase.errorClass.name));
  const missing = [...exportedErrorClasses.keys()].filter((name) => !covered.has(name));
  assert.deepEqual(missing, []);
});

test('everything DBOS\'s error module exports is in durably\'s Error namespace and at the top level', () => {
  const dbosNames = [
    'DBOSError', 'DBOSInitializationError', 'DBOSWorkflowConflictError', 'DBOSNotRegisteredError',
    'DBOSNonExistentWorkflowError', 'DBOSMaxRecoveryAttemptsExceededError', 'DBOSExecutorNotInitializedError',
    'DBOSInvalidWorkflowTransitionError', 'DBOSConflictingWorkflowError', 'DBOSMaxStepRetriesError',
    'DBOSWorkflowCancelledError', 'DBOSConflictingRegistrationError', 'UnexpectedStep', 'DBOSUnexpectedStepError',
    'DBOSAwaitedWorkflowCancelledError', 'QueueDedupIDDuplicated', 'DBOSQueueDuplicatedError',
    'DBOSInvalidQueuePriorityError', 'DBOSAwaitedWorkflowExceededMaxRecoveryAttempts', 'DBOSStepTimeoutError',
    'DBOSInvalidWorkflowInputError', 'StreamTimeout', 'DBOSStreamTimeoutError', 'StreamNondeterminism',
    'DBOSStreamNondeterminismError', 'QueryTimeout', 'DBOSQueryTimeoutError', 'WorkflowIDInUse',
    'DBOSWorkflowIDInUseError', 'StepNondeterminism', 'DBOSStepNondeterminismError', 'isStreamTimeoutError',
    'isWorkflowIDInUseError', 'getDBOSErrorCode',
    // Older DBOS releases' classes and helper, still matched by code:
    'DBOSDataValidationError', 'DBOSNotAuthorizedError', 'DBOSConfigKeyTypeError', 'DBOSFailLoadOperationsError',
    'isDataValidationError',
  ];
  const namespace = durably.Error as Record<string, unknown>;
  const topLevel = durably as Record<string, unknown>;
  assert.deepEqual(dbosNames.filter((name) => namespace[name] === undefined), []);
  assert.deepEqual(dbosNames.filter((name) => topLevel[name] !== namespace[name]), []);
});

test('DBOS\'s exported codes', () => {
  const { UnexpectedStep, QueueDedupIDDuplicated, StreamTimeout, StreamNondeterminism, QueryTimeout, WorkflowIDInUse, StepNondeterminism } =
    durably.Error;
  assert.deepEqual(
    [UnexpectedStep, QueueDedupIDDuplicated, StreamTimeout, StreamNondeterminism, QueryTimeout, WorkflowIDInUse, StepNondeterminism],
    [26, 28, 33, 34, 35, 36, 37],
  );
});

test('durably\'s own classes extend the DBOS class a DBOS program catches', () => {
  assert.ok(new DBOSNotLaunchedError('DBOS.send') instanceof DBOSExecutorNotInitializedError);
  assert.match(new DBOSNotLaunchedError('DBOS.send').message, /DBOS\.send needs a launched runtime/);
  assert.ok(new DBOSDatabaseUnreachableError('down') instanceof DBOSInitializationError);
});

test('durably\'s extras come after DBOS\'s parameters: a string code and a cause', () => {
  const cause = new Error('driver');
  const error = new DBOSError('wrapped', 7, { code: 'MY_CODE', cause });
  assert.equal(error.dbosErrorCode, 7);
  assert.equal(error.code, 'MY_CODE');
  assert.equal(error.cause, cause);
  assert.equal(Object.hasOwn(new DBOSInitializationError('no error given'), 'error'), false);
});

test('a user subclass of DBOSError, written for DBOS, keeps its name and numeric code', () => {
  class TeapotError extends DBOSError {
    constructor() {
      super('I am a teapot', 418);
    }
  }
  const error = new TeapotError();
  assert.equal(error.name, 'TeapotError');
  assert.equal(error.dbosErrorCode, 418);
  assert.equal(error.code, 'DBOS_ERROR');
});
