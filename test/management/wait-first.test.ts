import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const sleeper = DBOS.registerWorkflow(async (ms: number) => {
  await DBOS.sleep(ms);
  return ms;
}, { name: 'waitFirst.sleeper' });

const chooser = DBOS.registerWorkflow(async () => {
  const handles = [await DBOS.startWorkflow(sleeper)(300), await DBOS.startWorkflow(sleeper)(10)];
  const first = await DBOS.waitFirst(handles);
  return first.getResult();
}, { name: 'waitFirst.chooser' });

forEachBackend('waitFirst', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('returns the handle of the first workflow to finish, outside and inside a workflow', async () => {
    await launch(backend);
    const slow = await DBOS.startWorkflow(sleeper)(300);
    const fast = await DBOS.startWorkflow(sleeper)(10);
    const first = await DBOS.waitFirst([slow, fast]);
    assert.equal(first.workflowID, fast.workflowID);
    assert.equal(await chooser(), 10);
    await assert.rejects(DBOS.waitFirst([]), { code: 'CONFIGURATION_INVALID' });
  });
});
