/**
 * Faults of the SQLite system database file: a full disk, a read-only file, another process holding the
 * write lock, a corrupt or non-SQLite file. Each gives a typed error naming the file; a workflow whose
 * checkpoint could not be written records nothing (it stays PENDING) and resumes in this process once the
 * fault clears; nothing reaches process.on('unhandledRejection').
 *
 * How the faults are provoked, deterministically and without privileges:
 * - disk full: `PRAGMA max_page_count` set to the file's current size on durably's own connection, so the
 *   next write that needs a new page fails with SQLITE_FULL, as on a full disk (a tiny tmpfs needs root);
 * - read-only while running: `PRAGMA query_only` on that connection, which fails writes with
 *   SQLITE_READONLY as a read-only file does (chmod does not affect a file already open, and root ignores
 *   it); read-only at launch: a real chmod 0444, launched as an unprivileged user when the tests run as root;
 * - lock: a child process holding BEGIN IMMEDIATE longer than the retry budget;
 * - corrupt: a launched-once file with its pages after the first overwritten with random bytes.
 * The pragmas are set on the connection's DatabaseSync directly, past its mutex, which the waiting write holds.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterEach, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { DBOSSqliteCorruptError, DBOSSqliteDiskFullError, DBOSSqliteLockTimeoutError, DBOSSqliteReadOnlyError } from '../../src/errors/errors.ts';
import { engineFor } from '../../src/runtime/runtime.ts';
import { sqliteBackend, testTempDir } from '../helpers/backends.ts';
import { holdWriteLock, launchInChild } from './sqlite-fault-children.ts';

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

/** What the steps ran, in order: a step that runs again shows twice. */
const ran: string[] = [];
let gate: Promise<void> = Promise.resolve();
const big = 'x'.repeat(200_000);

const smallStep = DBOS.registerStep(async (label: string) => (ran.push(`small ${label}`), label), { name: 'smallStep' });
const bigStep = DBOS.registerStep(async (label: string) => (ran.push(`big ${label}`), big), { name: 'bigStep' });
const faultedWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    await smallStep(label);
    await gate;
    const output = await bigStep(label);
    return `${label}: ${output.length}`;
  },
  { name: 'faultedWorkflow' },
);

const parentWorkflow = DBOS.registerWorkflow(
  async (label: string) => {
    const child = await DBOS.startWorkflow(faultedWorkflow)(label);
    return `parent of ${await child.getResult()}`;
  },
  { name: 'parentWorkflow' },
);

/** Its step's own code meets a fault of some other SQLite file: that is the step's outcome, not durably's fault. */
const foreignFaultStep = DBOS.registerStep(
  async () => {
    ran.push('foreign');
    throw new DBOSSqliteLockTimeoutError('/elsewhere/other.sqlite', 5);
  },
  { name: 'foreignFaultStep' },
);
const foreignFaultWorkflow = DBOS.registerWorkflow(async () => foreignFaultStep(), { name: 'foreignFaultWorkflow' });

/** durably's own connection to the file, to provoke a fault on it (see the header). */
function durablyConnection(): DatabaseSync {
  const database = engineFor('test').systemDatabase as unknown as { connection: { db: DatabaseSync } };
  return database.connection.db;
}

function fillDisk(): void {
  const db = durablyConnection();
  const { page_count: pages } = db.prepare('PRAGMA page_count').get() as { page_count: number };
  db.exec(`PRAGMA max_page_count = ${pages}`);
}
function freeDisk(): void {
  durablyConnection().exec('PRAGMA max_page_count = 1073741823');
}

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function launch(extra: DBOSConfig): Promise<string> {
  const config = sqliteBackend.freshConfig(extra);
  DBOS.setConfig(config);
  await DBOS.launch();
  return config.systemDatabaseUrl!;
}

/** Close the gate the workflows wait at, after their first step; returns the function that opens it. */
function closeGate(): () => void {
  let open!: () => void;
  gate = new Promise((resolve) => (open = resolve));
  return open;
}

/** Start the workflow and wait until its first step is committed (it then waits at the gate). */
async function startHeld(label: string): Promise<{ workflowID: string; result: Promise<string> }> {
  const workflowID = `${label}-${randomUUID()}`;
  const handle = await DBOS.startWorkflow(faultedWorkflow, { workflowID })(label);
  const steps = () => engineFor('test').systemDatabase.loadStepOutcomes(workflowID);
  await until('the first step to commit', async () => (await steps()).length === 1);
  const result = handle.getResult();
  result.catch(() => undefined);
  return { workflowID, result };
}

/** One workflow held at its gate; `open()` lets it on. */
async function startAtGate(label: string): Promise<{ workflowID: string; open: () => void; result: Promise<string> }> {
  const open = closeGate();
  return { ...(await startHeld(label)), open };
}

afterEach(async () => {
  await DBOS.shutdown();
  ran.length = 0;
});

