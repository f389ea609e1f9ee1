/**
 * A queue claim committed by the server whose answer never reaches the app (the proxy swallows the reply,
 * then cuts the connection): the claimed workflows are PENDING under this executor, and nobody here knew
 * them. Before the fix (system-database/lost-claims.ts) the retried claim took other rows, and these stayed
 * PENDING for as long as the process lived: their getResult never returned. This was the hang of the
 * connection-cut test (issue 12). Now the retry, or the next claim after a longer outage, returns them.
 *
 * Postgres-only: a lost reply needs a connection to lose; SQLite is a file in this process. The same
 * mechanism is tested on both backends below the claim in test/system-database/lost-claims.test.ts.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import type { ReplyMatcher } from './support/tcp-proxy.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const runs = new Map<string, number>();

const countedWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    runs.set(label, (runs.get(label) ?? 0) + 1);
    return `done ${label}`;
  },
  { name: 'lostClaimWorkflow' },
);

// One statement claims on the plain queue; a transaction (lock, count, claim) on the limited one.
const plainQueue = new WorkflowQueue('lost-claim-plain', { minPollingIntervalMs: 50 });
const limitedQueue = new WorkflowQueue('lost-claim-limited', { concurrency: 10, minPollingIntervalMs: 50 });

/** The reply carrying a claim of `idPrefix` rows (an UPDATE's rows), or the COMMIT that follows it in a transaction. */
function claimReply(idPrefix: string, inTransaction: boolean): ReplyMatcher {
  return (chunk, memory) => {
    const text = chunk.toString('latin1');
    const claim = text.includes(idPrefix) && text.includes('UPDATE ');
    if (!inTransaction) return claim;
    if (claim) memory.claimed = true;
    return memory.claimed === true && !claim && text.includes('COMMIT');
  };
}

describe('a queue claim whose answer is lost [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  for (const queue of [plainQueue, limitedQueue]) {
    const inTransaction = queue === limitedQueue;
    it(`${inTransaction ? 'a transaction' : 'one statement'}: the retried claim returns the lost workflows, which run once`, async () => {
      const proxy = database.proxy();
      DBOS.setConfig(database.config({ databaseOutageTimeoutMs: 20_000 }));
      await DBOS.launch();
      runs.clear();
      const prefix = `${queue.name}-wf-`;
      const lost = proxy.loseReply(claimReply(prefix, inTransaction));
      const handles = [];
      for (let index = 0; index < 3; index++) {
        handles.push(await DBOS.startWorkflow(countedWorkflow, { workflowID: `${prefix}${index}`, queueName: queue.name })(`${queue.name}/${index}`));
      }
      await lost;
      const results = await Promise.all(handles.map((handle) => DBOS.getResult(handle.workflowID, 20)));
      assert.deepEqual(results, [0, 1, 2].map((index) => `done ${queue.name}/${index}`), 'every workflow finished (null: still PENDING)');
      assert.deepEqual([...runs.values()], [1, 1, 1], 'each ran once');
    });
  }

  it('lost, then an outage past databaseOutageTimeoutMs: the next claim after it returns the lost workflow', async () => {
    const proxy = database.proxy();
    DBOS.setConfig(database.config({ databaseOutageTimeoutMs: 1000 }));
    await DBOS.launch();
    runs.clear();
    const lost = proxy.loseReply(claimReply('lost-claim-outage-', false), () => {
      proxy.refuse();
      proxy.cutAll();
    });
    const handle = await DBOS.startWorkflow(countedWorkflow, { workflowID: 'lost-claim-outage-0', queueName: plainQueue.name })('outage');
    await lost;
    await pause(2500); // the claim call gives up after 1 s of refused connections
    proxy.resume();
    assert.equal(await DBOS.getResult(handle.workflowID, 20), 'done outage', 'the workflow finished (null: still PENDING)');
    assert.equal(runs.get('outage'), 1);
  });
});
