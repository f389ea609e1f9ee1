/**
 * (k) DBOSClient across processes: a client in this process (no durably
 * launched here), a worker in a child process (bench/client-worker.ts), one
 * database.
 *
 *   (k1) client.enqueue called → the task's body starts in the worker, on an
 *        idle queue (each round waits for the last task's result, then pauses
 *        3 to 10 ms)
 *   (k2) DBOS.setEvent in the worker's workflow → the client's waiting
 *        getEvent returns (the client sends `go`, the workflow sets the event)
 *
 * Times are `performance.timeOrigin + performance.now()` in each process, the
 * worker's put on this process's clock by the offset measured over the pipe.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { DBOS, DBOSClient, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { BenchChild, preciseNow } from './bench-child.ts';
import { defaultPause, latencies, type Latencies } from './communication.ts';

const queueName = 'bench_client_queue';
const taskName = 'benchClientTask';

/** The task's body start, on the worker's clock. */
export const clientTask = DBOS.registerWorkflow(async () => preciseNow(), { name: taskName });

/** Loops: recv `go` (the round) → setEvent `e-<round>` with the time just before setEvent, on the worker's clock. */
export const clientEventWorkflow = DBOS.registerWorkflow(
  async (rounds: number) => {
    for (let round = 0; round < rounds; round++) {
      const go = await DBOS.recv<number>('go', 30);
      if (go !== round) throw new Error(`Client bench: round ${round} received ${go}`);
      await DBOS.setEvent(`e-${round}`, preciseNow());
    }
    return rounds;
  },
  { name: 'benchClientEvents' },
);

export function declareClientQueue(): void {
  new WorkflowQueue(queueName);
}

export interface ClientResult {
  rounds: number;
  /** (k1) enqueue called → the task's body started. */
  enqueueToStart: Latencies;
  /** (k2) setEvent called → the client's getEvent returned. */
  eventWake: Latencies;
  clock: { offsetMs: number; pipeRoundTripMs: number };
}

function clientOptions(config: DBOSConfig) {
  return { systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName };
}

export async function clientLatency(config: DBOSConfig, warmup: number, runs: number): Promise<ClientResult> {
  const eventsID = `bench-client-events-${randomUUID()}`;
  const rounds = warmup + runs;
  const worker = new BenchChild('bench/client-worker.ts', {
    DURABLY_BENCH_CONFIG: JSON.stringify({ ...config, executorID: 'bench-client-worker', applicationVersion: 'bench-client' }),
    DURABLY_BENCH_EVENTS: JSON.stringify({ workflowID: eventsID, rounds }),
  });
  let client: DBOSClient | undefined;
  try {
    await worker.ready();
    const clock = await worker.clockOffset();
    client = await DBOSClient.create(clientOptions(config));
    const enqueueToStart: number[] = [];
    const eventWake: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await sleep(defaultPause(round));
      const enqueuedAt = preciseNow();
      const handle = await client.enqueue({ queueName, workflowName: taskName, appVersion: 'bench-client' });
      const startedAt = (await handle.getResult()) as number;
      await sleep(defaultPause(round));
      await client.send(eventsID, round, 'go');
      const setAt = await client.getEvent<number>(eventsID, `e-${round}`, 30);
      const gotAt = preciseNow();
      if (setAt === null) throw new Error(`Client bench: no event for round ${round}`);
      if (round < warmup) continue;
      enqueueToStart.push(startedAt - clock.offsetMs - enqueuedAt);
      eventWake.push(gotAt - (setAt - clock.offsetMs));
    }
    return { rounds: runs, enqueueToStart: latencies(enqueueToStart), eventWake: latencies(eventWake), clock };
  } finally {
    await client?.destroy();
    await worker.stop();
  }
}
