/**
 * A server of each framework (fixtures/order-routes/) killed with SIGKILL during a workflow that a request with
 * an idempotency key started: a restarted server recovers the workflow, and
 * the retried request (same key) gets its finished result; the step that had
 * completed does not run again, and the recovered run sees the request that
 * started the workflow (DBOS.request). Real processes, real HTTP on loopback.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { childExecArgv, freshLogPath, removeLog } from '../processes/child-process.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'order-server.ts');
const frameworks = readdirSync(join(import.meta.dirname, 'fixtures', 'order-routes')).map((file) => file.replace(/\.ts$/, ''));
const children: ChildProcess[] = [];

/** Start the server; resolves with its port, and with the first `MARK` line when asked. */
function startServer(framework: string, config: DBOSConfig, log: string, block: boolean) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DURABLY_TEST_CONFIG: JSON.stringify(config),
    DURABLY_TEST_LOG: log,
    DURABLY_TEST_BLOCK: block ? '1' : '0',
    DURABLY_TEST_FRAMEWORK: framework,
  };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [...childExecArgv(), fixture], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const seen = (pattern: RegExp) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const match = output.match(pattern);
        if (match) resolve(match);
        else if (child.exitCode !== null || child.signalCode !== null) reject(new Error(`server exited:\n${output}`));
        else setTimeout(check, 10);
      };
      check();
    });
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, port: seen(/PORT (\d+)/).then((m) => Number(m[1])), seen };
}

function post(port: number, path: string, key: string, requestID: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, { method: 'POST', headers: { 'dbos-idempotency-key': key, 'x-request-id': requestID } });
}

const stepRuns = (log: string) => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) : []);

for (const framework of frameworks) forEachBackend(`${framework}: a server killed during a keyed request`, (backend) => {
  let log = '';
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    removeLog(log);
  });

  test('restarted, it recovers the workflow; the retried request gets the result, completed steps not run again', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const key = `order-key-${framework}-${backend.name}`;

    const first = startServer(framework, config, log, true);
    const firstRequest = post(await first.port, '/orders/o1', key, 'req-1').catch((error: Error) => error);
    await first.seen(/MARK charging/);
    first.child.kill('SIGKILL');
    assert.ok((await firstRequest) instanceof Error, 'the first request dies with its server');

    const second = startServer(framework, config, log, false);
    const retried = await post(await second.port, '/orders/o1', key, 'req-2');
    assert.equal(retried.status, 200);
    assert.equal(retried.headers.get('x-request-id'), 'req-2');
    // The result comes from the recovered run, which saw the first request (req-1), not the retry.
    assert.deepEqual(await retried.json(), { result: 'o1:reserve:charge:req-1', workflowID: key });
    const again = await post(await second.port, '/orders/o1', key, 'req-3');
    assert.deepEqual(await again.json(), { result: 'o1:reserve:charge:req-1', workflowID: key });
    assert.deepEqual(stepRuns(log), ['reserve', 'charge', 'charge'], 'reserve once; charge again only because it never completed');
  });
});
