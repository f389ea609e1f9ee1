/**
 * WorkflowConfig.inputSchema (DBOS 5.3): an object with `parse(args)` (a Zod tuple, an AJV wrapper...) that
 * validates the argument list and may transform it (ISO strings back into Dates) before the body runs, on
 * every path a workflow starts by: a direct call, a queue's dispatch, a row another program inserted.
 * Arguments it refuses, and stored inputs that are not JSON at all, fail the workflow (recorded ERROR),
 * never leave it PENDING.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSConfigurationError, WorkflowQueue, type DBOSConfig, type InputSchema } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { deferred } from '../../src/support/deferred.ts';
import { rawExecute, rawRows } from '../helpers/raw-rows.ts';

/** A tuple schema in the manner of Zod's (`z.tuple([...])`), its errors worded as Zod words them. */
type Check = (value: unknown, index: number) => unknown;
function tuple(...checks: Check[]): InputSchema {
  return {
    parse(input: unknown): unknown {
      if (!Array.isArray(input)) throw new TypeError('expected array');
      return checks.map((check, index) => check(input[index], index));
    },
  };
}
const string: Check = (value, index) => {
  if (typeof value !== 'string') throw new TypeError(`[${index}]: expected string, received ${typeof value}`);
  return value;
};
const number: Check = (value, index) => {
  if (typeof value !== 'number') throw new TypeError(`[${index}]: expected number, received ${typeof value}`);
  return value;
};
const coerceDate: Check = (value, index) => {
  const date = new Date(value as string);
  if (Number.isNaN(date.getTime())) throw new TypeError(`[${index}]: Invalid date`);
  return date;
};

const schemaQueue = new WorkflowQueue('input-schema.queue');

const validated = DBOS.registerWorkflow(async (label: string, count: number) => `${label}-${count}`, {
  name: 'inputSchema.validated',
  className: 'inputSchemaTests',
  serialization: 'portable',
  inputSchema: tuple(string, number),
});

const dated = DBOS.registerWorkflow(
  async (when: Date) => {
    if (!(when instanceof Date)) throw new Error(`not a Date: ${typeof when}`);
    return `date:${when.toISOString()}`;
  },
  { name: 'inputSchema.dated', className: 'inputSchemaTests', serialization: 'portable', inputSchema: tuple(coerceDate) },
);

const plainPortable = DBOS.registerWorkflow(async (label: string) => `plain:${label.toUpperCase()}`, {
  name: 'inputSchema.plain',
  className: 'inputSchemaTests',
  serialization: 'portable',
});

const isoDate = '2025-06-15T12:00:00.000Z';

/** Until released, the first execution stops here (and is left PENDING by the crash). */
let beforeFinish: () => Promise<void> = async () => undefined;
const recovered = DBOS.registerWorkflow(
  async (when: Date) => {
    await beforeFinish();
    return when instanceof Date ? `date:${when.toISOString()}` : `not a Date: ${typeof when}`;
  },
  { name: 'inputSchema.recovered', serialization: 'portable', inputSchema: tuple(coerceDate) },
);

/** An ENQUEUED row written directly, as a producer in another language writes one (DBOS's legacy inputs column). */
async function insertEnqueued(config: DBOSConfig, name: string, inputs: string): Promise<string> {
  const workflowID = `inserted-${randomUUID()}`;
  await rawExecute(
    config,
    `INSERT INTO {schema}workflow_status (workflow_uuid, name, class_name, queue_name, status, inputs, created_at, serialization)
     VALUES (?, ?, ?, ?, 'ENQUEUED', ?, ?, 'portable_json')`,
    [workflowID, name, 'inputSchemaTests', schemaQueue.name, inputs, Date.now()],
  );
  return workflowID;
}

async function storedStatus(config: DBOSConfig, workflowID: string): Promise<{ status: unknown; error: unknown }> {
  const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
  return { status: row?.status, error: row?.error };
}

