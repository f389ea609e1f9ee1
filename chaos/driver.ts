/**
 * One chaos run: open the databases, start the workers, enqueue orders
 * continuously through a DBOSClient (never more than `maxBacklog` unfinished)
 * while faults are injected, then drain (no faults, every worker up, no new
 * work) until every order finished or the drain time is up, stop the
 * workers, and verify. The driver's own client rides through the same cuts
 * and restarts as the workers: an enqueue that fails is retried under the
 * same workflow ID, so it happens once.
 */
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DBOSClient } from '../src/index.ts';
import { openPostgresChaosDatabase, openSQLiteChaosDatabase, type ChaosDatabase } from './chaos-database.ts';
import { executorTimeoutMs, heartbeatIntervalMs, injectFaults } from './faults.ts';
import { Ledger, readLedger } from './ledger.ts';
import { seededRandom, type ChaosOptions } from './options.ts';
import { verifyRun, writeDiagnostics, type Verdict } from './verifier.ts';
import { WorkerPool, type WorkerCrash } from './workers.ts';
import { orderID, orderWorkflowName, queueName } from './workload.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ChaosResult {
  verdict: Verdict;
  database: string;
  restartsSkipped: string | undefined;
  crashes: WorkerCrash[];
  failedLaunches: WorkerCrash[];
  faultErrors: string[];
  enqueueErrors: number;
  /** Per restart: ms from the database answering again to the next completed order. */
  recoveryMs: number[];
  chaosMs: number;
  drainMs: number;
  ledgerPath: string;
}

async function until<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

async function countOrders(database: ChaosDatabase): Promise<{ done: number; open: number }> {
  const rows = await database.rows(
    `SELECT SUM(CASE WHEN status = 'SUCCESS' AND name = '${orderWorkflowName}' THEN 1 ELSE 0 END) AS done, ` +
      `SUM(CASE WHEN status IN ('PENDING', 'ENQUEUED') THEN 1 ELSE 0 END) AS open FROM ${database.table('workflow_status')}`,
  );
  return { done: Number(rows[0]?.done ?? 0), open: Number(rows[0]?.open ?? 0) };
}

async function recoveryTimes(database: ChaosDatabase, ledgerPath: string): Promise<number[]> {
  const times: number[] = [];
  for (const entry of readLedger(ledgerPath)) {
    if (entry.kind !== 'restart') continue;
    const rows = await database.rows(
      `SELECT MIN(COALESCE(completed_at, updated_at)) AS first FROM ${database.table('workflow_status')} ` +
        `WHERE status = 'SUCCESS' AND name = '${orderWorkflowName}' AND COALESCE(completed_at, updated_at) >= ${entry.backAt}`,
    );
    if (rows[0]?.first !== null && rows[0]?.first !== undefined) times.push(Number(rows[0].first) - entry.backAt);
  }
  return times;
}

export async function runChaos(options: ChaosOptions, say: (line: string) => void = console.log): Promise<ChaosResult> {
  const database = options.backend === 'postgres' ? await openPostgresChaosDatabase(options.restarts) : await openSQLiteChaosDatabase();
  const withRestarts = options.backend === 'postgres' && database.restartsUnavailable === undefined;
  if (options.backend === 'postgres' && !withRestarts) {
    console.warn(`\n!!! CHAOS: POSTGRES RESTARTS SKIPPED: ${database.restartsUnavailable}. Kills and connection cuts only.\n`);
  }
  const ledgerPath = join(tmpdir(), `durably-chaos-ledger-${randomUUID()}.jsonl`);
  const ledger = new Ledger(ledgerPath);
  const settings = (executorID: string) => ({
    database: database.config,
    ledgerPath,
    executorID,
    workerConcurrency: 8,
    heartbeatIntervalMs,
    executorTimeoutMs,
  });
  const pool = new WorkerPool(options.workers, settings, ledger, `${ledgerPath}.stderr.log`);
  say(`chaos: ${options.backend}, ${database.description}, ${options.workers} workers, ${options.chaosMs / 1000} s of faults, seed ${options.seed}`);
  try {
    return await driveAndVerify(options, database, ledger, ledgerPath, pool, withRestarts, say);
  } finally {
    await pool.killAll();
  }
}

