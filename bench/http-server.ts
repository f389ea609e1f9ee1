/**
 * The server process of the HTTP scenario (bench/http.ts): for the framework
 * named by BENCH_FRAMEWORK (a module in http-servers/), two apps on
 * ephemeral loopback ports: one bare, with POST /noop; one with durably's
 * integration, with POST /noop and POST /durable (a 2-step workflow), and a
 * floor app: the least a request-context middleware does (a response header
 * with a fresh ID, the rest in an AsyncLocalStorage), with POST /noop.
 * Prints `PORTS <bare> <wired> <floor>`; answers each IPC message with its CPU time so
 * far (process.cpuUsage, µs), so the bench can take the CPU per request; `gc` first collects garbage
 * (the server runs with --expose-gc); `middleware-cpu` answers http-middleware-cpu.ts's figures; runs until killed.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DBOS, type DBOSConfig } from '../src/index.ts';
import { middlewareCpu } from './http-middleware-cpu.ts';

/** Serve the bare and the wired app (durably launched already); `durable` runs the workflow. */
export type BenchApps = (durable: () => Promise<string>) => Promise<[bare: Server, wired: Server, floor: Server]>;

const step = DBOS.registerStep(async (n: number) => n, { name: 'bench.http.step' });
const twoSteps = DBOS.registerWorkflow(
  async () => {
    await step(1);
    await step(2);
    return 'done';
  },
  { name: 'bench.http.twoSteps' },
);

const { serve } = (await import(`./http-servers/${process.env.BENCH_FRAMEWORK}.ts`)) as { serve: BenchApps };
DBOS.setConfig(JSON.parse(process.env.BENCH_CONFIG!) as DBOSConfig);
await DBOS.launch();
const [bare, wired, floor] = await serve(() => twoSteps());
const port = (server: Server) => (server.address() as AddressInfo).port;
console.log(`PORTS ${port(bare)} ${port(wired)} ${port(floor)}`);
process.on('message', (message) => {
  if (message === 'middleware-cpu') {
    process.send!({ middlewareCpu: middlewareCpu() });
    return;
  }
  if (message === 'gc') globalThis.gc?.();
  const { user, system } = process.cpuUsage();
  process.send!({ cpuMicros: user + system });
});
