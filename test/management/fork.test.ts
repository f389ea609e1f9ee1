import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSNonExistentWorkflowError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const runs: string[] = [];
const makeStep = (name: string) => DBOS.registerStep(async (x: number) => {
  runs.push(name);
  return `${name}(${x})`;
}, { name: `fork.${name}` });
const a = makeStep('a');
const b = makeStep('b');
const c = makeStep('c');

const threeSteps = DBOS.registerWorkflow(async (x: number) => {
  const results = [await a(x), await b(x), await c(x)];
  await DBOS.setEvent('progress', results.length);
  return results.join(' ');
}, { name: 'fork.threeSteps' });

forEachBackend('fork', (backend) => {
  afterEach(() => DBOS.shutdown());

  for (const startStep of [0, 1, 2, 3]) {
    test(`forking a 3-step workflow from step ${startStep} reruns only the steps from there`, async () => {
      await launch(backend);
      const original = await DBOS.startWorkflow(threeSteps)(7);
      assert.equal(await original.getResult(), 'a(7) b(7) c(7)');
      runs.length = 0;
      const fork = await DBOS.forkWorkflow<string>(original.workflowID, startStep, { newWorkflowID: `fork-${startStep}-${original.workflowID}` });
      assert.equal(await fork.getResult(), 'a(7) b(7) c(7)');
      assert.deepEqual(runs, ['a', 'b', 'c'].slice(startStep));
      const status = await fork.getStatus();
      assert.equal(status?.forkedFrom, original.workflowID);
      assert.deepEqual(status?.input, [7]);
      assert.equal(await DBOS.getEvent(fork.workflowID, 'progress', 1), 3);
    });
  }

  test('forking an unknown workflow fails with a typed error', async () => {
    await launch(backend);
    await assert.rejects(DBOS.forkWorkflow('no-such-workflow', 0), DBOSNonExistentWorkflowError);
  });
});
