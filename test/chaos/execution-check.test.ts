/**
 * The chaos verifier's rule for re-runs (chaos/execution-check.ts), on made-up ledgers: a re-run is sound
 * only before the recorded execution and after a kill of the process that ran it; anything after the
 * recorded execution, or without a death in between, is a violation; a transaction's rolled-back
 * attempts are fine, but its app rows must be exactly one, with the recorded nonce.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StepInfo } from '../../src/index.ts';
import { checkExecutions } from '../../chaos/execution-check.ts';
import type { LedgerEntry } from '../../chaos/ledger.ts';
import { childID, orderID, transactionName } from '../../chaos/workload.ts';

const order = orderID(0);
const reply = childID(order);

const run = (workflowID: string, step: string, nonce: string, pid: number): LedgerEntry => ({
  kind: step === transactionName ? 'transaction' : 'step',
  workflowID,
  step,
  nonce,
  pid,
  attempt: 1,
  t: 0,
});
const kill = (pid: number): LedgerEntry => ({ kind: 'kill', pid, worker: 'w', t: 0 });
const recorded = (...nonces: string[]): StepInfo[] => nonces.map((nonce, index) => ({ functionID: index, name: 'x', output: { value: 0, nonce }, error: null, childWorkflowID: null }));

function check(entries: LedgerEntry[], orderNonces: string[], deliveries = [{ workflow_id: order, nonce: 'tx' }]) {
  const violations: string[] = [];
  const ledger = entries.map((entry, index) => ({ ...entry, index }));
  const stepsOf = new Map([
    [order, recorded(...orderNonces)],
    [reply, recorded('c')],
  ]);
  const counts = checkExecutions(ledger, stepsOf, deliveries, 1, (text) => violations.push(text));
  return { counts, violations };
}

const clean = [run(order, 'a', 'a', 1), run(reply, 'c', 'c', 1), run(order, transactionName, 'tx', 1), run(order, 'b', 'b', 1)];

test('one execution per step, each recorded: no violation, no re-run', () => {
  const { counts, violations } = check(clean, ['a', 'tx', 'b']);
  assert.deepEqual(violations, []);
  assert.equal(counts.stepExecutions, 4);
  assert.equal(counts.stepReruns, 0);
});

test('a step run again after its process was killed, before the recorded run, is a legitimate re-run', () => {
  const { counts, violations } = check([run(order, 'a', 'lost', 1), kill(1), ...clean.map((entry) => ({ ...entry, pid: 2 }))], ['a', 'tx', 'b']);
  assert.deepEqual(violations, []);
  assert.equal(counts.stepReruns, 1);
  assert.equal(counts.kills, 1);
});

test('a step run twice without a death in between is a violation', () => {
  const { violations } = check([run(order, 'a', 'lost', 1), ...clean], ['a', 'tx', 'b']);
  assert.equal(violations.length, 1);
  assert.match(violations[0]!, /did not die/);
});

test('a kill after the recorded run does not excuse an earlier one', () => {
  const { violations } = check([run(order, 'a', 'lost', 1), ...clean.map((entry) => ({ ...entry, pid: 2 })), kill(1)], ['a', 'tx', 'b']);
  assert.equal(violations.length, 1);
});

test('a step run after the execution its checkpoint recorded is a violation, kill or not', () => {
  const { violations } = check([...clean, kill(1), run(order, 'b', 'again', 2)], ['a', 'tx', 'b']);
  assert.equal(violations.length, 1);
  assert.match(violations[0]!, /ran again/);
});

test('a step whose checkpoint names none of its executions is a violation', () => {
  const { violations } = check(clean, ['a', 'tx', 'unknown']);
  assert.equal(violations.length, 1);
  assert.match(violations[0]!, /step b/);
});

test('rolled-back transaction attempts are fine; two app rows, or a row of another attempt, are not', () => {
  const retried = [run(order, transactionName, 'rolled-back', 1), ...clean];
  assert.deepEqual(check(retried, ['a', 'tx', 'b']).violations, []);
  assert.equal(check(retried, ['a', 'tx', 'b']).counts.transactionReruns, 1);
  const twice = check(retried, ['a', 'tx', 'b'], [{ workflow_id: order, nonce: 'rolled-back' }, { workflow_id: order, nonce: 'tx' }]);
  assert.match(twice.violations.join('\n'), /2 rows/);
  const other = check(retried, ['a', 'tx', 'b'], [{ workflow_id: order, nonce: 'rolled-back' }]);
  assert.match(other.violations.join('\n'), /nonce/);
});
