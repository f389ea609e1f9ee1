/**
 * Metrics through @opentelemetry/api with the SDK's meter provider and an
 * in-memory reader: workflows started and finished by name and status, step
 * duration and retries, enqueue-to-start latency and depth per queue,
 * recoveries at launch. Without a meter provider, the engine holds the
 * disabled metrics (no instrument call on the hot path).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { metrics, type Attributes } from '@opentelemetry/api';
import { MeterProvider, MetricReader, type HistogramMetricData } from '@opentelemetry/sdk-metrics';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { deferred } from '../../src/support/deferred.ts';
import { createWorkflowMetrics, disabledMetrics } from '../../src/telemetry/workflow-metrics.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { recoveryFinished } from '../helpers/lifecycle.ts';

class TestReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}
const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });
metrics.setGlobalMeterProvider(provider);

interface Point {
  attributes: Attributes;
  value: number | { count: number; sum?: number };
}

async function points(name: string): Promise<Point[]> {
  const { resourceMetrics } = await reader.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics).find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Point[];
}

/** The counter's value (or the histogram's count) at the points whose attributes include `match`. */
async function total(name: string, match: Attributes): Promise<number> {
  const matching = (await points(name)).filter((point) => Object.entries(match).every(([key, value]) => point.attributes[key] === value));
  return matching.reduce((sum, point) => sum + (typeof point.value === 'number' ? point.value : point.value.count), 0);
}

let flakyFailures = 0;
const flaky = DBOS.registerStep(
  async () => {
    if (flakyFailures-- > 0) throw new Error('flaky');
    return 'ok';
  },
  { name: 'metrics.flaky', retriesAllowed: true, intervalSeconds: 0.001, maxAttempts: 5, backoffRate: 1 },
);
const succeeding = DBOS.registerWorkflow(async () => flaky(), { name: 'metrics.succeeding' });
const failing = DBOS.registerWorkflow(
  async () => {
    throw new Error('no');
  },
  { name: 'metrics.failing' },
);

let gate = deferred<void>();
const blocked = DBOS.registerWorkflow(
  async () => {
    await gate.promise;
    return 'done';
  },
  { name: 'metrics.blocked' },
);
const queue = new WorkflowQueue('metrics.queue', { workerConcurrency: 1 });

forEachBackend('workflow metrics', (backend) => {
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
    gate = deferred<void>();
  });

  test('workflows started and finished by name and status; step duration and retries', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    assert.equal(engineFor('test').metrics.enabled, true);
    const before = {
      started: await total('durably.workflow.started', { 'workflow.name': 'metrics.succeeding' }),
      succeeded: await total('durably.workflow.finished', { 'workflow.name': 'metrics.succeeding', 'workflow.status': 'SUCCESS' }),
      failed: await total('durably.workflow.finished', { 'workflow.name': 'metrics.failing', 'workflow.status': 'ERROR' }),
      steps: await total('durably.step.duration', { 'step.name': 'metrics.flaky', 'step.outcome': 'ok' }),
      retries: await total('durably.step.retries', { 'step.name': 'metrics.flaky' }),
    };
    flakyFailures = 2;
    await DBOS.startWorkflow(succeeding)().then((h) => h.getResult());
    await DBOS.startWorkflow(succeeding)().then((h) => h.getResult());
    await assert.rejects(DBOS.startWorkflow(failing)().then((h) => h.getResult()), /no/);

    assert.equal(await total('durably.workflow.started', { 'workflow.name': 'metrics.succeeding' }), before.started + 2);
    assert.equal(
      await total('durably.workflow.finished', { 'workflow.name': 'metrics.succeeding', 'workflow.status': 'SUCCESS' }),
      before.succeeded + 2,
    );
    assert.equal(await total('durably.workflow.finished', { 'workflow.name': 'metrics.failing', 'workflow.status': 'ERROR' }), before.failed + 1);
    assert.equal(await total('durably.step.duration', { 'step.name': 'metrics.flaky', 'step.outcome': 'ok' }), before.steps + 2);
    assert.equal(await total('durably.step.retries', { 'step.name': 'metrics.flaky' }), before.retries + 2, 'two failed attempts, retried');
    const durations = (await points('durably.workflow.duration')) as unknown as HistogramMetricData['dataPoints'];
    assert.ok(durations.some((point) => point.attributes['workflow.name'] === 'metrics.succeeding' && point.value.count >= 2));
  });

  test('queue depth and enqueue-to-start latency per queue', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const latencyBefore = await total('durably.queue.latency', { 'queue.name': 'metrics.queue' });
    const first = await DBOS.startWorkflow(blocked, { queueName: queue.name, workflowID: `mq-${randomUUID()}` })();
    await DBOS.startWorkflow(blocked, { queueName: queue.name, workflowID: `mq-${randomUUID()}` })();
    // The first one runs (PENDING), the second waits behind workerConcurrency 1 (ENQUEUED).
    for (let i = 0; i < 100 && (await first.getStatus())?.status !== 'PENDING'; i++) await new Promise((r) => setTimeout(r, 50));
    const depth = await points('durably.queue.depth');
    const at = (status: string) =>
      depth.find((point) => point.attributes['queue.name'] === 'metrics.queue' && point.attributes['workflow.status'] === status)?.value;
    assert.equal(at('PENDING'), 1, JSON.stringify(depth));
    assert.equal(at('ENQUEUED'), 1, JSON.stringify(depth));
    gate.resolve();
    await first.getResult();
    for (let i = 0; i < 100 && (await total('durably.queue.latency', { 'queue.name': 'metrics.queue' })) < latencyBefore + 2; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await total('durably.queue.latency', { 'queue.name': 'metrics.queue' }), latencyBefore + 2);
  });

  test('recovered workflows are counted at launch', async () => {
    const config = backend.freshConfig({ executorID: `metrics-${randomUUID()}` });
    DBOS.setConfig(config);
    await DBOS.launch();
    await DBOS.startWorkflow(blocked, { workflowID: `mr-${randomUUID()}` })();
    await DBOS.shutdown(); // leaves it PENDING
    const before = await total('durably.recovery.workflows', { 'recovery.kind': 'pending' });
    DBOS.setConfig(config);
    await DBOS.launch();
    await recoveryFinished(); // counted once recovery, in the background, has finished
    assert.equal(await total('durably.recovery.workflows', { 'recovery.kind': 'pending' }), before + 1);
  });
});

test('without a meter provider the engine gets the disabled metrics (no instrument call at all)', () => {
  metrics.disable();
  try {
    assert.equal(createWorkflowMetrics(), disabledMetrics);
  } finally {
    metrics.setGlobalMeterProvider(provider);
  }
  assert.notEqual(createWorkflowMetrics(), disabledMetrics);
});
