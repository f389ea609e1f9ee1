/**
 * A worker process of (s)'s many-processes curve (bench/scale-processes.ts):
 * declares the shared no-limit queue, launches durably on
 * DURABLY_BENCH_CONFIG, prints READY, and runs the queue's no-op tasks until
 * `stop` on stdin (then shuts down and exits).
 */
import { createInterface } from 'node:readline';
import { DBOS, WorkflowQueue, type DBOSConfig } from '../src/index.ts';
import { processesQueueName, processesTask } from './scale-processes-task.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
if (!config) throw new Error('bench/scale-process-worker.ts is started by bench/scale-processes.ts.');

new WorkflowQueue(processesQueueName);
void processesTask; // registered at import
DBOS.setConfig(config);
await DBOS.launch();
console.log('READY');
for await (const line of createInterface({ input: process.stdin })) if (line === 'stop') break;
await DBOS.shutdown();
process.exit(0);