test('[sqlite] a full disk that clears within the retry budget only delays the workflow: each step runs once', async () => {
  await launch({ databaseOutageTimeoutMs: 10_000 });
  const { open, result } = await startAtGate('brief-full');
  fillDisk();
  open();
  await until('the big step to run', () => ran.includes('big brief-full'));
  await new Promise((resolve) => setTimeout(resolve, 300)); // its checkpoint write is being retried meanwhile
  freeDisk();
  assert.equal(await result, `brief-full: ${big.length}`);
  assert.deepEqual(ran, ['small brief-full', 'big brief-full']);
});

test('[sqlite] a full disk past the budget: DBOSSqliteDiskFullError naming the file, the workflow stays PENDING and resumes when space is freed', async () => {
  const path = await launch({ databaseOutageTimeoutMs: 300 });
  const { workflowID, open, result } = await startAtGate('long-full');
  fillDisk();
  open();
  const error = await result.then(() => assert.fail('the workflow should have stopped'), (e: unknown) => e);
  assert.ok(error instanceof DBOSSqliteDiskFullError, `got ${String(error)}`);
  assert.equal(error.code, 'SQLITE_DISK_FULL');
  assert.equal(error.path, path);
  assert.match(error.message, new RegExp(`"${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" cannot grow: database or disk is full`));
  assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'PENDING');
  freeDisk();
  assert.equal(await DBOS.retrieveWorkflow<string>(workflowID).getResult(), `long-full: ${big.length}`);
  // The first step's checkpoint had committed: it never runs again. The big one's never did: it ran again.
  assert.equal(ran.filter((entry) => entry === 'small long-full').length, 1);
  assert.ok(ran.filter((entry) => entry === 'big long-full').length >= 2);
});

test('[sqlite] a read-only file past the budget: DBOSSqliteReadOnlyError naming the file; the workflow resumes once writable', async () => {
  const path = await launch({ databaseOutageTimeoutMs: 300 });
  const { workflowID, open, result } = await startAtGate('read-only');
  durablyConnection().exec('PRAGMA query_only = ON');
  open();
  const error = await result.then(() => assert.fail('the workflow should have stopped'), (e: unknown) => e);
  assert.ok(error instanceof DBOSSqliteReadOnlyError, `got ${String(error)}`);
  assert.equal(error.code, 'SQLITE_READ_ONLY');
  assert.equal(error.path, path);
  assert.ok(error.message.includes(path) && /read-only/.test(error.message));
  assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'PENDING');
  durablyConnection().exec('PRAGMA query_only = OFF');
  assert.equal(await DBOS.retrieveWorkflow<string>(workflowID).getResult(), `read-only: ${big.length}`);
  assert.equal(ran.filter((entry) => entry === 'small read-only').length, 1);
});

test('[sqlite] another process holding the write lock past the budget: DBOSSqliteLockTimeoutError, then the workflow finishes', async () => {
  const path = await launch({ databaseOutageTimeoutMs: 500 });
  const { workflowID, open, result } = await startAtGate('locked');
  const holder = holdWriteLock(path, 2000);
  try {
    await holder.locked;
    open();
    const error = await result.then(() => assert.fail('the workflow should have stopped'), (e: unknown) => e);
    assert.ok(error instanceof DBOSSqliteLockTimeoutError, `got ${String(error)}`);
    assert.equal(error.code, 'SQLITE_LOCK_TIMEOUT');
    assert.equal(error.path, path);
    assert.ok(error.waitedMs >= 500);
    assert.ok(error.message.includes(path) && /another process/.test(error.message));
    await holder.exited;
    assert.equal(await DBOS.retrieveWorkflow<string>(workflowID).getResult(), `locked: ${big.length}`);
    assert.equal(ran.filter((entry) => entry === 'small locked').length, 1);
  } finally {
    holder.kill();
  }
});

test('[sqlite] operations queued behind a long fault fail together, not one retry budget each', async () => {
  const budgetMs = 400;
  await launch({ databaseOutageTimeoutMs: budgetMs });
  const open = closeGate();
  const runs = await Promise.all(['many-a', 'many-b', 'many-c', 'many-d', 'many-e'].map((label) => startHeld(label)));
  fillDisk();
  const began = Date.now();
  open();
  const errors = await Promise.all(runs.map(({ result }) => result.then(() => undefined, (e: unknown) => e)));
  const tookMs = Date.now() - began;
  for (const error of errors) assert.ok(error instanceof DBOSSqliteDiskFullError, `got ${String(error)}`);
  assert.ok(tookMs < budgetMs * 3, `the five writes took ${tookMs} ms to fail: each waited a budget of its own`);
  freeDisk();
  for (const { workflowID } of runs) assert.match(await DBOS.retrieveWorkflow<string>(workflowID).getResult(), /^many-.: 200000$/);
});

test('[sqlite] shutdown during a fault returns within the retry budget; the next launch recovers the workflow', async () => {
  const config = sqliteBackend.freshConfig({ databaseOutageTimeoutMs: 1500 });
  DBOS.setConfig(config);
  await DBOS.launch();
  const { workflowID, open, result } = await startAtGate('shutdown-full');
  fillDisk();
  open();
  await until('the big step to run', () => ran.includes('big shutdown-full'));
  const began = Date.now();
  await DBOS.shutdown();
  assert.ok(Date.now() - began < 4000, `shutdown took ${Date.now() - began} ms`);
  await result.catch(() => undefined); // settled (with the interruption or the fault), not left hanging
  DBOS.setConfig(config); // a new connection: the disk has room again
  await DBOS.launch();
  assert.equal(await DBOS.retrieveWorkflow<string>(workflowID).getResult(), `shutdown-full: ${big.length}`);
  assert.equal(ran.filter((entry) => entry === 'small shutdown-full').length, 1);
});

