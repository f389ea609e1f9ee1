/**
 * A write committed by the server whose answer never reaches the app (the proxy swallows the COMMIT's reply,
 * then cuts the connection), for the operations that commit a checkpoint with their effect: a send from a
 * workflow and a recv. The connection retries the transaction; the retry must recognise its own committed
 * checkpoint (sql/steps.ts isSameAttempt) instead of calling it another execution's (the workflow then stood
 * down, PENDING with nobody running it) or, for a recv, waiting for a message it had already consumed.
 *
 * Postgres-only: a lost reply needs a connection to lose; SQLite is a file in this process.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS } from '../../src/index.ts';
import type { ReplyMatcher } from './support/tcp-proxy.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const topic = 'lost-commit-topic';

const receiver = DBOS.registerWorkflow(async () => DBOS.recv<string>(topic, 60), { name: 'lostCommitReceiver' });

const sender = DBOS.registerWorkflow(
  async (destinationID: string) => {
    await DBOS.send(destinationID, 'sent from a workflow', topic);
    return 'sent';
  },
  { name: 'lostCommitSender' },
);

/** The COMMIT of the transaction on a connection whose earlier reply carried `marker`. */
function commitAfter(marker: string): ReplyMatcher {
  return (chunk, memory) => {
    const text = chunk.toString('latin1');
    if (text.includes(marker)) {
      memory.marked = true;
      return false;
    }
    return memory.marked === true && text.includes('COMMIT');
  };
}

describe('a checkpointed write whose commit answer is lost [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  it('send from a workflow: the retry finds its own checkpoint; the message is delivered once', async () => {
    const proxy = database.proxy();
    DBOS.setConfig(database.config({ databaseOutageTimeoutMs: 20_000 }));
    await DBOS.launch();
    const receiving = await DBOS.startWorkflow(receiver, { workflowID: 'lost-commit-receiver-1' })();
    // The send's INSERT returns "<destination>::<topic>" (its NOTIFY key).
    const lost = proxy.loseReply(commitAfter(`lost-commit-receiver-1::${topic}`));
    const sending = await DBOS.startWorkflow(sender, { workflowID: 'lost-commit-sender-1' })('lost-commit-receiver-1');
    await lost;
    assert.equal(await DBOS.getResult(sending.workflowID, 20), 'sent', 'the sender finished (null: still PENDING)');
    assert.equal(await DBOS.getResult(receiving.workflowID, 20), 'sent from a workflow');
  });

  it('recv: the retry returns the message its lost attempt consumed', async () => {
    const proxy = database.proxy();
    DBOS.setConfig(database.config({ databaseOutageTimeoutMs: 20_000 }));
    await DBOS.launch();
    const receiving = await DBOS.startWorkflow(receiver, { workflowID: 'lost-commit-receiver-2' })();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the recv is waiting
    // The consuming transaction's SELECT returns the message, whose text is unique.
    const lost = proxy.loseReply(commitAfter('payload-8c41f0'));
    await DBOS.send('lost-commit-receiver-2', 'payload-8c41f0', topic);
    await lost;
    assert.equal(await DBOS.getResult(receiving.workflowID, 20), 'payload-8c41f0', 'the recv returned the message (null: still waiting)');
  });
});
