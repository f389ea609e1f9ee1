/**
 * Every connection to Postgres is cut, and new ones refused, while workflows
 * with steps, a queue, waits (recv, getEvent, getResult), a schedule and the
 * heartbeat run in this process; then the network comes back. Nothing may
 * crash the process, no step may run twice (a failed checkpoint write is
 * retried, not the step), LISTEN must come back (a send wakes its recv
 * promptly), and everything must finish with no relaunch.
 *
 * Postgres-only: durably reaches Postgres over TCP connections, which a proxy
 * can cut; SQLite is a file in this process, with no connection to lose.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { DBOS, WorkflowQueue } from '../../src/index.ts';
import { proxiedPostgresSkip, useProxiedPostgres } from './support/proxied-postgres.ts';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const stepRuns = new Map<string, number>();
const ticks: number[] = [];

const countedStep = DBOS.registerStep(
  async (key: string) => {
    stepRuns.set(key, (stepRuns.get(key) ?? 0) + 1);
    await pause(30);
    return key;
  },
  { name: 'cutCountedStep' },
);

const stepsWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    const done: string[] = [];
    for (let index = 0; index < 4; index++) {
      done.push(await countedStep(`${label}/${index}`));
      await pause(40); // spread the steps so the cut falls between and during checkpoints
    }
    return done.length;
  },
  { name: 'cutStepsWorkflow' },
);

const receiver = DBOS.registerWorkflow(async () => DBOS.recv<string>('topic', 30), { name: 'cutReceiver' });

const eventSetter = DBOS.registerWorkflow(
  async () => {
    const go = await DBOS.recv<string>('go', 30);
    await DBOS.setEvent('ready', `set after ${go}`);
    return 'set';
  },
  { name: 'cutEventSetter' },
);

const eventWaiter = DBOS.registerWorkflow(async (setterID: string) => DBOS.getEvent<string>(setterID, 'ready', 30), {
  name: 'cutEventWaiter',
});

const parent = DBOS.registerWorkflow(
  async (label: string) => {
    const child = await DBOS.startWorkflow(stepsWorkflow)(`${label}-child`);
    return child.getResult();
  },
  { name: 'cutParent' },
);

const tick = DBOS.registerWorkflow(
  async () => {
    ticks.push(Date.now());
  },
  { name: 'cutTick' },
);
DBOS.registerScheduled(tick, { crontab: '* * * * * *' });

const queue = new WorkflowQueue('cut-queue', { workerConcurrency: 4, minPollingIntervalMs: 50 });

describe('connections cut and refused under load [postgres]', { skip: proxiedPostgresSkip }, () => {
  const database = useProxiedPostgres();
  afterEach(() => DBOS.shutdown());

  it('rides through a 1.5 s outage: no crash, no step twice, LISTEN back, all finish without a relaunch', async () => {
    const proxy = database.proxy();
    DBOS.setConfig(database.config({ heartbeatIntervalMs: 200, databaseOutageTimeoutMs: 20_000 }));
    await DBOS.launch();

    const queued = [];
    for (let index = 0; index < 12; index++) {
      queued.push(await DBOS.startWorkflow(stepsWorkflow, { workflowID: `cut-q-${index}`, queueName: queue.name })(`q${index}`));
    }
    const direct = await DBOS.startWorkflow(stepsWorkflow, { workflowID: 'cut-direct' })('direct');
    const parentHandle = await DBOS.startWorkflow(parent, { workflowID: 'cut-parent' })('parent');
    const receiverHandle = await DBOS.startWorkflow(receiver, { workflowID: 'cut-receiver' })();
    const setterHandle = await DBOS.startWorkflow(eventSetter, { workflowID: 'cut-setter' })();
    const waiterHandle = await DBOS.startWorkflow(eventWaiter, { workflowID: 'cut-waiter' })('cut-setter');
    // Waits from outside a workflow too: getResult and getEvent, pending across the outage.
    const outsideResult = DBOS.retrieveWorkflow('cut-receiver').getResult();
    const outsideEvent = DBOS.getEvent<string>('cut-setter', 'ready', 30);

    await pause(250); // mid-flight: some steps done, some running, checkpoints being written
    const cut = proxy.cutAll();
    proxy.refuse();
    await pause(1500);
    const ticksBefore = ticks.length;
    proxy.resume();
    const back = Date.now();

    const results = await Promise.all([...queued, direct].map((handle) => handle.getResult()));
    const firstDone = Date.now();
    assert.deepEqual(results, results.map(() => 4));
    assert.equal(await parentHandle.getResult(), 4);

    // LISTEN is back: the recv has waited long enough for its safety poll to be seconds apart,
    // so a prompt wake-up means the NOTIFY got through.
    await pause(2500);
    const sentAt = Date.now();
    await DBOS.send('cut-receiver', 'hello', 'topic');
    assert.equal(await receiverHandle.getResult(), 'hello');
    const wakeMs = Date.now() - sentAt;
    await DBOS.send('cut-setter', 'go', 'go');
    assert.equal(await setterHandle.getResult(), 'set');
    assert.equal(await waiterHandle.getResult(), 'set after go');
    assert.equal(await outsideResult, 'hello');
    assert.equal(await outsideEvent, 'set after go');

    assert.deepEqual([...stepRuns].filter(([, runs]) => runs !== 1), [], 'each step ran exactly once');
    assert.equal(stepRuns.size, 14 * 4);
    assert.ok(ticks.length > ticksBefore, 'the schedule fired again after the outage');
    assert.ok(wakeMs < 1000, `recv woke ${wakeMs} ms after the send: LISTEN was re-established`);
    assert.ok(cut > 0, 'the proxy had connections to cut');
    console.log(`# cut ${cut} connections; back → all 13 step workflows done: ${firstDone - back} ms; recv woke ${wakeMs} ms after send`);
  });
});
