/**
 * DBOS's predicates on errors: they hold for a live error, for one revived from the database, and for the
 * plain Error a DBOS-written record becomes (same name, class lost).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deserializeError, serializeError } from '../../src/engine/error-serialization.ts';
import {
  DBOSDataValidationError,
  DBOSError,
  DBOSStreamTimeoutError,
  DBOSWorkflowIDInUseError,
  getDBOSErrorCode,
  isDataValidationError,
  isStreamTimeoutError,
  isWorkflowIDInUseError,
} from '../../src/errors/errors.ts';

function revived(error: Error): Error {
  const stored = serializeError(error);
  return deserializeError(stored.text, stored.serialization);
}

/** What DBOS's own revival gives: a plain Error with the stored name and fields. */
function plainCopy(error: Error): Error {
  return Object.assign(new Error(error.message), { ...error, name: error.name });
}

test('getDBOSErrorCode: the numeric code of a DBOS error, undefined for others', () => {
  assert.equal(getDBOSErrorCode(new DBOSError('x', 400)), 400);
  assert.equal(getDBOSErrorCode(new DBOSDataValidationError('x')), 9);
  assert.equal(getDBOSErrorCode(revived(new DBOSError('x', 400))), 400);
  assert.equal(getDBOSErrorCode(plainCopy(new DBOSError('x', 400))), 400);
  assert.equal(getDBOSErrorCode(new Error('plain')), undefined);
  assert.equal(getDBOSErrorCode(Object.assign(new Error('odd'), { dbosErrorCode: '9' })), undefined);
});

test('isDataValidationError matches code 9 in every form', () => {
  const error = new DBOSDataValidationError('age must be a number');
  for (const form of [error, revived(error), plainCopy(error), new DBOSError('by code', 9)]) {
    assert.equal(isDataValidationError(form), true);
  }
  assert.equal(isDataValidationError(new DBOSError('other')), false);
  assert.equal(isDataValidationError(new Error('plain')), false);
});

test('isStreamTimeoutError and isWorkflowIDInUseError match the live, revived and DBOS-revived forms', () => {
  const timeout = new DBOSStreamTimeoutError('wf', 'k', 10);
  const inUse = new DBOSWorkflowIDInUseError('wf', 'PENDING', 'order');
  for (const form of [timeout, revived(timeout), plainCopy(timeout)]) assert.equal(isStreamTimeoutError(form), true);
  for (const form of [inUse, revived(inUse), plainCopy(inUse)]) assert.equal(isWorkflowIDInUseError(form), true);
  // DBOS's portable form keeps only the name.
  assert.equal(isStreamTimeoutError(Object.assign(new Error('x'), { name: 'DBOSStreamTimeoutError' })), true);
  assert.equal(isWorkflowIDInUseError(Object.assign(new Error('x'), { name: 'DBOSWorkflowIDInUseError' })), true);
  for (const other of [new DBOSError('x'), new Error('x'), undefined, null, 'DBOSStreamTimeoutError', inUse]) {
    assert.equal(isStreamTimeoutError(other), false);
  }
  assert.equal(isWorkflowIDInUseError(timeout), false);
});
