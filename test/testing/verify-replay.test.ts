/**
 * verifyReplay (durably/testing): a recorded history replayed against the code
 * registered now, executing nothing. Old and new code are simulated by
 * switching the body of one registered workflow between runs: a renamed step
 * is found (operation, expected and recorded names), a step added at the end of
 * a finished workflow too, a change made under DBOS.patch is accepted, and a
 * PENDING workflow replays up to the end of its history.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { verifyReplay } from '../../src/testing.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

type Code = 'v1' | 'renamed' | 'added' | 'patched';
let code: Code = 'v1';
let stepRuns = 0;
let gate = deferred<void>();
let blockAfterFirstStep = false;

const step = (name: string) => DBOS.registerStep(async (order: string) => {
  stepRuns++;
  return `${name}:${order}`;
}, { name });
const reserve = step('verify.reserve');
const charge = step('verify.charge');
const chargeCard = step('verify.chargeCard');
const notify = step('verify.notify');

const checkout = DBOS.registerWorkflow(async (order: string) => {
  const done = [await reserve(order)];
  if (blockAfterFirstStep) await gate.promise;
  if (code === 'renamed') done.push(await chargeCard(order));
  else if (code === 'patched') done.push(await ((await DBOS.patch('card')) ? chargeCard(order) : charge(order)));
  else done.push(await charge(order));
  if (code === 'added') done.push(await notify(order));
  return done;
}, { name: 'verify.checkout' });

afterEach(async () => {
  gate.resolve();
  await DBOS.shutdown();
  code = 'v1';
  blockAfterFirstStep = false;
});

async function finished(order: string): Promise<string> {
  const handle = await DBOS.startWorkflow(checkout, { workflowID: `${order}-${Math.random()}` })(order);
  await handle.getResult();
  return handle.workflowID;
}

forEachBackend('verifyReplay', (backend) => {
  test('the same code replays a finished workflow without running a step', async () => {
    await launch(backend);
    const id = await finished('o-1');
    const before = stepRuns;
    const report = await verifyReplay(id);
    assert.deepEqual(
      { ok: report.ok, status: report.status, replayed: report.replayedOperations, recorded: report.recordedOperations },
      { ok: true, status: 'SUCCESS', replayed: 2, recorded: 2 },
    );
    assert.equal(stepRuns, before, 'a replay runs no step');
  });

  test('a renamed step is the first divergence: its operation, the expected and the recorded name', async () => {
    await launch(backend);
    const id = await finished('o-2');
    code = 'renamed';
    const report = await verifyReplay(id);
    assert.equal(report.ok, false);
    assert.deepEqual(
      { kind: report.divergence?.kind, functionID: report.divergence?.functionID, expected: report.divergence?.expected, recorded: report.divergence?.recorded },
      { kind: 'operation-differs', functionID: 1, expected: 'verify.chargeCard', recorded: 'verify.charge' },
    );
    code = 'added';
    const added = await verifyReplay(id);
    assert.deepEqual([added.divergence?.kind, added.divergence?.functionID, added.divergence?.expected], ['operation-added', 2, 'verify.notify']);
  });

  test('a change made under DBOS.patch replays old histories (old branch) and new ones (new branch)', async () => {
    await launch(backend, { enablePatching: true });
    const old = await finished('o-3');
    code = 'patched';
    assert.equal((await verifyReplay(old)).ok, true, 'the v1 history takes the unpatched branch');
    const patched = await finished('o-4');
    const report = await verifyReplay(patched);
    assert.deepEqual([report.ok, report.recordedOperations], [true, 3]);
    code = 'renamed'; // the patch removed without deprecatePatch: histories with its marker no longer replay
    assert.equal((await verifyReplay(patched)).divergence?.kind, 'operation-differs');
  });

  test('a PENDING workflow replays up to the end of its history', async () => {
    await launch(backend);
    blockAfterFirstStep = true;
    gate = deferred<void>();
    const handle = await DBOS.startWorkflow(checkout, { workflowID: `o-5-${Math.random()}` })('o-5');
    while ((await DBOS.listWorkflowSteps(handle.workflowID))?.length !== 1) await new Promise((r) => setTimeout(r, 10));
    // The gate is a wait that is not a durable operation: a replay waiting on it is reported, not left hanging.
    const stuck = await verifyReplay(handle.workflowID, { timeoutMs: 100 });
    assert.deepEqual([stuck.ok, stuck.divergence?.kind], [false, 'replay-failed']);
    blockAfterFirstStep = false;
    const report = await verifyReplay(handle.workflowID);
    assert.deepEqual([report.ok, report.status, report.replayedOperations], [true, 'PENDING', 1]);
    code = 'renamed'; // the change is past the end of the history: nothing to contradict yet
    assert.equal((await verifyReplay(handle.workflowID)).ok, true);
    gate.resolve();
    await handle.getResult();
  });
});
