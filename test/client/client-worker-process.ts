/**
 * The worker process of the client tests (test/processes/fixtures/client-worker.ts),
 * started on a test's system database; `ready` resolves once it has launched.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { DBOSConfig } from '../../src/index.ts';
import { childExecArgv } from '../processes/child-process.ts';

const fixture = join(import.meta.dirname, '..', 'processes', 'fixtures', 'client-worker.ts');

export function startWorker(config: DBOSConfig, log: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DURABLY_TEST_CONFIG: JSON.stringify(config), DURABLY_TEST_LOG: log };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [...childExecArgv(), fixture], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.on('exit', () => clearTimeout(timer));
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const ready = (async () => {
    while (!output.includes('READY')) {
      if (child.exitCode !== null || child.signalCode !== null) assert.fail(`worker exited before READY:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return { ready, kill: () => child.kill('SIGKILL') };
}

export function clientOptions(config: DBOSConfig) {
  return { systemDatabaseUrl: config.systemDatabaseUrl!, systemDatabaseSchemaName: config.systemDatabaseSchemaName, applicationName: 'durably-test' };
}

/** `read()` until `done` says yes (polled every 20 ms); fails the test after 20 s, naming `what`. */
export async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
