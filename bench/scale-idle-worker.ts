/**
 * The worker process of (s)'s idle load (bench/scale-idle.ts), started with
 * the tsx loader on DURABLY_BENCH_CONFIG, DURABLY_SCALE_QUEUES (queues to
 * declare), DURABLY_SCALE_WAITERS (workflows to leave waiting: half in
 * DBOS.recv, half in DBOS.getEvent, each for an hour) and
 * DURABLY_SCALE_WINDOW_MS (and optionally DURABLY_SCALE_RECHECK_PERIOD_MS, below). Once every waiter is started and a settling pause
 * has passed, it counts the SQL statements its drivers send and its CPU time
 * over the window (opened by printing QUIET), prints `RESULT <json>`, and waits to be killed (the
 * waiters stay PENDING in a throwaway database).
 */
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { engineFor } from '../src/runtime/runtime.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
const queueCount = Number(process.env.DURABLY_SCALE_QUEUES ?? '1');
const waiters = Number(process.env.DURABLY_SCALE_WAITERS ?? '0');
const windowMs = Number(process.env.DURABLY_SCALE_WINDOW_MS ?? '10000');
if (!config) throw new Error('bench/scale-idle-worker.ts is started by bench/scale-idle.ts.');

/** Statements sent, by their text (first 100 characters): the idle load's sources. */
const sent = new Map<string, number>();
/** The waiters' reads, told by the whole text (a long schema name pushes the table out of the first 100 characters). */
const firstReads = { recv: 0, getEvent: 0 };
type Method = (this: object, ...args: unknown[]) => unknown;
function count(prototype: object, method: string, textOf: (self: object, args: unknown[]) => unknown): void {
  const target = prototype as Record<string, Method>;
  const original = target[method]!;
  target[method] = function (this: object, ...args: unknown[]) {
    const raw = textOf(this, args);
    const full = (typeof raw === 'string' ? raw : String((raw as { text?: string })?.text ?? '')).replace(/\s+/g, ' ').trim();
    if (/FROM \S*notifications WHERE/.test(full)) firstReads.recv++;
    if (/FROM \S*workflow_events WHERE/.test(full)) firstReads.getEvent++;
    const text = full.slice(0, 100);
    sent.set(text, (sent.get(text) ?? 0) + 1);
    return original.apply(this, args);
  };
}
count(pg.Client.prototype, 'query', (_self, [query]) => query);
for (const method of ['all', 'run', 'get', 'iterate']) count(StatementSync.prototype, method, (self) => (self as StatementSync).sourceSQL);
count(DatabaseSync.prototype, 'exec', (_self, [sql]) => sql);
/** SQLite's change watcher: `PRAGMA data_version` reads no table (about 1 µs): counted apart from real statements. */
const isWatcher = (text: string) => /^PRAGMA data_version/i.test(text);

for (let i = 0; i < queueCount; i++) new WorkflowQueue(`scale-idle-queue-${i}`);

const inRecv = DBOS.registerWorkflow(async () => DBOS.recv('never-sent', 3600), { name: 'bench.scale.idleRecv' });
const inGetEvent = DBOS.registerWorkflow(async (of: string) => DBOS.getEvent(of, 'never-set', 3600), { name: 'bench.scale.idleGetEvent' });

DBOS.setConfig(config);
await DBOS.launch();
// The batched re-check of sleeping waiters (engine/sleeping-waiters-recheck.ts): DURABLY_SCALE_RECHECK_PERIOD_MS
// sets its period, 'off' leaves it out (the idle load as it was before it: bench/run-idle-recheck.ts compares).
const recheckPeriod = process.env.DURABLY_SCALE_RECHECK_PERIOD_MS;
if (recheckPeriod) engineFor('bench').sleepingWaiters.periodMs = recheckPeriod === 'off' ? Number.POSITIVE_INFINITY : Number(recheckPeriod);
const startedAt = performance.now();
for (let start = 0; start < waiters; start += 250) {
  const batch = Array.from({ length: Math.min(250, waiters - start) }, (_, i) => start + i);
  await Promise.all(
    batch.map((i) =>
      i % 2 === 0
        ? DBOS.startWorkflow(inRecv, { workflowID: `idle-${i}` })()
        : DBOS.startWorkflow(inGetEvent, { workflowID: `idle-${i}` })(`idle-${i - 1}`),
    ),
  );
}
const startMs = waiters > 0 ? performance.now() - startedAt : undefined;
// Every waiter reaches its wait: started is not waiting yet (first reads queue behind
// systemDatabasePollingConcurrency, and on Postgres 10,000 of them take many seconds). Wait for each
// waiter's first read, counted by its statement, then a pause for the start-up's writes to flush.
const settleBy = performance.now() + 600_000;
while (
  (firstReads.recv < Math.ceil(waiters / 2) || firstReads.getEvent < Math.floor(waiters / 2)) &&
  performance.now() < settleBy
) {
  await sleep(200);
}
await sleep(2_000);

console.log('QUIET');
const sent0 = new Map(sent);
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
await sleep(windowMs);
const wall = performance.now() - wall0;
const cpu = process.cpuUsage(cpu0);
const perSec = [...sent].map(([text, n]) => ({ text, perSec: ((n - (sent0.get(text) ?? 0)) / wall) * 1000 })).filter((s) => s.perSec > 0);
const sum = (list: typeof perSec) => list.reduce((total, s) => total + s.perSec, 0);
const result = {
  statementsPerSec: sum(perSec.filter((s) => !isWatcher(s.text))),
  watcherChecksPerSec: sum(perSec.filter((s) => isWatcher(s.text))),
  topStatements: perSec.filter((s) => !isWatcher(s.text)).sort((a, b) => b.perSec - a.perSec).slice(0, 3),
  cpuPercent: ((cpu.user + cpu.system) / 1000 / wall) * 100,
  startMs,
  rssMb: process.memoryUsage().rss / 1024 / 1024,
};
console.log(`RESULT ${JSON.stringify(result)}`);
await new Promise(() => setInterval(() => undefined, 60_000)); // until killed
