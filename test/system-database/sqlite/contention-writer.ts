/**
 * Child process for contention.test.ts (not a test file): opens the SQLite
 * system database named on the command line, says "ready", waits for "go" on
 * stdin, then writes its workflows' steps and outcomes as fast as it can while
 * measuring its own event-loop lag, and prints one JSON line of results.
 *
 *   contention-writer.ts <path> <name> <workflows> <stepsPerWorkflow>
 */
import { createInterface } from 'node:readline';
import { openSystemDatabase } from '../../../src/system-database/open-system-database.ts';
import type { DLogger } from '../../../src/telemetry/logger.ts';

export interface WriterResult {
  name: string;
  written: number;
  failures: string[];
  maxLagMs: number;
  elapsedMs: number;
  /** Epoch milliseconds of the first and last write, to see how much the writers overlapped. */
  startedAt: number;
  finishedAt: number;
}

const [path, name, workflowsArg, stepsArg] = process.argv.slice(2);
if (!path || !name) throw new Error('usage: contention-writer.ts <path> <name> <workflows> <stepsPerWorkflow>');
const workflowCount = Number(workflowsArg);
const stepsPerWorkflow = Number(stepsArg);

const warnings: string[] = [];
const logger: DLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => warnings.push(String(message)),
  error: (message) => warnings.push(String(message)),
};

const db = await openSystemDatabase({ backend: 'sqlite', path, synchronous: 'FULL' }, logger);

// Event-loop lag: how late a 5 ms interval fires, at worst.
const intervalMs = 5;
let maxLagMs = 0;
let last = performance.now();
const monitor = setInterval(() => {
  const now = performance.now();
  maxLagMs = Math.max(maxLagMs, now - last - intervalMs);
  last = now;
}, intervalMs);

const lines = createInterface({ input: process.stdin });
const go = new Promise<void>((resolve) => lines.on('line', (line) => line.trim() === 'go' && resolve()));
process.stdout.write('ready\n');
await go;
lines.close();

const started = performance.now();
const startedAt = Date.now();
last = performance.now();
maxLagMs = 0;
const failures: string[] = [];
let written = 0;

async function runWorkflow(index: number): Promise<void> {
  const workflowID = `${name}-w${index}`;
  const now = Date.now();
  await db.insertWorkflowOrGetExisting({
    workflowID,
    status: 'PENDING',
    workflowName: 'contention',
    className: null,
    configName: null,
    authenticatedUser: '',
    assumedRole: '',
    authenticatedRoles: '[]',
    inputs: '[]',
    serialization: 'superjson',
    executorID: name!,
    applicationVersion: 'v1',
    applicationName: 'contention',
    createdAt: now,
    recoveryAttempts: 1,
    queueName: null,
    timeoutMs: null,
    deadlineEpochMs: null,
    parentWorkflowID: null,
    deduplicationID: null,
    priority: 0,
    queuePartitionKey: null,
    delayUntilEpochMs: null,
    ownerXid: `${workflowID}-owner`,
  });
  written++;
  // One step at a time per workflow, as a workflow runs: each waits for its own commit.
  for (let functionID = 0; functionID < stepsPerWorkflow; functionID++) {
    await db.recordStepOutcome({
      workflowID,
      functionID,
      functionName: 'step',
      output: JSON.stringify({ name, index, functionID }),
      error: null,
      childWorkflowID: null,
      startedAtEpochMs: Date.now(),
      completedAtEpochMs: Date.now(),
      serialization: 'superjson',
    });
    written++;
  }
  const ok = await db.recordWorkflowOutcome({
    workflowID,
    queueName: null,
    status: 'SUCCESS',
    output: '"done"',
    error: null,
    serialization: 'superjson',
    completedAt: Date.now(),
  });
  if (!ok) throw new Error(`${workflowID}: the outcome was refused`);
  written++;
}

const results = await Promise.allSettled(Array.from({ length: workflowCount }, (_, i) => runWorkflow(i)));
for (const r of results) if (r.status === 'rejected') failures.push(String((r.reason as Error)?.stack ?? r.reason));
const elapsedMs = performance.now() - started;
const finishedAt = Date.now();
clearInterval(monitor);
await db.close();
failures.push(...warnings.map((w) => `logged: ${w}`));

const result: WriterResult = {
  name,
  written,
  failures,
  maxLagMs: Math.round(maxLagMs),
  elapsedMs: Math.round(elapsedMs),
  startedAt,
  finishedAt,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
