/**
 * DBOS.logger adds the context of each record: inside a workflow its ID and
 * name, inside a step the step's name and function ID, always the executor
 * and application version, and the trace and span IDs of the current span
 * (a real SDK is registered here). A custom logger receives every record with
 * the context as metadata; the console logger honours `logLevel` and tags its
 * lines with the workflow and step; durably's own messages go through it too.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import { DBOS, type DLogger } from '../../src/index.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { recoveryFinished } from '../helpers/lifecycle.ts';
import { recordSpans } from './span-recorder.ts';

const recorder = recordSpans();

interface Captured {
  level: string;
  message: string;
  metadata: Record<string, unknown>;
  /** The span ID of DBOS's `span` metadata (the span object itself), kept apart from the plain fields. */
  spanObjectID?: string;
}

function capture(): DLogger & { records: Captured[] } {
  const records: Captured[] = [];
  const at = (level: string) => (message: unknown, metadata?: object) => {
    const { span, ...fields } = (metadata ?? {}) as { span?: { spanContext(): { spanId: string } } };
    records.push({ level, message: String(message), metadata: fields, spanObjectID: span?.spanContext().spanId });
  };
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

const loggingStep = DBOS.registerStep(
  async (x: number) => {
    DBOS.logger.info(`in step ${x}`, { extra: 'yes' });
    return x + 1;
  },
  { name: 'logging.step' },
);
const loggingWorkflow = DBOS.registerWorkflow(
  async (x: number) => {
    DBOS.logger.warn('in workflow');
    return loggingStep(x);
  },
  { name: 'logging.workflow' },
);

let gate = deferred<void>();
const blocked = DBOS.registerWorkflow(
  async () => {
    await gate.promise;
    return 'done';
  },
  { name: 'logging.blocked' },
);

function found(records: Captured[], message: string): Captured {
  const record = records.find((entry) => entry.message === message);
  assert.ok(record, `a record "${message}" in ${JSON.stringify(records.map((r) => r.message))}`);
  return record;
}

forEachBackend('DBOS.logger', (backend) => {
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
    gate = deferred<void>();
    recorder.reset();
  });

  test('a custom logger gets the workflow, step, executor, version and span of each record', async () => {
    const logger = capture();
    DBOS.setConfig(backend.freshConfig({ logger, applicationVersion: 'log-v1', executorID: 'log-executor' }));
    await DBOS.launch();
    const workflowID = `log-${randomUUID()}`;
    assert.equal(await DBOS.startWorkflow(loggingWorkflow, { workflowID })(1).then((h) => h.getResult()), 2);
    DBOS.logger.info('outside');

    const spans = recorder.spans();
    const workflowSpan = spans.find((span) => span.name === 'logging.workflow')!;
    const stepSpan = spans.find((span) => span.name === 'logging.step')!;

    const inWorkflow = found(logger.records, 'in workflow');
    assert.equal(inWorkflow.level, 'warn');
    assert.deepEqual(inWorkflow.metadata, {
      workflowID,
      workflowName: 'logging.workflow',
      executorID: 'log-executor',
      applicationVersion: 'log-v1',
      traceId: workflowSpan.traceId,
      spanId: workflowSpan.spanId,
      includeContextMetadata: false,
    });
    assert.equal(inWorkflow.spanObjectID, workflowSpan.spanId, "DBOS's span metadata is the record's span");
    const inStep = found(logger.records, 'in step 1');
    assert.deepEqual(inStep.metadata, {
      workflowID,
      workflowName: 'logging.workflow',
      stepName: 'logging.step',
      functionID: 0,
      executorID: 'log-executor',
      applicationVersion: 'log-v1',
      traceId: stepSpan.traceId,
      spanId: stepSpan.spanId,
      includeContextMetadata: false,
      extra: 'yes',
    });
    assert.deepEqual(found(logger.records, 'outside').metadata, {
      executorID: 'log-executor',
      applicationVersion: 'log-v1',
      includeContextMetadata: false,
    });
  });

  test("durably's own messages go through the configured logger, with the executor's identity", async () => {
    const config = backend.freshConfig({ executorID: 'own-executor', applicationVersion: 'own-v1' });
    DBOS.setConfig(config);
    await DBOS.launch();
    await DBOS.startWorkflow(blocked, { workflowID: `log-blocked-${randomUUID()}` })();
    await DBOS.shutdown(); // leaves it PENDING: the next launch recovers it and says so

    const logger = capture();
    DBOS.setConfig({ ...config, logger });
    await DBOS.launch();
    await recoveryFinished(); // said once recovery, in the background, has finished
    const recovering = found(logger.records, 'Recovering 1 pending workflow(s).');
    assert.equal(recovering.level, 'info');
    assert.equal(recovering.metadata.executorID, 'own-executor');
    assert.equal(recovering.metadata.applicationVersion, 'own-v1');
  });

  test('the console logger honours logLevel and tags records with the workflow and step', async () => {
    const lines: { level: string; args: unknown[] }[] = [];
    const saved = { info: console.info, warn: console.warn, debug: console.debug };
    console.info = (...args: unknown[]) => void lines.push({ level: 'info', args });
    console.warn = (...args: unknown[]) => void lines.push({ level: 'warn', args });
    console.debug = (...args: unknown[]) => void lines.push({ level: 'debug', args });
    const workflowID = `log-console-${randomUUID()}`;
    try {
      DBOS.setConfig(backend.freshConfig({ logLevel: 'WARN' }));
      await DBOS.launch();
      await DBOS.startWorkflow(loggingWorkflow, { workflowID })(5).then((h) => h.getResult());
      DBOS.logger.debug('not shown');
    } finally {
      Object.assign(console, saved);
    }
    const texts = lines.map((line) => String(line.args[0]));
    assert.ok(texts.includes(`[durably] warn [workflow ${workflowID}]: in workflow`), JSON.stringify(texts));
    assert.ok(!texts.some((text) => text.includes('in step')), 'info records are below the warn threshold');
    assert.ok(!texts.some((text) => text.includes('not shown')));
  });

  test('addContextMetadata prints the whole context on console lines; a step line names the step', async () => {
    const lines: unknown[][] = [];
    const saved = console.info;
    console.info = (...args: unknown[]) => void lines.push(args);
    const workflowID = `log-meta-${randomUUID()}`;
    try {
      DBOS.setConfig(backend.freshConfig({ logLevel: 'info', addContextMetadata: true, executorID: 'meta-executor' }));
      await DBOS.launch();
      await DBOS.startWorkflow(loggingWorkflow, { workflowID })(7).then((h) => h.getResult());
    } finally {
      console.info = saved;
    }
    const line = lines.find((args) => String(args[0]).endsWith('in step 7'));
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line[0], `[durably] info [workflow ${workflowID} step logging.step#0]: in step 7`);
    const metadata = line[1] as Record<string, unknown>;
    assert.equal(metadata.workflowID, workflowID);
    assert.equal(metadata.executorID, 'meta-executor');
    assert.equal(metadata.extra, 'yes');
  });
});
