/**
 * Debouncing across real processes: two processes debouncing one key at the
 * same time make one workflow, which runs once; a process killed (SIGKILL)
 * right after debouncing loses nothing: another process's later call joins
 * the same workflow, and it runs once, with that later call's arguments.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, test } from 'node:test';
import type { DBOSConfig } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';
import { childExecArgv, freshLogPath, removeLog } from './child-process.ts';

const fixture = join(import.meta.dirname, 'fixtures', 'debounce-worker.ts');
const children: ReturnType<typeof spawn>[] = [];

function startWorker(config: DBOSConfig, log: string, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, DURABLY_TEST_CONFIG: JSON.stringify(config), DURABLY_TEST_LOG: log };
  delete env.NODE_TEST_CONTEXT;
  const child = spawn(process.execPath, [...childExecArgv(), fixture, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  child.on('exit', () => clearTimeout(timer));
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return {
    async line(prefix: string): Promise<string> {
      for (;;) {
        const found = output.split('\n').find((l) => l.startsWith(prefix));
        if (found !== undefined) return found.slice(prefix.length).trim();
        if (child.exitCode !== null || child.signalCode !== null) assert.fail(`worker exited without "${prefix}":\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    start: (atEpochMs: number) => child.stdin!.write(`start ${atEpochMs}\n`),
    stop: () => child.stdin!.write('exit\n'),
    kill: () => child.kill('SIGKILL'),
  };
}

function runs(log: string): { label: string; role: string }[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

forEachBackend('Debouncer across processes', (backend) => {
  let log = '';
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    removeLog(log);
  });

  test('two processes debouncing one key at once make one workflow, run once', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    const workers = ['p1', 'p2'].map((role) => startWorker(config, log, [role, 'shared-key', '4', 'stdin', '600']));
    await Promise.all(workers.map((w) => w.line('READY')));
    // One start time, sent once both have launched: a start time fixed at spawn passed before a slow launch ended
    // (CI, loaded: one worker's four calls made and its period over before the other's first call).
    const startAt = Date.now() + 200;
    workers.forEach((w) => w.start(startAt));
    const ids = (await Promise.all(workers.map((w) => w.line('IDS')))).flatMap((text) => JSON.parse(text) as string[]);
    assert.equal(new Set(ids).size, 1, `every call joined one workflow: ${JSON.stringify(ids)}`);
    await until(() => runs(log).length > 0, 'the debounced workflow ran');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const ran = runs(log);
    assert.equal(ran.length, 1, JSON.stringify(ran));
    assert.match(ran[0]!.label, /^p[12]-3$/, 'it ran with the arguments of a last call');
    workers.forEach((w) => w.stop());
  });

  test('a process killed after debouncing loses nothing: a later call elsewhere joins the same workflow', { timeout: 60_000 }, async () => {
    const config = backend.freshConfig();
    log = freshLogPath();
    // A period far longer than the second worker's start, however loaded the machine: the workflow is still DELAYED when it comes.
    const first = startWorker(config, log, ['killed', 'crash-key', '1', '0', '15000']);
    await first.line('READY');
    const [firstID] = JSON.parse(await first.line('IDS')) as string[];
    first.kill();
    const second = startWorker(config, log, ['survivor', 'crash-key', '1', '0', '300']);
    await second.line('READY');
    const [secondID] = JSON.parse(await second.line('IDS')) as string[];
    assert.equal(secondID, firstID, 'the later call joined the workflow the killed process created');
    await until(() => runs(log).length > 0, 'the debounced workflow ran');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(runs(log), [{ event: 'run', label: 'survivor-0', role: 'survivor' }]);
    second.stop();
  });
});
