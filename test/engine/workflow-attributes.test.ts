/**
 * StartWorkflowParams.workflowAttributes: a plain JSON object stored with the
 * workflow (WorkflowStatus.attributes), not inherited by its children,
 * copied to forks, and searchable by containment (listWorkflows
 * `attributes`, Postgres JSONB `@>` semantics on both backends). Anything
 * but a plain JSON object is refused before anything is written.
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue } from '../../src/index.ts';
import { jsonContains } from '../../src/system-database/sqlite/json-containment.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';

const attributesQueue = new WorkflowQueue('attributes.queue');

const leaf = DBOS.registerWorkflow(async (label: string) => label, { name: 'attributes.leaf' });

const withChild = DBOS.registerWorkflow(async () => {
  const handle = await DBOS.startWorkflow(leaf)('child');
  await handle.getResult();
  return handle.workflowID;
}, { name: 'attributes.withChild' });

const ids = (list: readonly { workflowID: string }[]) => list.map((s) => s.workflowID).sort();

forEachBackend('workflow attributes', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('stored, returned in the status, not inherited by children, copied to forks', async () => {
    await launch(backend);
    const attributes = { tenant: 'acme', tier: 2, tags: ['a', 'b'], nested: { region: 'eu', active: true }, none: null };
    const parentHandle = await DBOS.startWorkflow(withChild, { workflowID: 'attr-parent', workflowAttributes: attributes })();
    const childID = await parentHandle.getResult();
    assert.deepEqual((await parentHandle.getStatus())?.attributes, attributes);
    assert.equal((await DBOS.getWorkflowStatus(childID))?.attributes, undefined);
    const [listed] = await DBOS.listWorkflows({ workflowIDs: ['attr-parent'] });
    assert.deepEqual(listed?.attributes, attributes);
    const fork = await DBOS.forkWorkflow('attr-parent', 0);
    await fork.getResult();
    assert.deepEqual((await fork.getStatus())?.attributes, attributes);
    const queued = await DBOS.startWorkflow(leaf, { queueName: attributesQueue.name, workflowAttributes: { q: 1 } })('x');
    await queued.getResult();
    assert.deepEqual((await queued.getStatus())?.attributes, { q: 1 });
  });

  test('listWorkflows filters by containment', async () => {
    await launch(backend);
    const start = (id: string, workflowAttributes?: Record<string, unknown>) =>
      DBOS.startWorkflow(leaf, { workflowID: id, workflowAttributes })(id).then((h) => h.getResult());
    await start('w-acme-eu', { tenant: 'acme', tags: ['x', 'y'], geo: { region: 'eu', zone: 1 } });
    await start('w-acme-us', { tenant: 'acme', tags: ['y'], geo: { region: 'us', zone: 1 } });
    await start('w-other', { tenant: 'other', count: 3 });
    await start('w-none');
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { tenant: 'acme' } })), ['w-acme-eu', 'w-acme-us']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { geo: { region: 'eu' } } })), ['w-acme-eu']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { tags: ['y'] } })), ['w-acme-eu', 'w-acme-us']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { tags: ['x', 'y'] } })), ['w-acme-eu']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { count: 3 } })), ['w-other']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { count: '3' } })), []);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: {} })), ['w-acme-eu', 'w-acme-us', 'w-other']);
    assert.deepEqual(ids(await DBOS.listWorkflows({ attributes: { tenant: 'acme' }, workflow_id_prefix: 'w-acme-u' })), ['w-acme-us']);
    await assert.rejects(DBOS.listWorkflows({ attributes: ['tenant'] as never }), DBOSConfigurationError);
  });

  test('anything but a plain JSON object is refused, and nothing is written', async () => {
    await launch(backend);
    // null is no attributes, as in DBOS (tested in dbos-compat-enqueue.test.ts).
    const bad: unknown[] = [['a'], 'text', 7, new Date(), { when: new Date() }, { n: Number.NaN }, { f: () => 1 }, { u: undefined }];
    for (const workflowAttributes of bad) {
      await assert.rejects(
        DBOS.startWorkflow(leaf, { workflowID: 'never', workflowAttributes: workflowAttributes as never })('x'),
        DBOSConfigurationError,
        `accepted ${String(workflowAttributes)}`,
      );
    }
    assert.equal(await DBOS.getWorkflowStatus('never'), null);
  });
});

test('jsonContains follows JSONB @> semantics', () => {
  assert.equal(jsonContains({ a: 1, b: { c: [1, 2] } }, { b: { c: [2] } }), true);
  assert.equal(jsonContains({ a: [1, [2, 3]] }, { a: [[3]] }), true);
  assert.equal(jsonContains({ a: [1, 1] }, { a: [1, 1, 1] }), true);
  assert.equal(jsonContains({ a: 1 }, { a: 1, b: null }), false);
  assert.equal(jsonContains({ a: { b: 1 } }, { a: [] }), false);
  assert.equal(jsonContains({ a: '1' }, { a: 1 }), false);
  assert.equal(jsonContains({ a: null }, { a: null }), true);
});
