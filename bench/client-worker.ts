/**
 * The worker process of the client scenario (bench/client.ts): started with
 * the tsx loader, it declares the bench client queue, launches durably on
 * DURABLY_BENCH_CONFIG (the same database as the client), starts the event
 * workflow with the ID and round count in DURABLY_BENCH_EVENTS, and prints
 * READY; `clock` on stdin is answered with `CLOCK <epoch ms>`, and `stop`
 * waits for the event workflow, shuts down and exits.
 */
import { createInterface } from 'node:readline';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { preciseNow } from './bench-child.ts';
import { clientEventWorkflow, declareClientQueue } from './client.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
const events = JSON.parse(process.env.DURABLY_BENCH_EVENTS ?? 'null') as { workflowID: string; rounds: number } | null;
if (!config || !events) throw new Error('bench/client-worker.ts is started by bench/client.ts.');

declareClientQueue();
DBOS.setConfig(config);
await DBOS.launch();
const handle = await DBOS.startWorkflow(clientEventWorkflow, { workflowID: events.workflowID })(events.rounds);
console.log('READY');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'clock') process.stdout.write(`CLOCK ${preciseNow()}\n`);
  if (line === 'stop') break;
}
await handle.getResult();
await DBOS.shutdown();
process.exit(0);
