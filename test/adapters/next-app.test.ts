/**
 * durably/next in a real Next.js App Router app (fixtures/next-app/), served by
 * Next's own server: `next dev` in a child process on an ephemeral loopback
 * port (a `next build` takes over a minute on a small machine; dev compiles the
 * one route on its first request in seconds). The route imports durably from
 * src/ by relative path (next.config.mjs: externalDir) and launches durably at
 * its first request (`withDurably(..., { launch: true })`).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { HTTPRequest } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, removeLog } from '../processes/child-process.ts';

const appDir = join(import.meta.dirname, 'fixtures', 'next-app');
const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');

interface NextServer {
  child: ChildProcess;
  url: string;
}

/** `next dev` on a free port; resolves once Next says it is ready, with the URL it printed. */
function startNext(env: Record<string, string>): Promise<NextServer> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, NEXT_TELEMETRY_DISABLED: '1' };
  delete childEnv.NODE_TEST_CONTEXT;
  delete childEnv.NODE_OPTIONS;
  // Its own process group: Next runs its server in a grandchild, and the whole group is ended afterwards.
  const child = spawn(process.execPath, [nextBin, 'dev', '-H', '127.0.0.1', '-p', '0', appDir], {
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next dev was not ready after 60 s:\n${output}`)), 60_000);
    const onData = (chunk: string) => {
      output += chunk;
      const url = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url && /Ready in/.test(output)) {
        clearTimeout(timer);
        resolve({ child, url });
      }
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`next dev exited (${code ?? signal}) before it was ready:\n${output}`));
    });
  });
}

const running: ChildProcess[] = [];

async function stopAll(): Promise<void> {
  await Promise.all(
    running.splice(0).map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.on('exit', () => resolve());
          process.kill(-child.pid!, 'SIGTERM');
          setTimeout(() => {
            if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
          }, 5_000).unref();
        }),
    ),
  );
}

interface OrderBody {
  order: string;
  request: HTTPRequest;
}

forEachBackend('durably/next in a real Next.js app (next dev)', (backend) => {
  let log = '';
  afterEach(async () => {
    await stopAll();
    removeLog(log);
  });

  test('request ID echoed, DBOS.request in the workflow, one run per idempotency key', { timeout: 120_000 }, async () => {
    log = freshLogPath();
    const started = Date.now();
    const next = await startNext({ DURABLY_TEST_CONFIG: JSON.stringify(backend.freshConfig()), DURABLY_TEST_LOG: log });
    const post = (headers: Record<string, string>) => fetch(`${next.url}/orders/o1?via=next`, { method: 'POST', headers });

    const first = await post({ 'dbos-idempotency-key': `next-${backend.name}`, 'x-request-id': 'first' });
    console.log(`next dev: ready and first request answered in ${Date.now() - started} ms`);
    assert.equal(first.status, 200, await first.clone().text());
    assert.equal(first.headers.get('x-request-id'), 'first');
    const body = (await first.json()) as OrderBody;
    assert.equal(body.order, 'o1:reserve:charge');
    assert.equal(body.request.requestID, 'first');
    assert.equal(body.request.method, 'POST');
    assert.equal(body.request.url, '/orders/o1?via=next');
    assert.ok(body.request.ip, 'Next reports the client address (x-forwarded-for)');

    const retries = await Promise.all(
      Array.from({ length: 5 }, (_, index) => post({ 'dbos-idempotency-key': `next-${backend.name}`, 'x-request-id': `retry-${index}` })),
    );
    for (const [index, retry] of retries.entries()) {
      assert.equal(retry.headers.get('x-request-id'), `retry-${index}`);
      assert.deepEqual(await retry.json(), body, 'the first run\'s result, with the first request');
    }
    const steps = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];
    assert.deepEqual(steps, ['reserve', 'charge'], 'the workflow ran once');

    const unkeyed = await post({});
    assert.equal(unkeyed.status, 200);
    assert.match(unkeyed.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
});
