/** An ID prefix filter written as an index range (where text orders by code point) finds exactly the IDs that start with it. */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { prefixSuccessor } from '../../src/system-database/sql/conditions.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

test('prefixSuccessor: the least string above every string with the prefix', () => {
  assert.equal(prefixSuccessor('abc'), 'abd');
  assert.equal(prefixSuccessor('a\u{10FFFF}'), 'b');
  assert.equal(prefixSuccessor('\u{10FFFF}\u{10FFFF}'), undefined);
  assert.equal(prefixSuccessor('x\uD7FF'), 'x\uE000'); // past the surrogates
  assert.equal(prefixSuccessor('é'), 'ê');
  assert.equal(prefixSuccessor(''), undefined);
});

const noop = DBOS.registerWorkflow(async () => 'ok', { name: 'prefixRange.noop' });

forEachBackend('workflow ID prefix filters', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('listWorkflows and the dashboard page find exactly the IDs with the prefix, whatever follows it', async () => {
    await launch(backend);
    const ids = ['job-1', 'job-19', 'job-2', 'job\u{10FFFF}x', 'job', 'jobs-1', 'jo', 'jpb', 'ja-1', 'é-1', 'é\u{10FFFF}'];
    for (const id of ids) await DBOS.withNextWorkflowID(id, () => noop());
    const listed = async (prefix: string) =>
      (await DBOS.listWorkflows({ workflow_id_prefix: prefix })).map((w) => w.workflowID).sort();
    const expected = (prefix: string) => ids.filter((id) => id.startsWith(prefix)).sort();
    for (const prefix of ['job', 'job-1', 'job\u{10FFFF}', 'é', 'j', 'zzz']) assert.deepEqual(await listed(prefix), expected(prefix), prefix);
  });
});
