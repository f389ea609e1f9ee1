import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const receiver = DBOS.registerWorkflow(async () => {
  await DBOS.setEvent('status', 'waiting');
  const first = await DBOS.recv<string>('orders', 5);
  const second = await DBOS.recv<string>('orders', 5);
  await DBOS.setEvent('status', 'done');
  return [first, second];
}, { name: 'comm.receiver' });

const streamer = DBOS.registerWorkflow(async (n: number) => {
  for (let i = 0; i < n; i++) await DBOS.writeStream('tokens', `t${i}`);
  await DBOS.closeStream('tokens');
  return n;
}, { name: 'comm.streamer' });

forEachBackend('communication smoke', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('send, recv, setEvent, getEvent and streams work end to end', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const handle = await DBOS.startWorkflow(receiver)();
    assert.equal(await DBOS.getEvent(handle.workflowID, 'status', 5), 'waiting');
    await DBOS.send(handle.workflowID, 'a', 'orders');
    await DBOS.send(handle.workflowID, 'b', 'orders', 'key-1');
    await DBOS.send(handle.workflowID, 'b-again', 'orders', 'key-1');
    assert.deepEqual(await handle.getResult(), ['a', 'b']);
    assert.equal(await DBOS.getEvent(handle.workflowID, 'status', 5), 'done');
    assert.equal(await DBOS.getEvent(handle.workflowID, 'missing', 0.05), null);

    const stream = await DBOS.startWorkflow(streamer)(3);
    const values: string[] = [];
    for await (const value of DBOS.readStream<string>(stream.workflowID, 'tokens')) values.push(value);
    assert.deepEqual(values, ['t0', 't1', 't2']);
    await assert.rejects(DBOS.send('no-such-workflow', 'x'), { code: 'WORKFLOW_NOT_FOUND' });
  });
});
