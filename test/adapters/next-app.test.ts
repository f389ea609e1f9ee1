/**
 * durably/next in a real Next.js App Router app (fixtures/next-app/), served by
 * Next's own server (`next dev`, see next-dev-server.ts). The route imports durably from
 * src/ by relative path (next.config.mjs: externalDir) and launches durably at
 * its first request (`withDurably(..., { launch: true })`).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { HTTPRequest } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, removeLog } from '../processes/child-process.ts';
import { startNextDev, stopNextDevServers } from './next-dev-server.ts';

const appDir = join(import.meta.dirname, 'fixtures', 'next-app');

interface OrderBody {
  order: string;
  request: HTTPRequest;
}

forEachBackend('durably/next in a real Next.js app (next dev)', (backend) => {
  let log = '';
  afterEach(async () => {
    await stopNextDevServers();
    removeLog(log);
  });

  test('request ID echoed, DBOS.request in the workflow, one run per idempotency key', { timeout: 120_000 }, async () => {
    log = freshLogPath();
    const started = Date.now();
    const next = await startNextDev(appDir, { DURABLY_TEST_CONFIG: JSON.stringify(backend.freshConfig()), DURABLY_TEST_LOG: log });
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

    // Compiling another route makes next dev evaluate the modules again: a second copy of durably and of the
    // workflows. The copy the route launches then replaces the stale one; the key still gets its one result.
    const { evaluations } = (await (await fetch(`${next.url}/evaluations`)).json()) as { evaluations: number };
    console.log(`next dev evaluated workflows.ts ${evaluations} time(s)`);
    const afterRecompile = await post({ 'dbos-idempotency-key': `next-${backend.name}`, 'x-request-id': 'after' });
    assert.equal(afterRecompile.headers.get('x-request-id'), 'after');
    assert.deepEqual(await afterRecompile.json(), body);
    const fresh = await post({ 'dbos-idempotency-key': `next-${backend.name}-2`, 'x-request-id': 'fresh' });
    assert.equal(((await fresh.json()) as OrderBody).request.requestID, 'fresh');
    assert.deepEqual(readFileSync(log, 'utf8').trim().split('\n'), ['reserve', 'charge', 'reserve', 'charge', 'reserve', 'charge']);
  });
});
