/**
 * shutdownOnSignals(server) in a real server process: SIGTERM lets the request
 * in flight finish, refuses new connections, shuts durably down (a workflow
 * left waiting keeps nothing alive: the process exits by itself) and the next
 * process recovers what was left unfinished; a second signal exits at once.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import { forEachBackend } from '../helpers/backends.ts';
import { freshLogPath, killAllChildren, removeLog, startChild } from '../processes/child-process.ts';
import type { DBOSConfig } from '../../src/index.ts';

const script = join(import.meta.dirname, 'fixtures', 'signal-server.ts');
const stepRuns = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);

function startServer(config: DBOSConfig, log: string) {
  const child = startChild('serve', [], { role: 'server', config, log, script });
  return { child, url: child.waitForLine('PORT ').then((port) => `http://127.0.0.1:${port}`) };
}

forEachBackend('shutdownOnSignals', (backend) => {
  let log = '';
  afterEach(async () => {
    await killAllChildren();
    removeLog(log);
  });

  test('SIGTERM: the request in flight finishes, new connections are refused, the process exits by itself', async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const server = startServer(config, log);
    const url = await server.url;
    const inFlight = fetch(`${url}/slow`, { method: 'POST' });
    while (!stepRuns(log).includes('slow')) await new Promise((resolve) => setTimeout(resolve, 10));
    server.child.signal('SIGTERM');
    await server.child.waitForLine('MARK stopping');
    await assert.rejects(fetch(`${url}/slow`, { method: 'POST' }), 'a new connection is refused once the server closes');
    const response = await inFlight;
    assert.equal(response.status, 200, server.child.describe());
    assert.equal(await response.json(), 'slow');
    assert.deepEqual(await server.child.exited, { code: 0, signal: null }, server.child.describe());
    assert.deepEqual(stepRuns(log), ['slow']);
  });

  test('a workflow left waiting keeps nothing alive; the next process recovers and finishes it', async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const server = startServer(config, log);
    const url = await server.url;
    const workflowID = `signals-${backend.name}-${Date.now()}`;
    assert.equal((await fetch(`${url}/background/${workflowID}`, { method: 'POST' })).status, 202);
    while (!stepRuns(log).includes('before')) await new Promise((resolve) => setTimeout(resolve, 10));
    server.child.signal('SIGTERM');
    // Exiting within the child's 30 s hard limit proves the 60 s recv timeout held no timer.
    assert.deepEqual(await server.child.exited, { code: 0, signal: null }, server.child.describe());
    assert.equal(server.child.timedOut, false);

    const recovering = startChild('recover', [workflowID], { role: 'recoverer', config, log, script });
    assert.equal(await recovering.result(), 'background:go', recovering.describe());
    assert.deepEqual(stepRuns(log), ['before', 'after'], 'the completed step did not run again');
  });

  test('a second signal exits at once, without waiting for the request in flight', async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const server = startServer(config, log);
    const url = await server.url;
    const hanging = fetch(`${url}/hang`).catch((error: Error) => error);
    await new Promise((resolve) => setTimeout(resolve, 100));
    server.child.signal('SIGINT');
    await server.child.waitForLine('MARK stopping');
    server.child.signal('SIGINT');
    assert.deepEqual(await server.child.exited, { code: 130, signal: null }, server.child.describe());
    assert.ok((await hanging) instanceof Error, 'the hanging request dies with the process');
  });
});
