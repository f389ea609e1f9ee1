/** The one reader of the stored `authenticated_roles` column (recovery, dequeue and the public status use it). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseStoredRoles } from '../../src/engine/stored-roles.ts';

test('stored roles: a JSON array of strings comes back as it was', () => {
  assert.deepEqual(parseStoredRoles('["admin","reader"]'), ['admin', 'reader']);
  assert.deepEqual(parseStoredRoles('[]'), []);
});

test('stored roles: nothing stored, or text that is not a JSON array, grants no role', () => {
  for (const text of [null, undefined, '', 'not json', '{"role":"admin"}', '"admin"']) {
    assert.equal(parseStoredRoles(text), undefined, JSON.stringify(text));
  }
});
