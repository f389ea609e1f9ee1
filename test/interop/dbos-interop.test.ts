/**
 * One Postgres schema shared by durably and DBOS's own published SDK
 * (@dbos-inc/dbos-sdk 5.3), both ways, with real processes:
 *   (a) a DBOS worker on a schema durably created and used: no migration, runs a workflow, recovers one after SIGKILL;
 *       DBOS's client reads durably's rows (status, inputs, outputs, in js_superjson);
 *   (b) durably launched on a schema a DBOS worker created and used: works, lists DBOS's workflows rightly;
 *   (c) DBOS's DBOSClient drives a durably worker: enqueue by name (js_superjson and portable_json), send, getEvent, result;
 *   (d) durably's DBOSClient reads a DBOS worker's rows with DBOS's column meanings.
 */
import { DBOSClient as PublishedDBOSClient } from '@dbos-inc/dbos-sdk';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { DBOS, DBOSClient } from '../../src/index.ts';
import { testTempDir } from '../helpers/backends.ts';
import { killAllChildren, startChild, type TestChild } from '../processes/child-process.ts';
import { freshSchemaName, interopSkip, postgresUrl, withClient } from './helpers/dbos-schema.ts';

const dbosWorker = join(import.meta.dirname, 'fixtures', 'dbos-worker.ts');
const durablyWorker = join(import.meta.dirname, 'fixtures', 'durably-worker.ts');
const placedAt = new Date('2024-05-06T07:08:09.000Z');

const durablyGreet = DBOS.registerWorkflow(
  async (name: string, since: Date) => ({ greeting: `hi ${name}`, since, tags: new Set(['a']) }),
  { name: 'interop.durablyGreet' },
);

function child(command: string, args: string[], schema: string, script: string): TestChild {
  return startChild(command, args, {
    role: `${command} (${script.endsWith('dbos-worker.ts') ? 'DBOS 5.3' : 'durably'})`,
    config: { systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema },
    log: join(testTempDir, `interop-${schema}.log`),
    script,
    timeoutMs: 90_000,
  });
}

/** Everything a child printed: DBOS logs a migration it runs as "Running DBOS system database migrations...". */
function output(worker: TestChild): string {
  return `${worker.lines.join('\n')}\n${worker.stderr}`;
}

function useDurably(schema: string): void {
  DBOS.setConfig({ name: 'durably-interop', systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema, logLevel: 'warn' });
}

async function dbosVersion(schema: string): Promise<number> {
  const { rows } = await withClient((client) => client.query(`SELECT version FROM "${schema}".dbos_migrations`));
  return Number(rows[0]?.version);
}

