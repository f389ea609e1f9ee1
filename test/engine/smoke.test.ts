import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const calls: string[] = [];
const stepA = DBOS.registerStep(async (x: number) => {
  calls.push('a');
  return x + 1;
}, { name: 'stepA' });
const stepB = DBOS.registerStep(async (x: number) => {
  calls.push('b');
  return x * 2;
}, { name: 'stepB' });
const twoSteps = DBOS.registerWorkflow(async (x: number) => {
  const a = await stepA(x);
  return stepB(a);
}, { name: 'twoSteps' });

forEachBackend('smoke', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a two-step workflow runs and its result is recorded', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    calls.length = 0;
    const handle = await DBOS.startWorkflow(twoSteps, { workflowID: 'wf-1' })(3);
    assert.equal(await handle.getResult(), 8);
    assert.equal((await handle.getStatus())?.status, 'SUCCESS');
    assert.deepEqual(calls, ['a', 'b']);
    const again = await DBOS.startWorkflow(twoSteps, { workflowID: 'wf-1' })(100);
    assert.equal(await again.getResult(), 8);
    assert.deepEqual(calls, ['a', 'b']);
  });
});