async function driveAndVerify(
  options: ChaosOptions,
  database: ChaosDatabase,
  ledger: Ledger,
  ledgerPath: string,
  pool: WorkerPool,
  withRestarts: boolean,
  say: (line: string) => void,
): Promise<ChaosResult> {
  const random = seededRandom(options.seed);
  pool.startMissing();
  // The first worker's launch creates the schema; a client never migrates, so wait for it.
  const client = await until(async () => {
    const created = await DBOSClient.create({ systemDatabaseUrl: database.config.systemDatabaseUrl, logger: quietLogger });
    await created.listWorkflows({ limit: 1 }).catch(async (error) => {
      await created.destroy();
      throw error;
    });
    return created;
  }, 60_000);

  let enqueued = 0;
  let done = 0;
  let enqueueErrors = 0;
  let enqueuing = true;
  const enqueueLoop = (async () => {
    while (enqueuing) {
      if (enqueued - done >= options.maxBacklog) {
        await sleep(100);
        continue;
      }
      try {
        await client.enqueue({ workflowName: orderWorkflowName, queueName, workflowID: orderID(enqueued) }, enqueued);
        enqueued++;
      } catch {
        enqueueErrors++;
        await sleep(200);
      }
    }
  })();
  let counting = true;
  const countLoop = (async () => {
    while (counting) {
      done = await countOrders(database).then((counts) => counts.done).catch(() => done);
      await sleep(500);
    }
  })();

  const chaosStart = Date.now();
  const faults = await injectFaults(chaosStart + options.chaosMs, random, pool, database, ledger, withRestarts);
  enqueuing = false;
  await enqueueLoop;
  const chaosMs = Date.now() - chaosStart;
  say(`chaos: fault phase over after ${Math.round(chaosMs / 1000)} s: ${enqueued} orders enqueued, ${done} done; draining`);

  pool.startAll();
  const drainStart = Date.now();
  let open = Infinity;
  while (Date.now() - drainStart < options.drainTimeoutMs) {
    const counts = await countOrders(database).catch(() => undefined);
    if (counts) ({ done, open } = counts);
    if (done >= enqueued && open === 0) break;
    await sleep(500);
  }
  const drainMs = Date.now() - drainStart;
  counting = false;
  await countLoop;
  await pool.killAll();
  ledger.close();

  const verdict = await verifyRun(database, client, ledgerPath, enqueued);
  for (const crash of pool.crashes) verdict.violations.push(`worker ${crash.executorID} (pid ${crash.pid}) died by itself (${crash.exit}): ${crash.stderrTail}`);
  const recoveryMs = await recoveryTimes(database, ledgerPath);
  await client.destroy();
  const failed = verdict.violations.length > 0;
  if (failed) await writeDiagnostics(database, verdict, `${ledgerPath}.diagnostics.json`);
  // A failed run keeps its ledger and SQLite files or shared-server database; a private cluster goes (see diagnostics).
  const keep = options.keep || (failed && options.backend === 'sqlite') || (failed && !withRestarts);
  await database.dispose(keep);
  if (!failed && !options.keep) rmSync(ledgerPath, { force: true });
  if (!failed && !options.keep) rmSync(`${ledgerPath}.stderr.log`, { force: true });
  return {
    verdict,
    database: database.description,
    restartsSkipped: options.backend === 'postgres' ? database.restartsUnavailable : undefined,
    crashes: pool.crashes,
    failedLaunches: pool.failedLaunches,
    faultErrors: faults.errors,
    enqueueErrors,
    recoveryMs,
    chaosMs,
    drainMs,
    ledgerPath,
  };
}

const quietLogger = {
  info: () => undefined,
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
