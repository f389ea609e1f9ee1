/**
 * The communication scenarios: how long a waiter takes to wake.
 *
 *   (m) DBOS.send (outside a workflow) → the waiting DBOS.recv (in a workflow) returns
 *   (e) DBOS.setEvent (in that workflow) → the waiting DBOS.getEvent (outside) returns
 *
 * A ping-pong: the receiver workflow loops `recv('ping')` → `setEvent('pong-<i>')`;
 * the sender (outside any workflow) pauses, sends round i, then waits on
 * `getEvent('pong-<i>')` (a fresh key each round, so the getEvent always waits
 * for a value not yet set). Each half is timed with a clock shared by both
 * sides: `performance.timeOrigin + performance.now()` (epoch ms with sub-ms
 * resolution, comparable across the processes of one machine; the offset
 * between two processes' clocks is measured over a pipe and shown).
 *
 *   send half:  sender's clock just before `DBOS.send` → receiver's clock just after `recv` returned
 *   event half: receiver's clock just before `DBOS.setEvent` → sender's clock just after `getEvent` returned
 *
 * The sender's pause (by default 3 to 10 ms, varying) lets the receiver's next `recv`
 * start waiting before the send (its deadline write and first empty read
 * take ~1 ms): the figure is a wake-up, not a message already there. Each
 * round records whether `recv` was called before the send and `getEvent`
 * before the `setEvent`; both counts are reported.
 *
 * Run in one process (the receiver workflow started by this process), and
 * across two: the receiver workflow started and run by a child process
 * (`process.execPath` with the tsx loader, bench/communication-worker.ts) on
 * the same database, the sender in this process. The pause can be made
 * longer (main.ts's idle variant: 0.25 to 2 s) to see how a waiter that has
 * waited a while wakes.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { BenchChild } from './bench-child.ts';
import { quantile, withDurably } from './workflows.ts';

export { preciseNow } from './bench-child.ts';
import { preciseNow } from './bench-child.ts';

/** What the receiver publishes for each round, as the value of event `pong-<i>`. */
interface Pong {
  round: number;
  /** Receiver's clock: just before DBOS.recv was called, just after it returned, just before DBOS.setEvent. */
  recvCalledAt: number;
  recvReturnedAt: number;
  setEventCalledAt: number;
}

export const pingTopic = 'ping';
const waitSeconds = 30;

export const pingPongReceiver = DBOS.registerWorkflow(
  async function benchPingPongReceiver(rounds: number): Promise<number> {
    for (let round = 0; round < rounds; round++) {
      const recvCalledAt = preciseNow();
      const message = await DBOS.recv<number>(pingTopic, waitSeconds);
      const recvReturnedAt = preciseNow();
      if (message !== round) throw new Error(`Ping-pong receiver: round ${round} received ${message}`);
      const pong: Pong = { round, recvCalledAt, recvReturnedAt, setEventCalledAt: preciseNow() };
      await DBOS.setEvent(`pong-${round}`, pong);
    }
    return rounds;
  },
  { name: 'benchPingPongReceiver' },
);

// ---------------------------------------------------------------- the ping-pong

export interface Latencies {
  medianMs: number;
  p99Ms: number;
  maxMs: number;
}

export interface PingPongResult {
  processes: 1 | 2;
  rounds: number;
  /** DBOS.send called → the waiting recv returned. */
  send: Latencies;
  /** Of which the send call itself (its commit): DBOS.send called → returned, in the sender. */
  sendCall: Latencies;
  /** DBOS.setEvent called → the waiting getEvent returned. */
  event: Latencies;
  /** Rounds in which recv was called before the send, and getEvent before the setEvent. */
  recvFirst: number;
  getEventFirst: number;
  /** Child's clock − ours, and the pipe round trip it was measured with (two processes only). */
  clock?: { offsetMs: number; pipeRoundTripMs: number };
}

export function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { medianMs: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted.at(-1)! };
}

/** The sender's pause before round i: 3 to 10 ms, so that the receiver's recv is waiting by then. */
export const defaultPause = (round: number) => 3 + (round % 8);

