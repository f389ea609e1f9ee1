/**
 * The fault schedule: until the deadline, every 1-4 s (seeded random), one of
 *   - SIGKILL one worker (one time in ten: every worker at once), restarted
 *     0.2-2 s later under the same executor ID; or, one time in seven, kept
 *     down long enough (takeoverOutageMs) for a live worker to find its
 *     executor silent and put its workflows back on the queue, before it
 *     comes back under its old ID;
 *   - a database fault: every connection cut (Postgres) or the write lock
 *     held by another process (SQLite);
 *   - a crash restart of Postgres (`pg_ctl restart -m immediate`), when the
 *     private cluster is there.
 * Each fault is written to the ledger once it has happened.
 */
import type { ChaosDatabase } from './chaos-database.ts';
import type { Ledger } from './ledger.ts';
import type { WorkerPool } from './workers.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Workers beat every second and call an executor dead after 6 s of silence (driver.ts); this outage outlasts that. */
export const heartbeatIntervalMs = 1000;
export const executorTimeoutMs = 6000;
const takeoverOutageMs = executorTimeoutMs + 3000;

export interface FaultLog {
  errors: string[];
}

export async function injectFaults(
  deadline: number,
  random: () => number,
  pool: WorkerPool,
  database: ChaosDatabase,
  ledger: Ledger,
  withRestarts: boolean,
): Promise<FaultLog> {
  const log: FaultLog = { errors: [] };
  while (Date.now() < deadline) {
    await sleep(1000 + random() * 3000);
    if (Date.now() >= deadline) break;
    const roll = random();
    try {
      if (roll < 0.5) {
        const kind = random();
        if (kind < 0.1) await Promise.all(Array.from({ length: pool.size }, (_, index) => pool.kill(index)));
        else if (kind < 0.25 && pool.alive >= 2) await pool.killFor(Math.floor(random() * pool.size), takeoverOutageMs);
        else await pool.kill(Math.floor(random() * pool.size));
        await sleep(200 + random() * 1800);
        pool.startMissing();
      } else if (roll < 0.8 || !withRestarts) {
        const fault = await database.fault(random);
        ledger.append({ ...fault, t: Date.now() });
      } else {
        const downAt = Date.now();
        await database.restart();
        const backAt = Date.now();
        ledger.append({ kind: 'restart', downAt, backAt, t: backAt });
      }
    } catch (error) {
      // A fault that could not be injected (a cut while the server restarts) is noted, not fatal.
      log.errors.push((error as Error).message.split('\n')[0]!);
    }
  }
  pool.startAll();
  return log;
}
