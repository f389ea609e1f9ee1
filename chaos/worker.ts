/**
 * One chaos worker process, started by the driver (workers.ts) with the tsx
 * loader and its settings as JSON in CHAOS_WORKER: the databases, the ledger
 * file, its executor ID. It registers the workload, launches durably (which
 * recovers this executor's unfinished workflows), prints READY and works the
 * "chaos" queue until it is killed. It never exits by itself: an unhandled
 * error that ends it is a finding, and the driver reports it.
 */
import { DBOS } from '../src/index.ts';
import type { WorkerDatabaseConfig } from './chaos-database.ts';
import { deliveryTable } from './deliveries.ts';
import { Ledger } from './ledger.ts';
import { registerWorkload } from './workload.ts';

export interface WorkerSettings {
  database: WorkerDatabaseConfig;
  ledgerPath: string;
  executorID: string;
  workerConcurrency: number;
  heartbeatIntervalMs: number;
  executorTimeoutMs: number;
}

const raw = process.env.CHAOS_WORKER;
if (!raw) throw new Error('chaos/worker.ts is started by the chaos driver (npm run chaos), with CHAOS_WORKER set.');
const settings = JSON.parse(raw) as WorkerSettings;

registerWorkload(new Ledger(settings.ledgerPath), deliveryTable(settings.database), settings.workerConcurrency);
DBOS.setConfig({
  name: 'durably-chaos',
  systemDatabaseUrl: settings.database.systemDatabaseUrl,
  executorID: settings.executorID,
  heartbeatIntervalMs: settings.heartbeatIntervalMs,
  executorTimeoutMs: settings.executorTimeoutMs,
  logLevel: 'warn',
});
await DBOS.launch();
console.log('READY');
