/**
 * OpenTelemetry spans with a real SDK (in-memory exporter, async-hooks
 * context): the span tree of a workflow with steps, a retried step (events),
 * a failing workflow (ERROR with the exception), a child workflow, a
 * transaction, a workflow started in the caller's span, both attribute
 * formats; and across processes: a queued workflow run by another process,
 * and a workflow recovered after SIGKILL, each continuing the same trace.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { SpanStatusCode } from '@opentelemetry/api';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { SQLiteDataSource } from '../../src/datasources/sqlite.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend, testTempDir } from '../helpers/backends.ts';
import { eventually } from '../helpers/system-database-targets.ts';
import { killAllChildren, startChild } from '../processes/child-process.ts';
import { inCallerSpan, printedSpans, recordSpans, type SpanRecord } from './span-recorder.ts';
import { tracedQueue, tracedWorkflow } from './fixtures/traced-workflows.ts';

const recorder = recordSpans();
const workerPath = join(import.meta.dirname, 'fixtures', 'traced-worker.ts');

const addOne = DBOS.registerStep(async (x: number) => x + 1, { name: 'tracing.addOne' });
const double = DBOS.registerStep(async (x: number) => x * 2, { name: 'tracing.double' });
const arithmetic = DBOS.registerWorkflow(async (x: number) => double(await addOne(x)), { name: 'tracing.arithmetic' });

let flakyFailures = 0;
const flaky = DBOS.registerStep(
  async () => {
    if (flakyFailures-- > 0) throw new Error('flaky failure');
    return 'ok';
  },
  { name: 'tracing.flaky', retriesAllowed: true, intervalSeconds: 0.001, maxAttempts: 5, backoffRate: 1 },
);
const retrying = DBOS.registerWorkflow(async () => flaky(), { name: 'tracing.retrying' });

class OutOfStock extends Error {}
const failing = DBOS.registerWorkflow(
  async () => {
    throw new OutOfStock('out of stock');
  },
  { name: 'tracing.failing' },
);

const child = DBOS.registerWorkflow(async (x: number) => addOne(x), { name: 'tracing.child' });
const parent = DBOS.registerWorkflow(
  async (x: number) => {
    const handle = await DBOS.startWorkflow(child)(x);
    return handle.getResult();
  },
  { name: 'tracing.parent' },
);

const appPath = join(testTempDir, `tracing-app-${randomUUID()}.sqlite`);
const dataSource = new SQLiteDataSource('tracing-app', appPath);
const insertRow = dataSource.registerTransaction(
  async (label: string) => {
    SQLiteDataSource.client.prepare('CREATE TABLE IF NOT EXISTS labels (label TEXT)').run();
    SQLiteDataSource.client.prepare('INSERT INTO labels VALUES (?)').run(label);
    return label;
  },
  { name: 'tracing.insertRow' },
);
const transactional = DBOS.registerWorkflow(async (label: string) => insertRow(label), { name: 'tracing.transactional' });

function only(spans: SpanRecord[], name: string): SpanRecord {
  const matching = spans.filter((span) => span.name === name);
  assert.equal(matching.length, 1, `one span named ${name}, found ${matching.length} in ${JSON.stringify(spans.map((s) => s.name))}`);
  return matching[0]!;
}

function assertChildOf(child: SpanRecord, parentSpan: { traceId: string; spanId: string }): void {
  assert.equal(child.traceId, parentSpan.traceId, `${child.name} is in its parent's trace`);
  assert.equal(child.parentSpanId, parentSpan.spanId, `${child.name}'s parent`);
}

forEachBackend('tracing', (backend) => {
  async function launch(extra: DBOSConfig = {}): Promise<DBOSConfig> {
    const config = backend.freshConfig({ applicationVersion: 'tracing-test', ...extra });
    DBOS.setConfig(config);
    await DBOS.launch();
    recorder.reset();
    return config;
  }
  beforeEach(() => recorder.reset());
  afterEach(async () => {
    await DBOS.shutdown();
    await killAllChildren();
  });

  test('a workflow span with one child span per step, DBOS attributes, status OK', async () => {
    await launch();
    const workflowID = `arith-${randomUUID()}`;
    assert.equal(await (await DBOS.startWorkflow(arithmetic, { workflowID })(2)).getResult(), 6);
    const spans = recorder.spans();
    const workflow = only(spans, 'tracing.arithmetic');
    assert.equal(workflow.parentSpanId, undefined);
    assert.deepEqual(workflow.status, { code: SpanStatusCode.OK });
    assert.equal(workflow.attributes.operationUUID, workflowID);
    assert.equal(workflow.attributes.operationType, 'workflow');
    assert.equal(workflow.attributes.operationName, 'tracing.arithmetic');
    assert.equal(workflow.attributes.status, 'SUCCESS');
    assert.equal(workflow.attributes.applicationVersion, 'tracing-test');
    assert.equal(workflow.attributes.executorID, 'local');
    assert.equal(workflow.attributes.authenticatedUser, '');
    for (const name of ['tracing.addOne', 'tracing.double']) {
      const step = only(spans, name);
      assertChildOf(step, workflow);
      assert.equal(step.attributes.operationType, 'step');
      assert.equal(step.attributes.operationUUID, workflowID);
      assert.equal(step.attributes.retriesAllowed, false);
      assert.deepEqual(step.status, { code: SpanStatusCode.OK });
    }
  });

  test('a retried step: one event per failed attempt with its error, then OK', async () => {
    await launch();
    flakyFailures = 2;
    assert.equal(await retrying(), 'ok');
    const step = only(recorder.spans(), 'tracing.flaky');
    assert.deepEqual(
      step.events.map((event) => [event.name, event.attributes.error]),
      [['Step attempt 1 failed', 'flaky failure'], ['Step attempt 2 failed', 'flaky failure']],
    );
    assert.equal(step.attributes.maxAttempts, 5);
    assert.deepEqual(step.status, { code: SpanStatusCode.OK });
  });

  test('a failing workflow: status ERROR with the exception recorded', async () => {
    await launch();
    await assert.rejects(failing(), /out of stock/);
    const workflow = only(recorder.spans(), 'tracing.failing');
    assert.equal(workflow.status.code, SpanStatusCode.ERROR);
    assert.equal(workflow.status.message, 'out of stock');
    assert.equal(workflow.attributes.status, 'ERROR');
    const exception = workflow.events.find((event) => event.name === 'exception');
    assert.equal(exception?.attributes['exception.message'], 'out of stock');
  });

  test('a child workflow is a child of its parent workflow span; a caller span is the parent of both', async () => {
    await launch();
    const caller = await inCallerSpan('caller', () => parent(1));
    assert.equal(caller.value, 2);
    const spans = recorder.spans();
    const parentSpan = only(spans, 'tracing.parent');
    assertChildOf(parentSpan, caller);
    assertChildOf(only(spans, 'tracing.child'), parentSpan);
    assertChildOf(only(spans, 'tracing.addOne'), only(spans, 'tracing.child'));
  });

  test('a transaction span (operationType transaction) under its workflow', async () => {
    await launch();
    assert.equal(await transactional('a'), 'a');
    const spans = recorder.spans();
    const transaction = only(spans, 'tracing.insertRow');
    assertChildOf(transaction, only(spans, 'tracing.transactional'));
    assert.equal(transaction.attributes.operationType, 'transaction');
    assert.deepEqual(transaction.status, { code: SpanStatusCode.OK });
  });

  test("semconv attribute names (otelAttributeFormat: 'semconv')", async () => {
    await launch({ otelAttributeFormat: 'semconv' });
    const workflowID = `semconv-${randomUUID()}`;
    await DBOS.withNextWorkflowID(workflowID, () => arithmetic(1));
    const spans = recorder.spans();
    const workflow = only(spans, 'tracing.arithmetic');
    assert.equal(workflow.attributes['dbos.operation.workflow_id'], workflowID);
    assert.equal(workflow.attributes['dbos.operation.type'], 'workflow');
    assert.equal(workflow.attributes['dbos.operation.name'], 'tracing.arithmetic');
    assert.equal(workflow.attributes['dbos.application.version'], 'tracing-test');
    assert.equal(workflow.attributes['dbos.executor.id'], 'local');
    assert.equal(workflow.attributes['dbos.user.name'], '');
    assert.equal(workflow.attributes.operationUUID, undefined);
    assert.equal(only(spans, 'tracing.addOne').attributes['dbos.operation.type'], 'step');
  });

  test('what is stored: the caller span\'s traceparent, else (no span around the start) the workflow span\'s own', async () => {
    await launch();
    const alone = `alone-${randomUUID()}`;
    await DBOS.withNextWorkflowID(alone, () => arithmetic(1));
    const own = only(recorder.spans(), 'tracing.arithmetic');
    assert.equal((await engineFor('test').systemDatabase.getWorkflowStatus(alone))?.traceContext, `00-${own.traceId}-${own.spanId}-01`);
    const nested = `nested-${randomUUID()}`;
    const caller = await inCallerSpan('caller', () => DBOS.withNextWorkflowID(nested, () => arithmetic(1)));
    assert.equal((await engineFor('test').systemDatabase.getWorkflowStatus(nested))?.traceContext, `00-${caller.traceId}-${caller.spanId}-01`);
  });

  test('tracingEnabled: false emits no spans although a provider is registered', async () => {
    await launch({ tracingEnabled: false });
    await arithmetic(1);
    assert.deepEqual(recorder.spans(), []);
  });

  test('a queued workflow run by another process continues the enqueuer\'s trace', { timeout: 60_000 }, async () => {
    // This process dequeues from no queue of its own: the child runs the workflow.
    const config = await launch({ listenQueues: [] });
    const workflowID = `queued-${randomUUID()}`;
    const enqueuer = await inCallerSpan('enqueuer', () =>
      DBOS.startWorkflow(tracedWorkflow, { workflowID, queueName: tracedQueue.name })('queued'),
    );
    const worker = startChild('dequeue', [workflowID], { role: 'worker', config: { ...config, listenQueues: undefined }, log: '', script: workerPath });
    assert.deepEqual(await worker.result(), ['done:queued', 'second'], worker.describe());
    const spans = printedSpans(worker.lines);
    const workflow = only(spans, 'tracing.workflow');
    assertChildOf(workflow, enqueuer);
    assert.equal(workflow.attributes.queueName, tracedQueue.name);
    assertChildOf(only(spans, 'tracing.step'), workflow);
  });

  test('a workflow recovered after SIGKILL continues its trace: same trace, replayed steps cached', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig({ applicationVersion: 'tracing-test' });
    const workflowID = `crash-${randomUUID()}`;
    const first = startChild('start', [workflowID], { role: 'first', config, log: '', script: workerPath, env: { DURABLY_TEST_BLOCK: '1' } });
    const origin = JSON.parse(await first.waitForLine('MARK origin')) as { traceId: string; spanId: string };
    await first.waitForLine('MARK blocked');
    assert.equal((await first.kill()).signal, 'SIGKILL');
    const before = printedSpans(first.lines);
    assertChildOf(only(before, 'tracing.step'), { traceId: origin.traceId, spanId: only(before, 'tracing.step').parentSpanId! });
    assert.equal(before.some((span) => span.name === 'tracing.workflow'), false, 'the killed run never ended its workflow span');

    DBOS.setConfig(config);
    await DBOS.launch(); // recovers the workflow
    assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), ['done:crash', 'second']);
    // The result is readable once the outcome is committed; the workflow span ends just after, in the run's own continuation.
    await eventually('the recovered workflow span ended', () => recorder.spans().some((span) => span.name === 'tracing.workflow'));
    const after = recorder.spans();
    const recovered = only(after, 'tracing.workflow');
    assertChildOf(recovered, origin);
    const replayed = only(after, 'tracing.step');
    assertChildOf(replayed, recovered);
    assert.equal(replayed.attributes.cached, true);
    const rerun = only(after, 'tracing.blockingStep');
    assertChildOf(rerun, recovered);
    assert.equal(rerun.attributes.cached, undefined);
  });
});
