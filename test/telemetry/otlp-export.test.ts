/**
 * OTLP export with a real OTLP/HTTP receiver on loopback: spans, metrics and
 * log records (with the workflow's ID, correlated with its span) arrive at the
 * configured endpoints, or at the ones the standard OTEL_EXPORTER_OTLP_*
 * variables name; with the collector down, workflows run as fast and nothing
 * throws (a warning says so); a missing exporter package is a typed error.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSTelemetryPackagesMissingError, type DLogger } from '../../src/index.ts';
import { loadOtlpPackages } from '../../src/telemetry/otlp-packages.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { deadEndpoint, receivedLogs, receivedMetricNames, receivedSpans, startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.ts';

const exportedStep = DBOS.registerStep(
  async (x: number) => {
    DBOS.logger.info(`exported step ${x}`);
    return x * 3;
  },
  { name: 'otlp.step' },
);
const exportedWorkflow = DBOS.registerWorkflow(async (x: number) => exportedStep(x), { name: 'otlp.workflow' });

const otelVariables = ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_METRICS_ENDPOINT', 'OTEL_EXPORTER_OTLP_TIMEOUT'];

forEachBackend('OTLP export', (backend) => {
  let receiver: OtlpReceiver | undefined;
  afterEach(async () => {
    await DBOS.shutdown();
    await receiver?.close();
    receiver = undefined;
    for (const name of otelVariables) delete process.env[name];
  });

  test('spans and log records arrive at the configured endpoints, with the workflow ID', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${receiver.url}/metrics-here`;
    DBOS.setConfig(
      backend.freshConfig({
        logLevel: 'info',
        enableOTLP: true,
        otlpTracesEndpoints: [`${receiver.url}/traces-here`],
        otlpLogsEndpoints: [`${receiver.url}/logs-here`],
      }),
    );
    await DBOS.launch();
    const workflowID = `otlp-${randomUUID()}`;
    assert.equal(await DBOS.startWorkflow(exportedWorkflow, { workflowID })(2).then((h) => h.getResult()), 6);
    DBOS.logger.debug('below logLevel: not exported');
    await DBOS.shutdown(); // flushes

    const paths = new Set(receiver.requests.map((request) => request.path));
    assert.ok(paths.has('/traces-here') && paths.has('/logs-here') && paths.has('/metrics-here'), JSON.stringify([...paths]));
    const metricNames = receivedMetricNames(receiver.requests.filter((request) => request.path === '/metrics-here'));
    assert.ok(metricNames.includes('durably.workflow.started') && metricNames.includes('durably.step.duration'), JSON.stringify(metricNames));
    assert.ok(receiver.requests.every((request) => request.contentType?.includes('json')));
    const spans = receivedSpans(receiver.requests.filter((request) => request.path === '/traces-here'));
    const workflowSpan = spans.find((span) => span.name === 'otlp.workflow' && span.attributes.operationUUID === workflowID);
    assert.ok(workflowSpan, JSON.stringify(spans.map((span) => span.name)));
    const stepSpan = spans.find((span) => span.name === 'otlp.step' && span.attributes.operationUUID === workflowID)!;
    assert.ok(stepSpan);

    const logs = receivedLogs(receiver.requests.filter((request) => request.path === '/logs-here'));
    const record = logs.find((entry) => entry.body === 'exported step 2');
    assert.ok(record, JSON.stringify(logs.map((entry) => entry.body)));
    assert.equal(record.severityText, 'INFO');
    assert.ok(!logs.some((entry) => entry.body === 'below logLevel: not exported'));
    assert.equal(record.attributes.workflowID, workflowID);
    assert.equal(record.attributes.stepName, 'otlp.step');
    assert.equal(record.traceId, stepSpan.traceId, 'the record is correlated with the step span');
    assert.equal(record.spanId, stepSpan.spanId);
  });

  test('without endpoints, OTEL_EXPORTER_OTLP_ENDPOINT names the collector', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    DBOS.setConfig(backend.freshConfig({ logLevel: 'info', enableOTLP: true }));
    await DBOS.launch();
    const workflowID = `otlp-env-${randomUUID()}`;
    await DBOS.startWorkflow(exportedWorkflow, { workflowID })(1).then((h) => h.getResult());
    await DBOS.shutdown();
    const paths = new Set(receiver.requests.map((request) => request.path));
    assert.ok(paths.has('/v1/traces') && paths.has('/v1/logs') && paths.has('/v1/metrics'), JSON.stringify([...paths]));
    assert.ok(receivedSpans(receiver.requests).some((span) => span.attributes.operationUUID === workflowID));
  });

  test('with the collector down, workflows run, nothing throws, a warning says so, shutdown is bounded', async () => {
    const dead = await deadEndpoint();
    process.env.OTEL_EXPORTER_OTLP_METRICS_ENDPOINT = `${dead}/v1/metrics`;
    process.env.OTEL_EXPORTER_OTLP_TIMEOUT = '1000'; // the standard variable: give up (and warn) after 1 s, not 10
    const warnings: string[] = [];
    const logger: DLogger = { debug() {}, info() {}, error() {}, warn: (message) => void warnings.push(String(message)) };
    DBOS.setConfig(backend.freshConfig({ logger, enableOTLP: true, otlpTracesEndpoints: [`${dead}/v1/traces`] }));
    await DBOS.launch();
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => DBOS.startWorkflow(exportedWorkflow, { workflowID: `otlp-dead-${randomUUID()}` })(i).then((h) => h.getResult())),
    );
    assert.deepEqual(results, Array.from({ length: 30 }, (_, i) => i * 3));
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 10_000, `30 workflows took ${elapsed} ms`);
    for (let waited = 0; waited < 5_000 && !warnings.some((w) => w.includes('OTLP export of spans')); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(warnings.some((w) => w.includes(`OTLP export of spans to ${dead}/v1/traces failed`)), JSON.stringify(warnings));
    assert.equal(warnings.filter((w) => w.includes('OTLP export of spans')).length, 1, 'one warning per failure streak');
    const shutdownStarted = Date.now();
    await DBOS.shutdown();
    assert.ok(Date.now() - shutdownStarted < 8_000, 'the flush at shutdown gives up after its timeout');
  });
});

test('a missing exporter package is a typed error naming what to install', async () => {
  const notFound = (name: string) => Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' });
  const missing = new Set(['@opentelemetry/sdk-logs', '@opentelemetry/exporter-logs-otlp-http']);
  await assert.rejects(
    loadOtlpPackages(async (name, importer) => (missing.has(name) ? Promise.reject(notFound(name)) : importer())),
    (error: unknown) => {
      assert.ok(error instanceof DBOSTelemetryPackagesMissingError);
      assert.deepEqual([...error.packageNames].sort(), [...missing].sort());
      assert.match(error.message, /npm install @opentelemetry\/sdk-logs @opentelemetry\/exporter-logs-otlp-http/);
      return true;
    },
  );
});