/** The sender's side: `warmup + runs` rounds against the receiver workflow `workflowID`, the last `runs` kept. */
async function pingPong(workflowID: string, warmup: number, runs: number, clockOffsetMs: number, pause: (round: number) => number) {
  const send: number[] = [];
  const sendCall: number[] = [];
  const event: number[] = [];
  let recvFirst = 0;
  let getEventFirst = 0;
  for (let round = 0; round < warmup + runs; round++) {
    await sleep(pause(round));
    const sentAt = preciseNow();
    await DBOS.send(workflowID, round, pingTopic);
    const sendReturnedAt = preciseNow();
    const pong = await DBOS.getEvent<Pong>(workflowID, `pong-${round}`, waitSeconds);
    const gotAt = preciseNow();
    if (pong?.round !== round) throw new Error(`Ping-pong sender: round ${round} got ${JSON.stringify(pong)}`);
    if (round < warmup) continue;
    // The receiver's times on our clock.
    const recvCalledAt = pong.recvCalledAt - clockOffsetMs;
    const recvReturnedAt = pong.recvReturnedAt - clockOffsetMs;
    const setEventCalledAt = pong.setEventCalledAt - clockOffsetMs;
    send.push(recvReturnedAt - sentAt);
    sendCall.push(sendReturnedAt - sentAt);
    event.push(gotAt - setEventCalledAt);
    if (recvCalledAt < sentAt) recvFirst++;
    if (sendReturnedAt < setEventCalledAt) getEventFirst++;
  }
  return {
    rounds: runs,
    send: latencies(send),
    sendCall: latencies(sendCall),
    event: latencies(event),
    recvFirst,
    getEventFirst,
  };
}

/** The receiver workflow and the sender both in this process. */
export function pingPongOneProcess(config: DBOSConfig, warmup: number, runs: number, pause = defaultPause): Promise<PingPongResult> {
  return withDurably({ ...config, executorID: 'bench-sender' }, async () => {
    const workflowID = `bench-ping-pong-${randomUUID()}`;
    const handle = await DBOS.startWorkflow(pingPongReceiver, { workflowID })(warmup + runs);
    const result = await pingPong(workflowID, warmup, runs, 0, pause);
    if ((await handle.getResult()) !== warmup + runs) throw new Error('Ping-pong receiver did not finish its rounds');
    return { processes: 1, ...result };
  });
}

/** The receiver workflow in a child process, the sender in this one, on the same database. */
export function pingPongTwoProcesses(config: DBOSConfig, warmup: number, runs: number, pause = defaultPause): Promise<PingPongResult> {
  const shared = { ...config, applicationVersion: 'bench-ping-pong' };
  return withDurably({ ...shared, executorID: 'bench-sender' }, async () => {
    const workflowID = `bench-ping-pong-${randomUUID()}`;
    const receiver = new BenchChild('bench/communication-worker.ts', {
      DURABLY_BENCH_CONFIG: JSON.stringify({ ...shared, executorID: 'bench-receiver' }),
      DURABLY_BENCH_RECEIVER: JSON.stringify({ workflowID, rounds: warmup + runs }),
    });
    try {
      await receiver.ready();
      const clock = await receiver.clockOffset();
      const result = await pingPong(workflowID, warmup, runs, clock.offsetMs, pause);
      const done = await DBOS.retrieveWorkflow<number>(workflowID).getResult();
      if (done !== warmup + runs) throw new Error('Ping-pong receiver did not finish its rounds');
      return { processes: 2, ...result, clock };
    } finally {
      await receiver.stop();
    }
  });
}

// ---------------------------------------------------------------- the raw limit of a wake-up

/**
 * Postgres's own wake-up across connections: `SELECT pg_notify(...)` on one
 * connection (autocommit) until another connection, LISTENing, receives it.
 * `runs` after `warmup`, each after `pause(i)` ms idle.
 */
export async function postgresNotifyLatency(url: string, warmup: number, runs: number, pause = defaultPause): Promise<Latencies> {
  const sender = new pg.Client({ connectionString: url });
  const listener = new pg.Client({ connectionString: url });
  await Promise.all([sender.connect(), listener.connect()]);
  const channel = `bench_raw_notify_${randomUUID().replaceAll('-', '').slice(0, 8)}`;
  try {
    await listener.query(`LISTEN ${channel}`);
    let heard: ((payload: string | undefined) => void) | undefined;
    listener.on('notification', (message) => heard?.(message.payload));
    const values: number[] = [];
    for (let i = 0; i < warmup + runs; i++) {
      await sleep(pause(i));
      const arrived = new Promise<string | undefined>((resolve) => (heard = resolve));
      const sent = performance.now();
      await sender.query('SELECT pg_notify($1, $2)', [channel, String(i)]);
      if ((await arrived) !== String(i)) throw new Error('Raw NOTIFY: a notification went astray');
      if (i >= warmup) values.push(performance.now() - sent);
    }
    return latencies(values);
  } finally {
    await Promise.all([sender.end(), listener.end()].map((p) => p.catch(() => undefined)));
  }
}
