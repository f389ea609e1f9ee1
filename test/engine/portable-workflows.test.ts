/**
 * Portable workflows (WorkflowConfig.serialization 'portable'): inputs stored as `{positionalArgs}` plain
 * JSON, results plain JSON, failures `{name, message, code?}` revived as PortableWorkflowError; and
 * DBOS.defaultSerializationType inside portable, native and default workflows.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, PortableWorkflowError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { rawRows } from '../helpers/raw-rows.ts';

const when = new Date('2024-05-06T07:08:09.000Z');
const portableTotal = DBOS.registerWorkflow(
  async (items: number[], at: Date) => ({ total: items.reduce((a, b) => a + b, 0), at, tags: new Set(['a']) }),
  { name: 'portable.total', serialization: 'portable' },
);

class CardDeclined extends Error {
  override name = 'CardDeclined';
  readonly code = 'E_DECLINED';
}
const portableFailing = DBOS.registerWorkflow(async (amount: number) => {
  throw new CardDeclined(`declined ${amount}`);
}, { name: 'portable.failing', serialization: 'portable' });

const formatInStep = DBOS.registerStep(async () => DBOS.defaultSerializationType ?? 'none', { name: 'portable.formatInStep' });
const reportFormat = async () => [DBOS.defaultSerializationType ?? 'none', await formatInStep()];
const portableReporter = DBOS.registerWorkflow(reportFormat, { name: 'portable.reporter', serialization: 'portable' });
const nativeReporter = DBOS.registerWorkflow(reportFormat, { name: 'portable.nativeReporter', serialization: 'native' });
const defaultReporter = DBOS.registerWorkflow(reportFormat, { name: 'portable.defaultReporter' });

forEachBackend('portable workflows', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('inputs and result are stored as plain JSON and read back, also after a relaunch', async () => {
    const config = await launch(backend);
    const workflowID = `portable-${randomUUID()}`;
    const result = await (await DBOS.startWorkflow(portableTotal, { workflowID })([1, 2, 3], when)).getResult();
    assert.equal(result.total, 6);
    const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
    assert.equal(row?.serialization, 'portable_json');
    assert.deepEqual(JSON.parse(String(row?.inputs)), { positionalArgs: [[1, 2, 3], when.toISOString()] });
    assert.deepEqual(JSON.parse(String(row?.output)), { total: 6, at: when.toISOString(), tags: ['a'] });
    await crashAndRelaunch(config);
    const handle = DBOS.retrieveWorkflow(workflowID);
    assert.deepEqual(await handle.getResult(), { total: 6, at: when.toISOString(), tags: ['a'] });
    assert.deepEqual(await handle.getWorkflowInputs(), [[1, 2, 3], when.toISOString()]);
    assert.deepEqual((await handle.getStatus())?.input, [[1, 2, 3], when.toISOString()]);
  });

  test('a failure is stored as {name, message, code} and thrown as PortableWorkflowError, here and after a relaunch', async () => {
    const config = await launch(backend);
    const workflowID = `portable-failing-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(portableFailing, { workflowID })(12);
    const check = (error: unknown) => {
      assert.ok(error instanceof PortableWorkflowError);
      assert.equal(error.name, 'CardDeclined');
      assert.equal(error.message, 'declined 12');
      assert.equal(error.code, 'E_DECLINED');
      return true;
    };
    await assert.rejects(handle.getResult(), check);
    const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
    assert.deepEqual(JSON.parse(String(row?.error)), { name: 'CardDeclined', message: 'declined 12', code: 'E_DECLINED' });
    await crashAndRelaunch(config);
    await assert.rejects(DBOS.retrieveWorkflow(workflowID).getResult(), check);
    check((await DBOS.getWorkflowStatus(workflowID))?.error);
  });

  test('DBOS.defaultSerializationType is the workflow’s configured format, in its code and its steps', async () => {
    await launch(backend);
    assert.equal(DBOS.defaultSerializationType, undefined);
    assert.deepEqual(await portableReporter(), ['portable', 'portable']);
    assert.deepEqual(await nativeReporter(), ['native', 'native']);
    assert.deepEqual(await defaultReporter(), ['none', 'none']);
  });
});
