/**
 * The logger as DBOS 5.3 drives it (issue 18): a custom logger receives the
 * records of workflows and steps as text with DBOS's context metadata
 * (`includeContextMetadata`, beside durably's workflow and step fields); an
 * error entry arrives as its message with `stack` (the cause chain included)
 * and the `error` itself; other entries as JSON text. Before launch,
 * `DBOS.logger` already honours the configured logger and `logLevel`, and
 * `DBOS.applicationVersion` / `DBOS.executorID` are readable (the environment's
 * values, as in DBOS).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, type DLogger } from '../../src/index.ts';
import { forEachBackend, sqliteBackend } from '../helpers/backends.ts';

interface Captured {
  level: string;
  message: unknown;
  metadata: Record<string, unknown>;
}

function capture(): DLogger & { records: Captured[] } {
  const records: Captured[] = [];
  const at = (level: string) => (message: unknown, metadata?: object) => void records.push({ level, message, metadata: { ...(metadata ?? {}) } });
  return { records, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

function found(records: Captured[], message: string): Captured {
  const record = records.find((entry) => entry.message === message);
  assert.ok(record, `a record "${message}" in ${JSON.stringify(records.map((r) => r.message))}`);
  return record;
}

const failingStep = DBOS.registerStep(
  async () => {
    DBOS.logger.error(new Error('outer failure', { cause: new Error('inner cause') }));
    DBOS.logger.error('plain failure');
    DBOS.logger.info({ structured: 1 });
    return 'logged';
  },
  { name: 'compat-logger.step' },
);

const loggingWorkflow = DBOS.registerWorkflow(
  async () => {
    DBOS.logger.info('in workflow', { extra: 'yes' });
    return failingStep();
  },
  { name: 'compat-logger.workflow' },
);

/** Replaces console[level] while `body` runs; returns the lines written. */
async function consoleLines(levels: ('info' | 'error' | 'warn')[], body: () => void | Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const saved = levels.map((level) => [level, console[level]] as const);
  for (const level of levels) console[level] = (...args: unknown[]) => void lines.push(`${level}: ${args.map(String).join(' ')}`);
  try {
    await body();
  } finally {
    for (const [level, original] of saved) console[level] = original;
  }
  return lines;
}

test('before launch: DBOS.logger honours the configured logger and logLevel; applicationVersion and executorID are readable', async () => {
  const savedVersion = process.env.DBOS__APPVERSION;
  const savedVm = process.env.DBOS__VMID;
  delete process.env.DBOS__APPVERSION;
  delete process.env.DBOS__VMID;
  try {
    assert.equal(DBOS.applicationVersion, '');
    assert.equal(DBOS.executorID, 'local');
    process.env.DBOS__APPVERSION = 'env-version';
    assert.equal(DBOS.applicationVersion, 'env-version');
  } finally {
    if (savedVersion === undefined) delete process.env.DBOS__APPVERSION;
    else process.env.DBOS__APPVERSION = savedVersion;
    if (savedVm !== undefined) process.env.DBOS__VMID = savedVm;
  }

  const logger = capture();
  DBOS.setConfig(sqliteBackend.freshConfig({ logger }));
  DBOS.logger.info('before launch');
  DBOS.logger.error(new Error('early failure'));
  assert.equal(found(logger.records, 'before launch').level, 'info');
  assert.match(String(found(logger.records, 'early failure').metadata.stack), /early failure/);

  DBOS.setConfig(sqliteBackend.freshConfig({ logLevel: 'error' }));
  const lines = await consoleLines(['info', 'error'], () => {
    DBOS.logger.info('filtered out');
    DBOS.logger.error('kept');
  });
  assert.equal(lines.length, 1, JSON.stringify(lines));
  assert.match(lines[0]!, /kept/);
});

forEachBackend('DBOS-compatible logger', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('a custom logger gets workflow and step records as text, with DBOS context metadata and normalised errors', async () => {
    const logger = capture();
    DBOS.setConfig(backend.freshConfig({ logger, addContextMetadata: true }));
    await DBOS.launch();
    const handle = await DBOS.startWorkflow(loggingWorkflow, { workflowID: 'compat-logger-1' })();
    assert.equal(await handle.getResult(), 'logged');

    const inWorkflow = found(logger.records, 'in workflow');
    assert.equal(inWorkflow.metadata.workflowID, 'compat-logger-1');
    assert.equal(inWorkflow.metadata.includeContextMetadata, true);
    assert.equal(inWorkflow.metadata.extra, 'yes');

    const failure = found(logger.records, 'outer failure');
    assert.equal(failure.level, 'error');
    assert.equal(failure.metadata.stepName, 'compat-logger.step');
    assert.ok(failure.metadata.error instanceof Error);
    const stack = String(failure.metadata.stack);
    assert.match(stack, /^Error: outer failure\n\s+at /);
    assert.match(stack, /\[cause\]: .*inner cause/s);

    const plain = found(logger.records, 'plain failure');
    assert.equal(typeof plain.metadata.stack, 'string');
    assert.equal(found(logger.records, '{"structured":1}').level, 'info');
  });

  test("runWithContext({ logger }) is DBOS.logger in the callback's own code; workflows and steps keep the configured one", async () => {
    const configured = capture();
    const perCall = capture();
    DBOS.setConfig(backend.freshConfig({ logger: configured }));
    await DBOS.launch();
    await DBOS.runWithContext({ logger: perCall }, async () => {
      DBOS.logger.info('from the caller');
      await DBOS.startWorkflow(loggingWorkflow, { workflowID: 'compat-logger-ctx' })().then((h) => h.getResult());
    });
    DBOS.logger.info('after the callback');
    assert.deepEqual(perCall.records.map((r) => r.message), ['from the caller']);
    found(configured.records, 'in workflow');
    found(configured.records, 'after the callback');
  });

  test('without addContextMetadata the flag says false, and the console logger prints the cause chain', async () => {
    const logger = capture();
    DBOS.setConfig(backend.freshConfig({ logger }));
    await DBOS.launch();
    DBOS.logger.warn('outside');
    assert.equal(found(logger.records, 'outside').metadata.includeContextMetadata, false);
    await DBOS.shutdown();

    DBOS.setConfig(backend.freshConfig({ logLevel: 'info' }));
    await DBOS.launch();
    const lines = await consoleLines(['error'], () => DBOS.logger.error(new Error('console outer', { cause: new Error('console inner') })));
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /console outer[\s\S]*\[cause\]: [\s\S]*console inner/);
  });
});