test('[sqlite] a parent awaiting a child stopped by a fault waits for the resumed child instead of failing', async () => {
  await launch({ databaseOutageTimeoutMs: 300 });
  const open = closeGate();
  const parentID = `parent-${randomUUID()}`;
  const parent = await DBOS.startWorkflow(parentWorkflow, { workflowID: parentID })('child');
  await until('the child to reach its gate', () => ran.includes('small child'));
  await new Promise((resolve) => setTimeout(resolve, 100)); // its first checkpoint commits
  fillDisk();
  open();
  await until('the child to stop on the fault', () => ran.includes('big child'));
  await new Promise((resolve) => setTimeout(resolve, 600));
  freeDisk();
  assert.equal(await parent.getResult(), `parent of child: ${big.length}`);
  assert.equal((await DBOS.getWorkflowStatus(parentID))?.status, 'SUCCESS');
});

test("[sqlite] a step that itself fails with a fault error (another file's) fails the workflow once its error is recorded", async () => {
  await launch({});
  const workflowID = `foreign-fault-${randomUUID()}`;
  const handle = await DBOS.startWorkflow(foreignFaultWorkflow, { workflowID })();
  await handle.getResult().catch(() => undefined); // this execution stops on the live fault error
  const error = await DBOS.retrieveWorkflow(workflowID).getResult().then(() => assert.fail('should fail'), (e: unknown) => e);
  assert.ok(error instanceof DBOSSqliteLockTimeoutError, `got ${String(error)}`);
  assert.equal((await DBOS.getWorkflowStatus(workflowID))?.status, 'ERROR');
  assert.deepEqual(ran, ['foreign']); // replayed from its recorded error, never run again
});

test('[sqlite] a corrupt file at launch: DBOSSqliteCorruptError naming the file', async () => {
  const config = sqliteBackend.freshConfig();
  DBOS.setConfig(config);
  await DBOS.launch();
  await DBOS.shutdown();
  const path = config.systemDatabaseUrl!;
  const size = statSync(path).size;
  const fd = openSync(path, 'r+');
  writeSync(fd, randomBytes(size - 4096), 0, size - 4096, 4096); // keep the header page, ruin the rest
  closeSync(fd);
  DBOS.setConfig(config);
  const error = await DBOS.launch().then(() => assert.fail('launch should fail'), (e: unknown) => e);
  assert.ok(error instanceof DBOSSqliteCorruptError, `got ${String(error)}`);
  assert.equal(error.code, 'SQLITE_CORRUPT');
  assert.equal(error.retriable, false);
  assert.ok(error.message.includes(`"${path}" is corrupt`));
});

test('[sqlite] a file that is not SQLite at launch: NOT_A_SQLITE_DATABASE naming the file, which is left alone', async () => {
  const path = join(testTempDir, `not-sqlite-${randomUUID()}.sqlite`);
  writeFileSync(path, 'id,amount\n1,2\n'.repeat(100));
  DBOS.setConfig({ systemDatabaseUrl: path, logLevel: 'warn' });
  const error = (await DBOS.launch().then(() => assert.fail('launch should fail'), (e: unknown) => e)) as { code: string; message: string };
  assert.equal(error.code, 'NOT_A_SQLITE_DATABASE');
  assert.ok(error.message.includes(`"${path}" is not a SQLite database`));
  rmSync(path, { force: true });
});

test('[sqlite] a read-only file at launch (chmod 0444): DBOSSqliteReadOnlyError naming the file, at once', async () => {
  const config = sqliteBackend.freshConfig();
  DBOS.setConfig(config);
  await DBOS.launch();
  await DBOS.shutdown();
  const path = config.systemDatabaseUrl!;
  // A fresh launch needs to write (its version row, its heartbeat): a read-only file cannot be used.
  chmodSync(path, 0o444);
  const asRoot = process.getuid?.() === 0;
  if (asRoot) console.warn('[sqlite-faults] running as root, which ignores file permissions: the read-only launch runs as uid 65534');
  const started = Date.now();
  const report = await launchInChild(path, asRoot ? 65534 : undefined);
  assert.equal(report.name, 'DBOSSqliteReadOnlyError', JSON.stringify(report));
  assert.equal(report.code, 'SQLITE_READ_ONLY');
  assert.ok(report.message?.includes(`"${path}" is read-only`));
  assert.ok(Date.now() - started < 20_000, 'a read-only file at launch is reported without waiting out the retry budget');
  chmodSync(path, 0o644);
});

// Last: every fault above, with the queue, heartbeat and schedule loops running, has been through here.
test('[sqlite] no fault above reached process.on("unhandledRejection")', () => {
  assert.deepEqual(unhandled.map(String), []);
});