describe('sharing a Postgres schema with DBOS 5.3 [postgres]', { skip: interopSkip }, () => {
  afterEach(async () => {
    await killAllChildren();
    await DBOS.shutdown();
  });

  test('(a) a DBOS worker on a schema durably created and used migrates nothing, runs, and recovers after SIGKILL', async () => {
    const schema = freshSchemaName();
    useDurably(schema);
    await DBOS.launch();
    const durablyID = (await DBOS.startWorkflow(durablyGreet)('grace', placedAt)).workflowID;
    await DBOS.retrieveWorkflow(durablyID).getResult();
    await DBOS.shutdown();

    const seeded = await child('seed', [], schema, dbosWorker).result<{ greeted: string; failed: string }>();
    const hanging = child('hang', ['waiter-1'], schema, dbosWorker);
    await hanging.waitForLine('MARK waiting');
    const killedPid = hanging.pid;
    await hanging.kill();
    const recovering = child('recover', ['waiter-1'], schema, dbosWorker);
    const recovered = await recovering.result<{ firstPid: number; go: string; finishedBy: number }>();
    assert.equal(recovered.firstPid, killedPid, 'the step recorded before the kill is replayed, not run again');
    assert.equal(recovered.go, 'go!');
    assert.notEqual(recovered.finishedBy, killedPid);
    assert.ok(seeded.greeted);
    for (const text of [output(recovering), output(hanging)]) assert.doesNotMatch(text, /migration/i);
    assert.equal(await dbosVersion(schema), 123);

    // DBOS's own client reads durably's row: status, inputs and output (js_superjson: a Date and a Set survive).
    const client = await PublishedDBOSClient.create({ systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema });
    try {
      const status = await client.getWorkflow(durablyID);
      assert.equal(status?.status, 'SUCCESS');
      assert.equal(status?.workflowName, 'interop.durablyGreet');
      assert.deepEqual(status?.input, ['grace', placedAt]);
      assert.deepEqual(status?.output, { greeting: 'hi grace', since: placedAt, tags: new Set(['a']) });
      assert.deepEqual(await client.retrieveWorkflow(durablyID).getResult(), status?.output);
    } finally {
      await client.destroy();
    }
  });

  test('(b) durably launched on a schema a DBOS worker created and used works, and lists its workflows rightly', async () => {
    const schema = freshSchemaName();
    const seed = child('seed', [], schema, dbosWorker);
    const { greeted, failed } = await seed.result<{ greeted: string; failed: string }>();
    assert.match(output(seed), /Running DBOS system database migrations/, 'DBOS says when it migrates (what (a) checks it does not)');
    useDurably(schema);
    await DBOS.launch();
    const listed = await DBOS.listWorkflows({ workflowIDs: [greeted, failed], sortDesc: false });
    const byID = new Map(listed.map((w) => [w.workflowID, w]));
    assert.equal(byID.get(greeted)?.status, 'SUCCESS');
    assert.equal(byID.get(greeted)?.workflowName, 'interop.greet');
    assert.deepEqual(byID.get(greeted)?.input, ['ada', new Date('2024-02-03T04:05:06.000Z')]);
    assert.deepEqual(byID.get(greeted)?.output, { greeting: 'hello ADA', since: new Date('2024-02-03T04:05:06.000Z'), days: [1, 2] });
    assert.equal(byID.get(failed)?.status, 'ERROR');
    assert.match(String((byID.get(failed)?.error as Error | undefined)?.message), /failed with 7/);
    assert.deepEqual(await DBOS.retrieveWorkflow(greeted).getResult(), byID.get(greeted)?.output);
    const steps = await DBOS.listWorkflowSteps(greeted);
    assert.deepEqual(
      steps?.map((s) => [s.name, s.output]),
      [['interop.shout', 'ADA']],
    );
    // And durably runs its own workflows there.
    const handle = await DBOS.startWorkflow(durablyGreet)('lin', placedAt);
    assert.deepEqual(await handle.getResult(), { greeting: 'hi lin', since: placedAt, tags: new Set(['a']) });
    assert.equal(await dbosVersion(schema), 123);
  });

  test("(c) DBOS's published DBOSClient enqueues by name onto a durably worker, sends, reads its event and result", async () => {
    const schema = freshSchemaName();
    const worker = child('serve', [], schema, durablyWorker);
    await worker.waitForLine('MARK ready');
    const client = await PublishedDBOSClient.create({ systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema });
    try {
      const order = { id: 'order-1', items: [1, 2, 3], placedAt };
      const handle = await client.enqueue({ workflowName: 'interop.collect', queueName: 'interop_queue' }, order);
      let total: { total: number; placedAt: Date } | null = null;
      for (let tries = 0; total === null && tries < 30; tries++) total = await client.getEvent(handle.workflowID, 'total', 1);
      assert.deepEqual(total, { total: 6, placedAt });
      await client.send(handle.workflowID, 'ops-team', 'confirm');
      assert.deepEqual(await handle.getResult(), { orderID: 'order-1', total: 6, confirmedBy: 'ops-team', placedAt, worker: 'durably' });
      const status = await client.getWorkflow(handle.workflowID);
      assert.equal(status?.status, 'SUCCESS');
      assert.deepEqual(status?.input, [order]);

      // Portable JSON arguments, as a client in any language would enqueue them.
      const portable = await client.enqueuePortable({ workflowName: 'interop.add', queueName: 'interop_queue' }, [2, 3]);
      assert.deepEqual(await portable.getResult(), { sum: 5 });
      const { rows } = await withClient((pg) =>
        pg.query(
          `SELECT s.serialization, s.inputs AS legacy_inputs, i.inputs, o.output FROM "${schema}".workflow_status AS s
           JOIN "${schema}".workflow_input AS i USING (workflow_uuid) JOIN "${schema}".workflow_output AS o USING (workflow_uuid)
           WHERE s.workflow_uuid = $1`,
          [portable.workflowID],
        ),
      );
      assert.equal(rows[0]?.serialization, 'portable_json');
      assert.deepEqual(JSON.parse(rows[0]?.output), { sum: 5 });
    } finally {
      await client.destroy();
      worker.signal('SIGTERM');
    }
    assert.equal((await worker.exited).code, 0, worker.describe());
  });

  test("(d) durably's DBOSClient reads a DBOS worker's rows with DBOS's meanings", async () => {
    // A client never migrates: durably's schema is there first (a DBOS-only one takes one durably launch, as in (b)).
    const schema = freshSchemaName();
    useDurably(schema);
    await DBOS.launch();
    await DBOS.shutdown();
    const { greeted, failed } = await child('seed', [], schema, dbosWorker).result<{ greeted: string; failed: string }>();
    const client = await DBOSClient.create({ systemDatabaseUrl: postgresUrl, systemDatabaseSchemaName: schema });
    try {
      const success = await client.getWorkflow(greeted);
      assert.equal(success?.status, 'SUCCESS');
      assert.equal(success?.applicationVersion, 'interop-v1');
      assert.deepEqual(success?.input, ['ada', new Date('2024-02-03T04:05:06.000Z')]);
      assert.deepEqual(await client.retrieveWorkflow(greeted).getResult(), {
        greeting: 'hello ADA',
        since: new Date('2024-02-03T04:05:06.000Z'),
        days: [1, 2],
      });
      const error = await client.getWorkflow(failed);
      assert.equal(error?.status, 'ERROR');
      await assert.rejects(client.retrieveWorkflow(failed).getResult(), /failed with 7/);
      const listed = await client.listWorkflows({ workflowName: 'interop.greet' });
      assert.deepEqual(
        listed.map((w) => w.workflowID),
        [greeted],
      );
      const steps = await client.listWorkflowSteps(failed);
      assert.deepEqual(
        steps?.map((s) => s.name),
        ['interop.shout'],
      );
    } finally {
      await client.destroy();
    }
  });
});
