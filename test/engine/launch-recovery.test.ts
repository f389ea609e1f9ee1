/**
 * Recovery in the background, in one process: a crash is a shutdown under a running workflow (it stays
 * PENDING). What launch no longer waits for must still happen: a start under a crashed run's ID, made right
 * after launch, while recovery may be reading that very workflow, gets the recovered run's result.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch, recoveryFinished } from '../helpers/lifecycle.ts';

let runs = 0;
let release = deferred<void>();
const gated = DBOS.registerWorkflow(
  async (value: number) => {
    runs++;
    await release.promise;
    return value * 2;
  },
  { name: 'launch-recovery.gated' },
);

forEachBackend('background recovery in one process', (backend) => {
  afterEach(async () => {
    release.resolve();
    await DBOS.shutdown();
    runs = 0;
    release = deferred<void>();
  });

  test('a start under a crashed run’s ID right after launch gets the recovered run’s result', async () => {
    const config = await launch(backend);
    const workflowID = `lr-${randomUUID()}`;
    await DBOS.startWorkflow(gated, { workflowID })(21);
    await DBOS.shutdown(); // the crash: PENDING, its body left waiting
    release.resolve();
    DBOS.setConfig(config);
    await DBOS.launch();
    // At once: recovery may be reading this workflow now. The start finds the row and does not run it again.
    const handle = await DBOS.startWorkflow(gated, { workflowID })(21);
    assert.equal(await handle.getResult(), 42);
    await recoveryFinished();
    assert.equal(runs, 2, 'the first run, then the recovered one: the start ran nothing');
    const status = await DBOS.getWorkflowStatus(workflowID);
    assert.equal(status?.status, 'SUCCESS');
    assert.equal(status?.recoveryAttempts, 2);
  });
});
