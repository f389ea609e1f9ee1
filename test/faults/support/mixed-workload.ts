/**
 * The mixed workload the in-process fault tests run through a fault: queued
 * and direct workflows with steps, a child awaited by its parent (getResult),
 * recv, setEvent/getEvent, waits from outside a workflow, a schedule firing
 * every second and the heartbeat. `runMixedWorkload` starts it, lets the test
 * inject its fault mid-flight, then checks that everything finished with no
 * relaunch, each step ran exactly once, the schedule fired again, a send
 * woke its recv promptly (LISTEN re-established) and the heartbeat is fresh. Import it before launch:
 * it registers its workflows.
 */
import assert from 'node:assert/strict';
import { DBOS, WorkflowQueue } from '../../../src/index.ts';
import { engineFor } from '../../../src/runtime/runtime.ts';

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const stepRuns = new Map<string, number>();
const ticks: number[] = [];

const countedStep = DBOS.registerStep(
  async (key: string) => {
    stepRuns.set(key, (stepRuns.get(key) ?? 0) + 1);
    await pause(30);
    return key;
  },
  { name: 'mixedCountedStep' },
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
  { name: 'mixedStepsWorkflow' },
);

const receiver = DBOS.registerWorkflow(async () => DBOS.recv<string>('topic', 30), { name: 'mixedReceiver' });

const eventSetter = DBOS.registerWorkflow(
  async () => {
    const go = await DBOS.recv<string>('go', 30);
    await DBOS.setEvent('ready', `set after ${go}`);
    return 'set';
  },
  { name: 'mixedEventSetter' },
);

const eventWaiter = DBOS.registerWorkflow(async (setterID: string) => DBOS.getEvent<string>(setterID, 'ready', 30), {
  name: 'mixedEventWaiter',
});

const parent = DBOS.registerWorkflow(
  async (label: string) => {
    const child = await DBOS.startWorkflow(stepsWorkflow)(`${label}-child`);
    return child.getResult();
  },
  { name: 'mixedParent' },
);

const tick = DBOS.registerWorkflow(
  async () => {
    ticks.push(Date.now());
  },
  { name: 'mixedTick' },
);
DBOS.registerScheduled(tick, { crontab: '* * * * * *' });

const queue = new WorkflowQueue('mixed-queue', { workerConcurrency: 4, minPollingIntervalMs: 50 });


export interface MixedWorkloadReport {
  /** From the end of the fault to the first completed workflow. */
  firstDoneMs: number;
  /** From the end of the fault to the last of the 13 step workflows. */
  allDoneMs: number;
  /** From a send to its recv's return, a while after the fault. */
  wakeMs: number;
}

/** `fault` runs mid-flight and resolves when the database is reachable again. */
export async function runMixedWorkload(fault: () => Promise<void>): Promise<MixedWorkloadReport> {
  stepRuns.clear();
  const queued = [];
  for (let index = 0; index < 12; index++) {
    queued.push(await DBOS.startWorkflow(stepsWorkflow, { workflowID: `mixed-q-${index}`, queueName: queue.name })(`q${index}`));
  }
  const direct = await DBOS.startWorkflow(stepsWorkflow, { workflowID: 'mixed-direct' })('direct');
  const parentHandle = await DBOS.startWorkflow(parent, { workflowID: 'mixed-parent' })('parent');
  const receiverHandle = await DBOS.startWorkflow(receiver, { workflowID: 'mixed-receiver' })();
  const setterHandle = await DBOS.startWorkflow(eventSetter, { workflowID: 'mixed-setter' })();
  const waiterHandle = await DBOS.startWorkflow(eventWaiter, { workflowID: 'mixed-waiter' })('mixed-setter');
  // Waits from outside a workflow too: getResult and getEvent, pending across the fault.
  const outsideResult = DBOS.retrieveWorkflow('mixed-receiver').getResult();
  const outsideEvent = DBOS.getEvent<string>('mixed-setter', 'ready', 30);

  await pause(250); // mid-flight: some steps done, some running, checkpoints being written
  await fault();
  const back = Date.now();
  const ticksBefore = ticks.length;
  let firstDone = 0;
  const results = await Promise.all(
    [...queued, direct].map(async (handle) => {
      const result = await handle.getResult();
      firstDone ||= Date.now();
      return result;
    }),
  );
  const allDone = Date.now();
  assert.deepEqual(results, results.map(() => 4));
  assert.equal(await parentHandle.getResult(), 4);

  // LISTEN is back: the recv has waited long enough for its safety poll to be seconds apart,
  // so a prompt wake-up means the NOTIFY got through.
  await pause(2500);
  const sentAt = Date.now();
  await DBOS.send('mixed-receiver', 'hello', 'topic');
  assert.equal(await receiverHandle.getResult(), 'hello');
  const wakeMs = Date.now() - sentAt;
  await DBOS.send('mixed-setter', 'go', 'go');
  assert.equal(await setterHandle.getResult(), 'set');
  assert.equal(await waiterHandle.getResult(), 'set after go');
  assert.equal(await outsideResult, 'hello');
  assert.equal(await outsideEvent, 'set after go');

  assert.deepEqual([...stepRuns].filter(([, runs]) => runs !== 1), [], 'each step ran exactly once');
  assert.equal(stepRuns.size, 14 * 4);
  assert.ok(ticks.length > ticksBefore, 'the schedule fired again after the fault');
  assert.ok(wakeMs < 1000, `recv woke ${wakeMs} ms after the send: LISTEN was re-established`);
  // The heartbeat kept beating (run with heartbeatIntervalMs well under a second).
  const executors = await engineFor('the fault test').systemDatabase.dashboard.listExecutors();
  const heartbeatAgeMs = Date.now() - Math.max(...executors.map((executor) => executor.heartbeatAt));
  assert.ok(heartbeatAgeMs < 2000, `the last heartbeat is ${heartbeatAgeMs} ms old`);
  return { firstDoneMs: firstDone - back, allDoneMs: allDone - back, wakeMs };
}
