/**
 * (h) HTTP: requests/s with 50 keep-alive clients (autocannon) against a
 * server process, for each framework: a bare app's no-op POST, the same
 * route behind durably's integration (the middleware's own cost), and a POST
 * that runs a 2-step workflow (compared with (b), the in-flight workflow rate).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { DBOSConfig } from '../src/index.ts';

export const httpFrameworks = ['express', 'fastify'] as const;
export type HttpFramework = (typeof httpFrameworks)[number];

export interface HttpResult {
  framework: HttpFramework;
  connections: number;
  /** requests/s: the bare app's no-op route, the same behind durably's integration, the durable route. */
  barePerSec: number;
  wiredPerSec: number;
  durablePerSec: number;
}

export const httpShape = { connections: 50, warmupSeconds: 1, rounds: 3, seconds: 1.5 };

async function requestsPerSec(url: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, method: 'POST', connections: httpShape.connections, duration: seconds });
  const failed = result.errors + result.timeouts + result.non2xx;
  if (failed > 0) throw new Error(`${url}: ${failed} of ${result.requests.total} requests failed`);
  return result.requests.total / seconds;
}

/**
 * Each route warmed up, then measured in rounds taken in turn (bare, wired, durable, bare...), so that a
 * noisy moment of the machine falls on every route alike; each route's figure is the median of its rounds.
 */
async function measureInTurn(urls: readonly string[]): Promise<number[]> {
  for (const url of urls) await requestsPerSec(url, httpShape.warmupSeconds);
  const rounds: number[][] = urls.map(() => []);
  for (let round = 0; round < httpShape.rounds; round++) {
    for (const [i, url] of urls.entries()) rounds[i]!.push(await requestsPerSec(url, httpShape.seconds));
  }
  return rounds.map((figures) => figures.sort((a, b) => a - b)[Math.floor(figures.length / 2)]!);
}

export async function httpThroughput(config: DBOSConfig, framework: HttpFramework): Promise<HttpResult> {
  const server = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'http-server.ts')], {
    env: { ...process.env, BENCH_CONFIG: JSON.stringify(config), BENCH_FRAMEWORK: framework },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let output = '';
    server.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    while (!/PORTS \d+ \d+/.test(output)) {
      if (server.exitCode !== null) throw new Error(`the ${framework} bench server exited: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const [, bare, wired] = /PORTS (\d+) (\d+)/.exec(output)!;
    const at = (port: string | undefined, path: string) => `http://127.0.0.1:${port}${path}`;
    const [barePerSec, wiredPerSec, durablePerSec] = await measureInTurn([at(bare, '/noop'), at(wired, '/noop'), at(wired, '/durable')]);
    return { framework, connections: httpShape.connections, barePerSec: barePerSec!, wiredPerSec: wiredPerSec!, durablePerSec: durablePerSec! };
  } finally {
    server.kill('SIGKILL');
    if (server.exitCode === null) await once(server, 'exit');
  }
}
