/**
 * Where a workflow's trace comes from when it is not started by its caller's
 * code: a fork starts a trace of its own with a span link to the original's
 * (a fork of a fork links to the first original); a DBOSClient's enqueue in
 * the caller's span makes the workflow part of the caller's trace. And under
 * a caller span the sampler dropped, nothing is recorded and the workflow
 * runs as usual (its steps build no span at all).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, test } from 'node:test';
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { DBOS, DBOSClient, type DBOSConfig } from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { clientOptions } from '../client/client-worker-process.ts';
import { inCallerSpan, recordSpans, type SpanRecord } from './span-recorder.ts';
import { tracedQueue, tracedStep, tracedWorkflow } from './fixtures/traced-workflows.ts';

const recorder = recordSpans();

const seenTraceIDs: (string | undefined)[] = [];
const inspecting = DBOS.registerWorkflow(
  async () => {
    const value = await tracedStep('unsampled');
    seenTraceIDs.push(DBOS.span?.spanContext().traceId);
    return value;
  },
  { name: 'trace-links.inspecting' },
);

/**
 * The ended workflow spans, once there is one: a handle's getResult can return (the outcome is recorded)
 * a moment before the run ends its span.
 */
async function workflowSpans(): Promise<SpanRecord[]> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const spans = recorder.spans().filter((span) => span.name === 'tracing.workflow');
    if (spans.length > 0 || Date.now() > deadline) return spans;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The one span named `name` in the trace `traceId`. */
function spanIn(traceId: string, name: string): SpanRecord {
  const matching = recorder.spans().filter((span) => span.traceId === traceId && span.name === name);
  assert.equal(matching.length, 1, `one ${name} span in trace ${traceId}, found ${matching.length}`);
  return matching[0]!;
}

forEachBackend('trace links: forks and client enqueues', (backend) => {
  let config: DBOSConfig;
  beforeEach(async () => {
    config = backend.freshConfig({ applicationVersion: 'trace-links' });
    DBOS.setConfig(config);
    await DBOS.launch();
    recorder.reset();
  });
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('a forked workflow starts its own trace, with a span link to the original workflow span', async () => {
    const originalID = `original-${randomUUID()}`;
    await DBOS.withNextWorkflowID(originalID, () => tracedWorkflow('fork-me'));
    const [original] = await workflowSpans();
    assert.ok(original);

    recorder.reset();
    const fork = await DBOS.forkWorkflow(originalID, 1);
    assert.deepEqual(await fork.getResult(), ['done:fork-me', 'second']);
    const [forked] = await workflowSpans();
    assert.ok(forked, 'the fork ran with a workflow span');
    assert.notEqual(forked.traceId, original.traceId, 'a trace of its own');
    assert.equal(forked.parentSpanId, undefined, 'the root of its trace');
    assert.deepEqual(forked.links, [{ traceId: original.traceId, spanId: original.spanId }]);
    // Its steps are in its trace: the replayed one (cached) and the one run afresh.
    assert.equal(spanIn(forked.traceId, 'tracing.step').attributes.cached, true);
    assert.equal(spanIn(forked.traceId, 'tracing.blockingStep').parentSpanId, forked.spanId);

    recorder.reset();
    const forkOfFork = await DBOS.forkWorkflow(fork.workflowID, 0);
    await forkOfFork.getResult();
    const [again] = await workflowSpans();
    assert.ok(again);
    assert.notEqual(again.traceId, forked.traceId);
    assert.deepEqual(again.links, [{ traceId: original.traceId, spanId: original.spanId }], 'a fork of a fork links to the first original');
  });

  test('a fork of a workflow started while tracing was off has no link and still runs', async () => {
    const originalID = `untraced-${randomUUID()}`;
    await DBOS.shutdown();
    DBOS.setConfig({ ...config, tracingEnabled: false });
    await DBOS.launch();
    await DBOS.withNextWorkflowID(originalID, () => tracedWorkflow('untraced'));
    await DBOS.shutdown();
    DBOS.setConfig(config);
    await DBOS.launch();
    recorder.reset();
    const fork = await DBOS.forkWorkflow(originalID, 0);
    assert.deepEqual(await fork.getResult(), ['done:untraced', 'second']);
    const [forked] = await workflowSpans();
    assert.ok(forked);
    assert.deepEqual(forked.links, []);
  });

  test("a client's enqueue in the caller's span: the workflow is a child of that span, its traceparent stored", async () => {
    const client = await DBOSClient.create(clientOptions(config));
    try {
      const workflowID = `client-${randomUUID()}`;
      const caller = await inCallerSpan('caller', () =>
        client.enqueue({ queueName: tracedQueue.name, workflowName: 'tracing.workflow', workflowID }, 'from-client'),
      );
      assert.deepEqual(await DBOS.retrieveWorkflow(workflowID).getResult(), ['done:from-client', 'second']);
      const stored = await engineFor('test').systemDatabase.getWorkflowStatus(workflowID);
      assert.equal(stored?.traceContext, `00-${caller.traceId}-${caller.spanId}-01`);
      await workflowSpans();
      const workflow = spanIn(caller.traceId, 'tracing.workflow');
      assert.equal(workflow.parentSpanId, caller.spanId);

      // Without a span around it, the enqueue stores nothing: the run starts a trace of its own.
      const alone = `client-alone-${randomUUID()}`;
      await client.enqueue({ queueName: tracedQueue.name, workflowName: 'tracing.workflow', workflowID: alone }, 'alone');
      await DBOS.retrieveWorkflow(alone).getResult();
      assert.equal((await engineFor('test').systemDatabase.getWorkflowStatus(alone))?.traceContext, null);
    } finally {
      await client.destroy();
    }
  });

  test('under a caller span the sampler dropped: no span is recorded, the trace context is stored, the workflow runs', async () => {
    const dropped = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), traceFlags: TraceFlags.NONE, isRemote: true };
    const workflowID = `unsampled-${randomUUID()}`;
    seenTraceIDs.length = 0;
    const value = await context.with(trace.setSpanContext(ROOT_CONTEXT, dropped), () => DBOS.withNextWorkflowID(workflowID, () => inspecting()));
    assert.equal(value, 'done:unsampled');
    assert.deepEqual(seenTraceIDs, [dropped.traceId], "the workflow's span (recording nothing) is in the caller's trace");
    assert.deepEqual(recorder.spans(), []);
    const stored = await engineFor('test').systemDatabase.getWorkflowStatus(workflowID);
    assert.equal(stored?.traceContext, `00-${dropped.traceId}-${dropped.spanId}-00`);
  });
});
