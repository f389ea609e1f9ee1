/**
 * What the admin server refuses, over real HTTP: malformed requests get 4xx
 * JSON errors with stable codes; the token, the loopback Host check, the
 * cross-site check and CORS; launch refuses a non-loopback address without
 * a token; the server stops with the runtime.
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { afterEach, test } from 'node:test';
import { DBOS, DBOSAdminTokenRequiredError } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { launch } from '../helpers/lifecycle.ts';
import { adminUrl, freePort, postJson } from './admin-helpers.ts';

async function errorOf(response: Response): Promise<{ status: number; code: string; error: string }> {
  assert.match(response.headers.get('content-type') ?? '', /application\/json/);
  const body = (await response.json()) as { code: string; error: string };
  return { status: response.status, code: body.code, error: body.error };
}

/** A GET with a Host header of our choosing (fetch always sends the real one). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', reject);
    request.end();
  });
}

forEachBackend('admin server: request guards', (backend) => {
  afterEach(() => DBOS.shutdown());

  test('malformed requests are 4xx JSON errors', async () => {
    await launch(backend, { runAdminServer: true, adminPort: await freePort() });
    const base = adminUrl();
    const badJson = await fetch(`${base}/workflows`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"limit": ' });
    assert.deepEqual(await errorOf(badJson).then((e) => [e.status, e.code]), [400, 'ADMIN_BAD_JSON']);

    const form = await fetch(`${base}/workflows/x/cancel`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    assert.deepEqual(await errorOf(form).then((e) => [e.status, e.code]), [415, 'ADMIN_UNSUPPORTED_MEDIA_TYPE']);
    const noType = await fetch(`${base}/workflows/x/cancel`, { method: 'POST' });
    assert.equal(noType.status, 415);

    const huge = await postJson(`${base}/workflows`, { workflow_uuids: ['x'.repeat(2 * 1024 * 1024)] });
    assert.deepEqual(await errorOf(huge).then((e) => [e.status, e.code]), [413, 'ADMIN_BODY_TOO_LARGE']);

    const unknown = await fetch(`${base}/no/such/route`);
    assert.deepEqual(await errorOf(unknown).then((e) => [e.status, e.code]), [404, 'ADMIN_NOT_FOUND']);
    const wrongMethod = await fetch(`${base}/workflows/x/cancel`);
    assert.deepEqual(await errorOf(wrongMethod).then((e) => [e.status, e.code]), [405, 'ADMIN_METHOD_NOT_ALLOWED']);
    const badId = await fetch(`${base}/workflows/%E0%A4%A`);
    assert.deepEqual(await errorOf(badId).then((e) => [e.status, e.code]), [400, 'ADMIN_BAD_PATH']);

    const badField = await errorOf(await postJson(`${base}/workflows`, { workflow_nam: 'x' }));
    assert.equal(badField.status, 400);
    assert.match(badField.error, /Unknown field "workflow_nam"/);
    const badValue = await errorOf(await postJson(`${base}/workflows`, { start_time: 'yesterday' }));
    assert.deepEqual([badValue.status, badValue.code], [400, 'CONFIGURATION_INVALID']);
    const notObject = await errorOf(await postJson(`${base}/workflows`, [1, 2]));
    assert.equal(notObject.status, 400);
    const badStep = await errorOf(await postJson(`${base}/workflows/x/fork`, { start_step: 'one' }));
    assert.equal(badStep.status, 400);

    // No CORS unless configured, and a cross-site browser request is refused.
    const plain = await fetch(`${base}/dbos-healthz`, { headers: { Origin: 'https://elsewhere.example' } });
    assert.equal(plain.headers.get('access-control-allow-origin'), null);
    const crossSite = await postJson(`${base}/workflows`, {}, { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' });
    assert.deepEqual(await errorOf(crossSite).then((e) => [e.status, e.code]), [403, 'ADMIN_CROSS_SITE']);
    // DNS rebinding: a loopback server answers only to loopback host names.
    assert.equal(await getWithHost(`${base}/dbos-healthz`, 'attacker.example:3001'), 403);
    assert.equal(await getWithHost(`${base}/dbos-healthz`, 'localhost'), 200);
  });

  test('a token guards every route but the health check; CORS only for configured origins', async () => {
    const token = 'a-very-secret-admin-token';
    await launch(backend, { runAdminServer: true, adminPort: await freePort(), adminToken: token, adminCorsOrigins: ['https://ops.example'] });
    const base = adminUrl();
    assert.equal((await fetch(`${base}/dbos-healthz`)).status, 200);
    const missing = await errorOf(await postJson(`${base}/workflows`, {}));
    assert.deepEqual([missing.status, missing.code], [401, 'ADMIN_UNAUTHORIZED']);
    const wrong = await postJson(`${base}/workflows`, {}, { Authorization: 'Bearer not-the-token-at-all' });
    assert.equal(wrong.status, 401);
    const right = await postJson(`${base}/workflows`, {}, { Authorization: `Bearer ${token}` });
    assert.equal(right.status, 200);
    assert.equal((await fetch(`${base}/api/info`, { headers: { Authorization: `Bearer ${token}` } })).status, 200);

    const preflight = await fetch(`${base}/workflows`, { method: 'OPTIONS', headers: { Origin: 'https://ops.example' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'https://ops.example');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    const allowed = await postJson(`${base}/workflows`, {}, { Authorization: `Bearer ${token}`, Origin: 'https://ops.example', 'Sec-Fetch-Site': 'cross-site' });
    assert.equal(allowed.status, 200);
    assert.equal(allowed.headers.get('access-control-allow-origin'), 'https://ops.example');
    const other = await fetch(`${base}/dbos-healthz`, { headers: { Origin: 'https://other.example' } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('launch refuses a non-loopback address without a token; the server stops at shutdown', async () => {
    // setConfig checks the configuration at once (and launch again).
    assert.throws(
      () => DBOS.setConfig(backend.freshConfig({ runAdminServer: true, adminHost: '0.0.0.0', adminPort: 3001 })),
      (error: unknown) => error instanceof DBOSAdminTokenRequiredError && error.code === 'ADMIN_TOKEN_REQUIRED',
    );
    DBOS.setConfig(backend.freshConfig({ adminHost: '0.0.0.0' })); // not refused while the server stays off

    const port = await freePort();
    await launch(backend, { runAdminServer: true, adminPort: port });
    assert.equal((await fetch(`http://127.0.0.1:${port}/dbos-healthz`)).status, 200);
    await DBOS.shutdown();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/dbos-healthz`));
  });

  test('the admin server is off by default', async () => {
    await launch(backend);
    assert.throws(() => adminUrl(), /No admin server/);
  });
});
