/**
 * An extra worker process of the (q4) queue scenario: started by
 * bench/queues.ts with the tsx loader, it declares the same queues and
 * workflows (by importing bench/queues.ts), launches durably on the
 * configuration in DURABLY_BENCH_CONFIG (the same database as the main
 * process, its own executorID), prints READY, works the queues until a line
 * arrives on stdin (or stdin closes), then prints the drain-task bodies it ran (`BODIES <json>`), shuts down and
 * exits.
 */
import { once } from 'node:events';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { declareBenchQueues, drainBodies } from './queues.ts';

const config = JSON.parse(process.env.DURABLY_BENCH_CONFIG ?? 'null') as DBOSConfig | null;
if (!config) throw new Error('bench/queue-worker.ts is started by bench/queues.ts, with DURABLY_BENCH_CONFIG set.');

declareBenchQueues();
DBOS.setConfig(config);
await DBOS.launch();
console.log('READY');
process.stdin.setEncoding('utf8');
await Promise.race([once(process.stdin, 'data'), once(process.stdin, 'end')]);
console.log(`BODIES ${JSON.stringify(drainBodies)}`);
await DBOS.shutdown();
process.exit(0);
