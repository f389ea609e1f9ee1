/**
 * SQLite only: several processes share one system database file. node:sqlite
 * is synchronous, so the connection keeps SQLite's busy timeout tiny and
 * retries contention in JS (shared/spec/dependencies.md): every write must
 * succeed, and a writer's event loop must keep running while it waits for a
 * lock. Timing bounds are deliberately generous (the machine is noisy); the
 * measured lags are reported as test diagnostics.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { DatabaseSync } from 'node:sqlite';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, test } from 'node:test';
import { outcomeChannel } from '../../../src/system-database/system-database.ts';
import {
  freshSqliteTarget,
  newWorkflow,
  OpenedDatabases,
  stepOutcome,
  workflowOutcome,
} from '../../helpers/system-database-targets.ts';
import type { WriterResult } from './contention-writer.ts';

const writerScript = fileURLToPath(new URL('./contention-writer.ts', import.meta.url));
/** Node flags minus the test runner's, so children get the tsx loader without becoming test runs. */
const childExecArgv = process.execArgv.filter((arg) => !arg.startsWith('--test'));

interface Writer {
  ready: Promise<void>;
  result: Promise<WriterResult>;
  go(): void;
}

function startWriter(path: string, name: string, workflows: number, stepsPerWorkflow: number): Writer {
  const child = spawn(process.execPath, [...childExecArgv, writerScript, path, name, String(workflows), String(stepsPerWorkflow)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const lines = createInterface({ input: child.stdout });
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  let lastLine = '';
  lines.on('line', (line) => {
    if (line === 'ready') markReady();
    else lastLine = line;
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const result = exited.then(([code, signal]) => {
    if (code !== 0) throw new Error(`writer ${name} exited with ${code ?? signal}:\n${stderr}`);
    return JSON.parse(lastLine) as WriterResult;
  });
  return {
    // A child that dies before "ready" must fail the test, not hang it.
    ready: Promise.race([ready, result.then(() => Promise.reject(new Error(`writer ${name} exited before ready`)))]),
    result,
    go: () => child.stdin.end('go\n'),
  };
}

describe('SQLite shared by several processes', () => {
  const opened = new OpenedDatabases();
  afterEach(() => opened.cleanup());

  test('child processes writing step outcomes to one new file concurrently all succeed', { timeout: 180_000 }, async (t) => {
    const target = freshSqliteTarget();
    opened.track(target);
    const processes = 4;
    const workflows = 5;
    const steps = 150;
    // The file does not exist yet: the children also race to create and migrate it.
    const writers = Array.from({ length: processes }, (_, i) => startWriter(target.path, `p${i}`, workflows, steps));
    await Promise.all(writers.map((w) => w.ready));
    for (const writer of writers) writer.go();
    const results = await Promise.all(writers.map((w) => w.result));
    const overlapMs = Math.min(...results.map((r) => r.finishedAt)) - Math.max(...results.map((r) => r.startedAt));
    t.diagnostic(`all ${processes} writers were writing at once for ${Math.max(0, overlapMs)} ms`);

    for (const r of results) {
      t.diagnostic(`${r.name}: ${r.written} writes in ${r.elapsedMs} ms, max event-loop lag ${r.maxLagMs} ms`);
      assert.deepEqual(r.failures, [], `${r.name} had failures`);
      assert.equal(r.written, workflows * (steps + 2));
      assert.ok(r.maxLagMs < 1000, `${r.name}: event loop frozen for ${r.maxLagMs} ms`);
    }

    const db = await opened.open(target);
    for (const r of results) {
      for (let i = 0; i < workflows; i++) {
        const workflowID = `${r.name}-w${i}`;
        assert.equal((await db.getWorkflowStatus(workflowID))?.status, 'SUCCESS', workflowID);
        const outcomes = await db.loadStepOutcomes(workflowID);
        assert.deepEqual(
          outcomes.map((o) => o.functionID),
          Array.from({ length: steps }, (_, f) => f),
          workflowID,
        );
      }
    }
  });

  test('a write waiting for another connection\'s long lock neither fails nor freezes the event loop', async (t) => {
    const target = freshSqliteTarget();
    const db = await opened.open(target);
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);

    // Another connection (another process, as far as SQLite can tell) holds the write lock for 2 s.
    const holder = new DatabaseSync(target.path);
    const lockHeldMs = 2000;
    holder.exec('BEGIN IMMEDIATE');
    let released = false;
    const release = new Promise<void>((resolve) =>
      setTimeout(() => {
        released = true;
        holder.exec('COMMIT');
        holder.close();
        resolve();
      }, lockHeldMs),
    );

    let maxLagMs = 0;
    let last = performance.now();
    const monitor = setInterval(() => {
      const now = performance.now();
      maxLagMs = Math.max(maxLagMs, now - last - 5);
      last = now;
    }, 5);
    const waiter = db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    try {
      const writes = Promise.all([
        db.recordStepOutcome(stepOutcome(workflow.workflowID, 0)),
        db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID)),
      ]).then((result) => {
        assert.equal(released, true, 'committed only once the lock was released');
        return result;
      });
      await release;
      assert.deepEqual(await writes, [undefined, true]);
      await waiter.promise;
    } finally {
      clearInterval(monitor);
      waiter.cancel();
    }
    t.diagnostic(`max event-loop lag while waiting ${lockHeldMs} ms for the lock: ${Math.round(maxLagMs)} ms`);
    // A driver-level busy timeout would have frozen the loop for the whole 2 s.
    assert.ok(maxLagMs < 1000, `event loop frozen for ${Math.round(maxLagMs)} ms`);
    assert.equal((await db.loadStepOutcomes(workflow.workflowID)).length, 1);
    assert.equal((await db.getWorkflowStatus(workflow.workflowID))?.status, 'SUCCESS');
  });

  test('reads are not blocked by another connection\'s write lock (WAL)', async () => {
    const target = freshSqliteTarget();
    const db = await opened.open(target);
    const workflow = newWorkflow();
    await db.insertWorkflowOrGetExisting(workflow);
    const holder = new DatabaseSync(target.path);
    try {
      holder.exec('BEGIN IMMEDIATE');
      holder.exec(`UPDATE workflow_status SET output = 'uncommitted' WHERE workflow_uuid = '${workflow.workflowID}'`);
      const status = await db.getWorkflowStatus(workflow.workflowID);
      assert.equal(status?.output, null, 'the reader sees the last committed state');
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