forEachBackend('workflow input schemas', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a direct call is validated and transformed: an ISO string arrives as a Date', async () => {
    await launch(backend);
    assert.equal(await validated('hello', 42), 'hello-42');
    assert.equal(await dated(isoDate as unknown as Date), `date:${isoDate}`);
  });

  test('arguments the schema refuses fail the workflow with its message, recorded as ERROR', async () => {
    const config = await launch(backend);
    const workflowID = `refused-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(validated, { workflowID })(123 as unknown as string, 'x' as unknown as number);
    await assert.rejects(handle.getResult(), /expected string/);
    const stored = await storedStatus(config, workflowID);
    assert.equal(stored.status, 'ERROR');
    assert.match(String(stored.error), /expected string/);
  });

  test('an enqueued Date is stored as an ISO string and comes back a Date through the schema', async () => {
    const config = await launch(backend);
    const when = new Date(isoDate);
    const handle = await DBOS.startWorkflow(dated, { queueName: schemaQueue.name })(when);
    assert.equal(await handle.getResult(), `date:${isoDate}`);
    const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [handle.workflowID]);
    assert.equal(row?.serialization, 'portable_json');
    assert.deepEqual(JSON.parse(String(row?.inputs)), { positionalArgs: [isoDate] });
  });

  test('a row another program inserted is validated and coerced when dequeued', async () => {
    const config = await launch(backend);
    const good = await insertEnqueued(config, 'inputSchema.validated', JSON.stringify({ positionalArgs: ['hi', 7] }));
    assert.equal(await DBOS.retrieveWorkflow(good).getResult(), 'hi-7');
    const coerced = await insertEnqueued(config, 'inputSchema.dated', JSON.stringify({ positionalArgs: [isoDate] }));
    assert.equal(await DBOS.retrieveWorkflow(coerced).getResult(), `date:${isoDate}`);
    const bad = await insertEnqueued(config, 'inputSchema.validated', JSON.stringify({ positionalArgs: [1, 'two'] }));
    await assert.rejects(DBOS.retrieveWorkflow(bad).getResult(), /expected string/);
    assert.equal((await storedStatus(config, bad)).status, 'ERROR');
    assert.match(String((await storedStatus(config, bad)).error), /expected string/);
  });

  test('a recovered execution goes through the schema too: its stored ISO string comes back a Date', async () => {
    const config = await launch(backend);
    const reached = deferred<void>();
    beforeFinish = () => {
      reached.resolve();
      return new Promise<void>(() => undefined); // the crashed execution never continues
    };
    const workflowID = `recovered-${randomUUID()}`;
    await DBOS.startWorkflow(recovered, { workflowID })(new Date(isoDate));
    await reached.promise;
    beforeFinish = async () => undefined;
    await crashAndRelaunch(config);
    assert.equal(await DBOS.retrieveWorkflow(workflowID).getResult(), `date:${isoDate}`);
  });

  test('inputs that are not JSON, or arguments the body cannot use, fail the workflow instead of leaving it PENDING', async () => {
    const config = await launch(backend);
    const unparseable = await insertEnqueued(config, 'inputSchema.plain', 'not valid json{{');
    await assert.rejects(DBOS.retrieveWorkflow(unparseable).getResult());
    const stored = await storedStatus(config, unparseable);
    assert.equal(stored.status, 'ERROR');
    // JSON.parse's own message (what DBOS records), within durably's naming the stored value.
    assert.match(String(stored.error), /is not valid JSON/);
    const mismatched = await insertEnqueued(config, 'inputSchema.plain', JSON.stringify({ positionalArgs: [123] }));
    await assert.rejects(DBOS.retrieveWorkflow(mismatched).getResult(), /toUpperCase/);
    assert.equal((await storedStatus(config, mismatched)).status, 'ERROR');
    assert.equal(await plainPortable('ok'), 'plain:OK');
  });
});

test('an inputSchema without a parse function is refused at registration', () => {
  assert.throws(
    () => DBOS.registerWorkflow(async () => 1, { name: 'inputSchema.broken', inputSchema: {} as InputSchema }),
    (error: unknown) => error instanceof DBOSConfigurationError && /inputSchema/.test(error.message) && /parse/.test(error.message),
  );
});
