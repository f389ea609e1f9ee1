/**
 * The receiver's process of the two-process ping-pong: started by
 * bench/communication.ts with the tsx loader, it registers the receiver
 * workflow (by importing bench/communication.ts), launches durably on the
 * configuration in DURABLY_BENCH_CONFIG (the same database as the sender, its
 * own executorID), starts the receiver workflow with the ID and round count in
 * DURABLY_BENCH_RECEIVER, and prints READY. On stdin, `clock` is answered with
 * `CLOCK <epoch ms>` (this process's preciseNow()), and `stop` (or stdin
 * closing) waits for the workflow to finish, shuts down and exits.
 */
import { createInterface } from 'node:readline';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { pingPongReceiver, preciseNow } from './communication.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
const receiver = JSON.parse(process.env.DURABLY_BENCH_RECEIVER ?? 'null') as { workflowID: string; rounds: number } | null;
if (!config || !receiver) throw new Error('bench/communication-worker.ts is started by bench/communication.ts.');

DBOS.setConfig(config);
await DBOS.launch();
const handle = await DBOS.startWorkflow(pingPongReceiver, { workflowID: receiver.workflowID })(receiver.rounds);
console.log('READY');

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'clock') process.stdout.write(`CLOCK ${preciseNow()}\n`);
  if (line === 'stop') break;
}
await handle.getResult();
await DBOS.shutdown();
process.exit(0);
