/**
 * Launch-time behaviour on both backends: lifecycle callbacks (initialize
 * after recovery, destroy at shutdown, logRegisteredEndpoints), the alert
 * handler (before launch only, never called), Conductor launch options (a
 * loud warning), and the timeouts of the waiting calls (typed errors).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, test } from 'node:test';
import {
  DBOS,
  DBOSConfigurationError,
  DBOSConflictingRegistrationError,
  type DBOSLifecycleCallback,
} from '../../src/index.ts';
import { currentRuntime } from '../../src/runtime/runtime.ts';
import { deferred } from '../../src/support/deferred.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { recoveryFinished } from '../helpers/lifecycle.ts';
import { capturingLogger } from '../helpers/system-database-targets.ts';

const events: string[] = [];
let gate = deferred<void>();
const waitsForGate = DBOS.registerWorkflow(
  async () => {
    events.push('workflow body');
    await gate.promise;
    return 'done';
  },
  { name: 'lifecycle-callbacks.waitsForGate' },
);
const setsEvent = DBOS.registerWorkflow(
  async () => {
    await DBOS.setEvent('k', 1);
    return DBOS.recv('topic', 0);
  },
  { name: 'lifecycle-callbacks.setsEvent' },
);

const callback: DBOSLifecycleCallback = {
  async initialize() {
    events.push(`initialize (recovered ${currentRuntime()?.recovered.length ?? 'none'})`);
  },
  async destroy() {
    // As in DBOS, isInitialized() is false from the start of shutdown; the runtime is still usable (executorID reads).
    events.push(`destroy (initialized ${DBOS.isInitialized()}, executor ${DBOS.executorID})`);
  },
  logRegisteredEndpoints() {
    events.push('logRegisteredEndpoints');
  },
};
DBOS.registerLifecycleCallback(callback);
DBOS.registerLifecycleCallback(callback);
const alertHandler = async () => undefined;

test('registerLifecycleCallback and setAlertHandler refuse what is not a callback', () => {
  assert.throws(() => DBOS.registerLifecycleCallback(null as never), DBOSConfigurationError);
  assert.throws(() => DBOS.registerLifecycleCallback({ initialize: 'yes' } as never), /"initialize" must be a function, got string/);
  assert.throws(() => DBOS.setAlertHandler('handler' as never), /expects a function, got string/);
});

forEachBackend('lifecycle callbacks and launch options', (backend) => {
  afterEach(async () => {
    gate.resolve();
    await DBOS.shutdown();
    events.length = 0;
    gate = deferred<void>();
  });

  test('initialize runs once per launch, as recovery starts in the background; destroy first at shutdown', async () => {
    const config = backend.freshConfig({ applicationVersion: 'v1' });
    DBOS.setConfig(config);
    await DBOS.launch();
    assert.deepEqual(events, ['initialize (recovered 0)'], 'registered twice, called once');
    await DBOS.startWorkflow(waitsForGate, { workflowID: `lc-${randomUUID()}` })();
    const executorID = DBOS.executorID;
    await DBOS.shutdown();
    assert.deepEqual(events.slice(1), ['workflow body', `destroy (initialized false, executor ${executorID})`]);
    events.length = 0;
    DBOS.setConfig(config);
    await DBOS.launch();
    // Unlike DBOS, launch does not wait for recovery: initialize may run before the workflow is resumed.
    assert.match(events[0] ?? '', /^initialize \(recovered [01]\)$/);
    await recoveryFinished();
    assert.equal(currentRuntime()?.recovered.length, 1);
    assert.deepEqual(events.slice(1), ['workflow body']);
    DBOS.logRegisteredEndpoints();
    assert.equal(events.at(-1), 'logRegisteredEndpoints');
  });

  test('setAlertHandler before launch is kept; after launch it is refused', async () => {
    const handler = alertHandler;
    DBOS.setAlertHandler(handler);
    DBOS.setAlertHandler(handler);
    assert.throws(() => DBOS.setAlertHandler(async () => undefined), /already set/);
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    assert.throws(() => DBOS.setAlertHandler(handler), DBOSConflictingRegistrationError);
  });

  test('Conductor launch options: launch goes on and warns once, naming the alternatives', async () => {
    const logger = capturingLogger();
    DBOS.setConfig(backend.freshConfig({ logger }));
    await assert.rejects(DBOS.launch({ conductorKey: 42 } as never), /"conductorKey" must be a non-empty string, got 42/);
    await assert.rejects(DBOS.launch({ conductorKye: 'k' } as never), /Unknown DBOS.launch\(\) option "conductorKye"/);
    assert.equal(DBOS.isInitialized(), false);
    await DBOS.launch({ conductorKey: 'secret-key', conductorURL: 'wss://example/conductor' });
    assert.equal(DBOS.isInitialized(), true);
    const warnings = logger.lines.filter((line) => line.level === 'warn' && /Conductor/.test(line.message));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!.message, /durably has no Conductor.*admin server/);
    assert.doesNotMatch(warnings[0]!.message, /secret-key/);
  });

  test('wait timeouts must be finite numbers >= 0 (getEvent, recv, getResult)', async () => {
    DBOS.setConfig(backend.freshConfig());
    await DBOS.launch();
    const handle = await DBOS.startWorkflow(setsEvent, { workflowID: `lc-${randomUUID()}` })();
    const typed = (pattern: RegExp) => (error: unknown) => {
      assert.ok(error instanceof DBOSConfigurationError, String(error));
      assert.match(error.message, pattern);
      return true;
    };
    await assert.rejects(DBOS.getEvent(handle.workflowID, 'k', 'x' as never), typed(/DBOS.getEvent: .*got "x"/));
    await assert.rejects(DBOS.getEvent(handle.workflowID, 'k', -1), typed(/DBOS.getEvent: timeoutSeconds .*got -1/));
    await assert.rejects(DBOS.getEvent(handle.workflowID, 'k', { timeoutSeconds: Infinity }), typed(/got Infinity/));
    await assert.rejects(DBOS.getResult(handle.workflowID, 'soon' as never), typed(/DBOS.getResult: .*got "soon"/));
    await assert.rejects(DBOS.getResult(handle.workflowID, { timeoutSeconds: Number.NaN }), typed(/got NaN/));
    await assert.rejects(handle.getResult({ pollingIntervalMs: 0 }), typed(/pollingIntervalMs must be a finite number > 0, got 0/));
    await assert.rejects(DBOS.recv('topic', 'x' as never), typed(/DBOS.recv: .*got "x"/));
    assert.equal(await DBOS.getEvent(handle.workflowID, 'k', 5), 1);
    assert.equal(await DBOS.getResult(handle.workflowID, { timeoutSeconds: 5 }), null);
  });
});
