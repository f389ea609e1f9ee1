/**
 * Custom serialization: a class with a registered recipe round-trips through workflow inputs, step outputs
 * and results (also replayed after a relaunch); a custom serializer's name is stored in the `serialization`
 * column, rows of every format stay readable after the serializer changes, and a format nobody configured
 * is a typed error naming it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  DBOSUnknownSerializationError,
  type DBOSConfig,
  type DBOSSerializer,
} from '../../src/index.ts';
import { deferred, type Deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { crashAndRelaunch, launch } from '../helpers/lifecycle.ts';
import { rawRows } from '../helpers/raw-rows.ts';

class Point {
  constructor(readonly x: number, readonly y: number) {}
  norm(): number {
    return Math.hypot(this.x, this.y);
  }
}
DBOS.registerSerialization<Point, { x: number; y: number }>({
  name: 'test.Point',
  isApplicable: (value): value is Point => value instanceof Point,
  serialize: (point) => ({ x: point.x, y: point.y }),
  deserialize: (fields) => new Point(fields.x, fields.y),
});

/** Base64 of JSON, asynchronously both ways (as an encrypting serializer would be). */
const base64Serializer: DBOSSerializer = {
  name: () => 'test_base64_json',
  stringify: async (value) => Buffer.from(JSON.stringify(value ?? null)).toString('base64'),
  parse: async (text) => (text == null ? null : JSON.parse(Buffer.from(text, 'base64').toString('utf8'))),
};

let gate: Deferred<void> = deferred();
let moves = 0;
const stepSawPoints: boolean[] = [];
const movePoint = DBOS.registerStep(async (point: Point) => {
  moves++;
  return new Point(point.x + 1, point.y + 1);
}, { name: 'customSerialization.movePoint' });
const pointWorkflow = DBOS.registerWorkflow(async (start: Point) => {
  const moved = await movePoint(start);
  stepSawPoints.push(moved instanceof Point);
  await gate.promise;
  return { moved, norm: moved.norm(), doubled: new Point(moved.x * 2, moved.y * 2) };
}, { name: 'customSerialization.pointWorkflow' });

const echoStep = DBOS.registerStep(async (value: unknown) => value, { name: 'customSerialization.echoStep' });
const echo = DBOS.registerWorkflow(async (value: { n: number }) => ({ echoed: await echoStep(value) }), {
  name: 'customSerialization.echo',
});

async function statusRow(config: DBOSConfig, workflowID: string) {
  const [row] = await rawRows(config, 'workflow_status', 'workflow_uuid = ?', [workflowID]);
  assert.ok(row, `status row of ${workflowID}`);
  return row;
}

forEachBackend('custom serialization', (backend) => {
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
  });

  test('a class with a recipe round-trips through input, step output and result, also replayed after a relaunch', async () => {
    gate = deferred();
    moves = 0;
    stepSawPoints.length = 0;
    const config = await launch(backend);
    const workflowID = `points-${randomUUID()}`;
    await DBOS.startWorkflow(pointWorkflow, { workflowID })(new Point(3, 4));
    while (stepSawPoints.length === 0) await new Promise((resolve) => setTimeout(resolve, 5)); // at the gate
    gate = deferred(); // the first execution waits on the old gate forever, as if its process had died
    gate.resolve();
    await crashAndRelaunch(config); // recovery replays the step and passes the new gate
    const handle = DBOS.retrieveWorkflow<Awaited<ReturnType<typeof pointWorkflow>>>(workflowID);
    const result = await handle.getResult();
    assert.equal(moves, 1);
    assert.deepEqual(stepSawPoints, [true, true]);
    assert.ok(result.moved instanceof Point && result.doubled instanceof Point);
    assert.deepEqual([result.moved.x, result.moved.y, result.norm, result.doubled.x], [4, 5, Math.hypot(4, 5), 8]);
    const [input] = await handle.getWorkflowInputs<[Point]>();
    assert.ok(input instanceof Point);
    assert.equal(input.norm(), 5);
    assert.equal((await statusRow(config, workflowID)).serialization, 'js_superjson');
  });

  test("a custom serializer's name is stored in each row; rows of every format stay readable after switching", async () => {
    const config = await launch(backend);
    const nativeID = `native-${randomUUID()}`;
    await (await DBOS.startWorkflow(echo, { workflowID: nativeID })({ n: 1 })).getResult();

    await DBOS.shutdown();
    const customConfig = { ...config, serializer: base64Serializer };
    DBOS.setConfig(customConfig);
    await DBOS.launch();
    const customID = `custom-${randomUUID()}`;
    assert.deepEqual(await (await DBOS.startWorkflow(echo, { workflowID: customID })({ n: 2 })).getResult(), { echoed: { n: 2 } });
    const row = await statusRow(config, customID);
    assert.equal(row.serialization, 'test_base64_json');
    assert.deepEqual(JSON.parse(Buffer.from(String(row.output), 'base64').toString()), { echoed: { n: 2 } });
    assert.deepEqual(JSON.parse(Buffer.from(String(row.inputs), 'base64').toString()), [{ n: 2 }]);
    const [step] = await rawRows(config, 'operation_outputs', 'workflow_uuid = ?', [customID]);
    assert.equal(step?.serialization, 'test_base64_json');
    // The superjson row written before the switch is still read.
    assert.deepEqual(await DBOS.retrieveWorkflow(nativeID).getResult(), { echoed: { n: 1 } });
    assert.deepEqual((await DBOS.getWorkflowStatus(nativeID))?.input, [{ n: 1 }]);
    assert.deepEqual((await DBOS.getWorkflowStatus(customID))?.output, { echoed: { n: 2 } });
    const steps = await DBOS.listWorkflowSteps(customID);
    assert.deepEqual(steps?.map((s) => s.output), [{ n: 2 }]);

    // Back to the default: the custom rows name a format this process cannot read.
    await crashAndRelaunch(config);
    assert.deepEqual(await DBOS.retrieveWorkflow(nativeID).getResult(), { echoed: { n: 1 } });
    await assert.rejects(DBOS.retrieveWorkflow(customID).getResult(), (error: unknown) => {
      assert.ok(error instanceof DBOSUnknownSerializationError);
      assert.equal(error.code, 'SERIALIZATION_UNKNOWN');
      assert.equal(error.serialization, 'test_base64_json');
      assert.match(error.message, /"test_base64_json"/);
      return true;
    });
    // Listing stays best effort: the raw text instead of a value.
    assert.equal((await DBOS.getWorkflowStatus(customID))?.output, row.output);
  });

  test('registerSerialization after launch is refused; a serializer posing as a built-in format is refused', async () => {
    await launch(backend);
    const recipe = {
      name: 'test.Late',
      isApplicable: (value: unknown): value is Date => value instanceof Date,
      serialize: (date: Date) => date.getTime(),
      deserialize: (time: number) => new Date(time),
    };
    assert.throws(() => DBOS.registerSerialization(recipe), (error: unknown) => {
      assert.ok(error instanceof DBOSConflictingRegistrationError);
      assert.match(error.message, /test\.Late/);
      return true;
    });
    await DBOS.shutdown();
    const impostor: DBOSSerializer = { name: () => 'portable_json', stringify: JSON.stringify, parse: (text) => JSON.parse(text ?? 'null') };
    assert.throws(() => DBOS.setConfig(backend.freshConfig({ serializer: impostor })), (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError);
      assert.match(error.message, /portable_json/);
      return true;
    });
    assert.throws(
      () => DBOS.setConfig(backend.freshConfig({ serializer: { name: 'x' } as unknown as DBOSSerializer })),
      DBOSConfigurationError,
    );
  });
});
