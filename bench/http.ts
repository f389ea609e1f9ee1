/**
 * (h) HTTP: requests/s with 50 keep-alive clients (autocannon) against a
 * server process, for each framework: a bare app's no-op POST, the same
 * route behind durably's integration (the middleware's own cost), and a POST
 * that runs a 2-step workflow (compared with (b), the in-flight workflow rate).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import autocannon from 'autocannon';
import type { DBOSConfig } from '../src/index.ts';
import type { MiddlewareCpu } from './http-middleware-cpu.ts';

export const httpFrameworks = ['express', 'fastify'] as const;
export type HttpFramework = (typeof httpFrameworks)[number];

/** One route's figures: requests/s, and the server process's CPU time per request (µs). */
export interface RouteFigures {
  perSec: number;
  cpuMicrosPerRequest: number;
}

export interface HttpResult {
  framework: HttpFramework;
  connections: number;
  /** The bare app's no-op route, the same behind durably's integration, the durable route. */
  bare: RouteFigures;
  wired: RouteFigures;
  durable: RouteFigures;
  /** The two no-op routes again at the same fixed rate (httpShape.fixedRate requests/s): equal load, equal batching. */
  bareAtRate: RouteFigures;
  wiredAtRate: RouteFigures;
  /** The floor app's no-op route at the same rate: what any request-context middleware costs in this framework. */
  floorAtRate: RouteFigures;
  /** The middleware's own code, timed alone in the server process (http-middleware-cpu.ts). */
  middlewareCpu: MiddlewareCpu;
}

export const httpShape = { connections: 50, warmupSeconds: 1, noopRounds: 7, durableRounds: 5, seconds: 1.5, fixedRate: 5000 };

type ServerProcess = ChildProcessByStdio<null, Readable, null>;

/**
 * The server's CPU time so far (µs), asked over IPC. With `collect`, the server first runs a full garbage
 * collection, so that one round's garbage is not collected (and its CPU charged) during the next round.
 */
async function serverCpuMicros(server: ServerProcess, collect = false): Promise<number> {
  const reply = once(server, 'message') as Promise<[{ cpuMicros: number }]>;
  server.send(collect ? 'gc' : 'cpu');
  return (await reply)[0].cpuMicros;
}

/** As fast as the server answers, or at `rate` requests/s in all (autocannon's overallRate). */
async function measureRoute(server: ServerProcess, url: string, seconds: number, rate?: number): Promise<RouteFigures> {
  const cpuBefore = await serverCpuMicros(server, true);
  const result = await autocannon({ url, method: 'POST', connections: httpShape.connections, duration: seconds, ...(rate && { overallRate: rate }) });
  const cpuMicros = (await serverCpuMicros(server)) - cpuBefore;
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${url}: ${failed} of ${result.requests.total} requests failed`);
  return { perSec: result.requests.total / seconds, cpuMicrosPerRequest: cpuMicros / result.requests.total };
}

const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * Each route warmed up, then measured in rounds taken in turn (bare, wired, bare...), so that a noisy moment
 * of the machine falls on every route alike; each figure is the median of its rounds.
 */
async function measureInTurn(server: ServerProcess, urls: readonly string[], roundCount: number, rate?: number): Promise<RouteFigures[]> {
  for (const url of urls) await measureRoute(server, url, httpShape.warmupSeconds, rate);
  const rounds: RouteFigures[][] = urls.map(() => []);
  for (let round = 0; round < roundCount; round++) {
    for (const [i, url] of urls.entries()) rounds[i]!.push(await measureRoute(server, url, httpShape.seconds, rate));
  }
  return rounds.map((figures) => ({
    perSec: median(figures.map((f) => f.perSec)),
    cpuMicrosPerRequest: median(figures.map((f) => f.cpuMicrosPerRequest)),
  }));
}

export async function httpThroughput(config: DBOSConfig, framework: HttpFramework): Promise<HttpResult> {
  const server = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(import.meta.dirname, 'http-server.ts')], {
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config), BENCH_FRAMEWORK: framework },
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  }) as ServerProcess;
  try {
    let output = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    while (!/PORTS \d+ \d+ \d+/.test(output)) {
      if (server.exitCode !== null) throw new Error(`the ${framework} bench server exited: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [, bare, wired, floor] = /PORTS (\d+) (\d+) (\d+)/.exec(output)!;
    const at = (port: string | undefined, path: string) => `http://127.0.0.1:${port}${path}`;
    // The no-op routes in a phase of their own, before any workflow ran: the durable route's garbage,
    // database connections and timers would otherwise tax whichever no-op round follows it.
    const noopRoutes = [at(bare, '/noop'), at(wired, '/noop')];
    const [bareRoute, wiredRoute] = await measureInTurn(server, noopRoutes, httpShape.noopRounds);
    // Saturated, the wired app answers fewer requests/s, so each of its event-loop turns serves fewer requests and
    // the per-turn costs (epoll, timers) weigh more on each: at one fixed rate, both apps are compared alike.
    const atRate = [...noopRoutes, at(floor, '/noop')];
    const [bareAtRate, wiredAtRate, floorAtRate] = await measureInTurn(server, atRate, httpShape.noopRounds, httpShape.fixedRate);
    const [durableRoute] = await measureInTurn(server, [at(wired, '/durable')], httpShape.durableRounds);
    const reply = once(server, 'message') as Promise<[{ middlewareCpu: MiddlewareCpu }]>;
    server.send('middleware-cpu');
    const [{ middlewareCpu }] = await reply;
    return {
      middlewareCpu,
      framework, connections: httpShape.connections, bare: bareRoute!, wired: wiredRoute!, durable: durableRoute!,
      bareAtRate: bareAtRate!, wiredAtRate: wiredAtRate!, floorAtRate: floorAtRate!,
    };
  } finally {
    server.kill('SIGKILL');
    if (server.exitCode === null) await once(server, 'exit');
  }
}
