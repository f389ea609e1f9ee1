/**
 * DBOS's schema-level entry points, for producers in other languages or plain SQL: the procedures
 * `enqueue_workflow(...)` and `send_message(...)` called with DBOS's named arguments (and refused where DBOS
 * refuses), and a row inserted into `notifications` without a `message_uuid` getting one by default. Postgres
 * only: SQLite has no stored procedures (and DBOS no SQLite system database).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import pg from 'pg';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../../../src/index.ts';
import { postgresAvailable, postgresBackend } from '../../helpers/backends.ts';
import { launch } from '../../helpers/lifecycle.ts';
import { rawRows } from '../../helpers/raw-rows.ts';
import { messagesChannel } from '../../../src/system-database/system-database.ts';
import {
  adminClient,
  freshPostgresTarget,
  OpenedDatabases,
  settlesWithin,
} from '../../helpers/system-database-targets.ts';

const sqlQueue = new WorkflowQueue('sql-entry.queue');

// Run only by name, from SQL.
DBOS.registerWorkflow(async (first: string, count: number) => `${first}x${count}`, {
  name: 'sqlEntry.join',
  className: 'sqlEntry',
});

const receive = DBOS.registerWorkflow(async (topic: string) => DBOS.recv<unknown>(topic, 30), { name: 'sqlEntry.receive' });

async function sql<Row extends pg.QueryResultRow = Record<string, unknown>>(
  config: DBOSConfig,
  text: string,
  params: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: config.systemDatabaseUrl });
  await client.connect();
  try {
    const schema = `"${config.systemDatabaseSchemaName ?? 'dbos'}"`;
    return (await client.query<Row>(text.replaceAll('{schema}', schema), params)).rows;
  } finally {
    await client.end();
  }
}

async function rejectsWith(promise: Promise<unknown>, message: RegExp, code?: string): Promise<void> {
  await assert.rejects(promise, (error: Error & { code?: string }) => {
    assert.match(error.message, message);
    if (code) assert.equal(error.code, code);
    return true;
  });
}

describe('schema-level entry points for other languages [postgres]', { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('enqueue_workflow with named arguments enqueues a portable row the worker runs', async () => {
    const config = await launch(postgresBackend);
    const workflowID = `sql-enqueued-${randomUUID()}`;
    const [row] = await sql<{ id: string }>(
      config,
      `SELECT {schema}.enqueue_workflow(workflow_name => 'sqlEntry.join', queue_name => $1,
         positional_args => ARRAY['"ab"'::json, '3'::json], class_name => 'sqlEntry', workflow_id => $2,
         priority => 2) AS id`,
      [sqlQueue.name, workflowID],
    );
    assert.equal(row?.id, workflowID);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), 'abx3');
    const [status] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
    assert.equal(status?.serialization, 'portable_json');
    assert.equal(status?.priority, 2);
    assert.deepEqual(JSON.parse(String(status?.inputs)), { positionalArgs: ['ab', 3], namedArgs: {} });
    assert.equal(JSON.parse(String(status?.output)), 'abx3');
  });

  test('enqueue_workflow generates an ID when none is given, and delays a row with delay_until_epoch_ms', async () => {
    const config = await launch(postgresBackend);
    const [generated] = await sql<{ id: string }>(
      config,
      `SELECT {schema}.enqueue_workflow('sqlEntry.join', $1, ARRAY['"g"'::json, '1'::json], class_name => 'sqlEntry') AS id`,
      [sqlQueue.name],
    );
    assert.match(String(generated?.id), /^[0-9a-f-]{36}$/);
    assert.equal(await DBOS.retrieveWorkflow(String(generated?.id)).getResult(), 'gx1');
    const [delayed] = await sql<{ id: string }>(
      config,
      `SELECT {schema}.enqueue_workflow('sqlEntry.join', $1, ARRAY['"d"'::json, '2'::json], class_name => 'sqlEntry',
         delay_until_epoch_ms => $2) AS id`,
      [sqlQueue.name, Date.now() + 60_000],
    );
    assert.equal((await DBOS.getWorkflowStatus(String(delayed?.id)))?.status, 'DELAYED');
  });

  test('enqueue_workflow refuses what DBOS refuses, with its messages', async () => {
    const config = await launch(postgresBackend);
    const call = (args: string, params: unknown[] = []) => sql(config, `SELECT {schema}.enqueue_workflow(${args})`, params);
    await rejectsWith(call(`'sqlEntry.join', $1, delay_until_epoch_ms => -1`, [sqlQueue.name]), /delay_until_epoch_ms must be >= 0/);
    await rejectsWith(call(`'', $1`, [sqlQueue.name]), /Workflow name cannot be null or empty/);
    await rejectsWith(call(`'sqlEntry.join', ''`), /Queue name cannot be null or empty/);
    await rejectsWith(call(`'sqlEntry.join', $1, named_args => '[1]'::json`, [sqlQueue.name]), /Named args must be a JSON object/);
    await rejectsWith(call(`'sqlEntry.join', $1, workflow_id => ''`, [sqlQueue.name]), /Workflow ID cannot be an empty string/);
    const dedup = `'sqlEntry.join', $1, ARRAY['"x"'::json, '1'::json], class_name => 'sqlEntry', deduplication_id => 'one',
      delay_until_epoch_ms => $2`;
    await call(dedup, [sqlQueue.name, Date.now() + 60_000]);
    await rejectsWith(call(dedup, [sqlQueue.name, Date.now() + 60_000]), /DBOS queue duplicated/, '23505');
  });

  test('send_message with named arguments delivers portable JSON, once per message_id', async () => {
    const config = await launch(postgresBackend);
    const handle = await DBOS.startWorkflow(receive)('greetings');
    const send = `SELECT {schema}.send_message(destination_id => $1, message => '{"hello": "world"}'::json,
      topic => 'greetings', message_id => 'm-1')`;
    await sql(config, send, [handle.workflowID]);
    await sql(config, send, [handle.workflowID]);
    assert.deepEqual(await handle.getResult(), { hello: 'world' });
    const rows = await rawRows(config, 'notifications', 'destination_uuid = ?', [handle.workflowID]);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.message_uuid, 'm-1');
    assert.equal(rows[0]?.serialization, 'portable_json');
    await rejectsWith(
      sql(config, `SELECT {schema}.send_message('no-such-workflow', '1'::json)`),
      /DBOS non-existent workflow/,
      '23503',
    );
  });

  test('a message inserted without a message_uuid gets one by default and is received', async () => {
    const config = await launch(postgresBackend);
    const handle = await DBOS.startWorkflow(receive)('plain');
    await sql(
      config,
      `INSERT INTO {schema}.notifications (destination_uuid, topic, message, serialization) VALUES ($1, 'plain', $2, 'portable_json')`,
      [handle.workflowID, JSON.stringify('M')],
    );
    assert.equal(await handle.getResult(), 'M');
    const [row] = await rawRows(config, 'notifications', 'destination_uuid = ?', [handle.workflowID]);
    assert.match(String(row?.message_uuid), /^[0-9a-f-]{36}$/);
  });
});

describe("DBOS's message channel [postgres]", { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  test("a notice on DBOS's fixed channel (its trigger's, for any insert) wakes a recv waiting in any schema", async () => {
    const db = await opened.open(freshPostgresTarget());
    const key = `w-${randomUUID()}::topic`;
    // Only a notification can end this wait early: its timeout is far beyond the check below.
    const waiter = db.notifier.wait(messagesChannel, key, 60_000);
    const admin = await adminClient();
    try {
      await admin.query("SELECT pg_notify('dbos_notifications_channel', $1)", [key]);
    } finally {
      await admin.end();
    }
    assert.equal(await settlesWithin(waiter.promise, 10_000), true);
  });
});
