/**
 * Tests of the system database itself (below the DBOS facade): a fresh
 * SystemDatabaseTarget per test (a new SQLite file or a new Postgres schema),
 * record builders with every field set, a logger that keeps what it was told,
 * and raw SQL against a target for what the interface does not expose.
 * Postgres availability and the loud skip come from backends.ts.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe } from 'node:test';
import pg from 'pg';
import {
  dropSystemDatabase,
  openSystemDatabase,
  type SystemDatabaseTarget,
} from '../../src/system-database/open-system-database.ts';
import type { NewWorkflowRecord, StepOutcomeRecord, WorkflowOutcomeRecord } from '../../src/system-database/records.ts';
import type { SystemDatabase } from '../../src/system-database/system-database.ts';
import type { DLogger } from '../../src/telemetry/logger.ts';
import { postgresAvailable, testTempDir, type BackendName } from './backends.ts';

export { postgresAvailable };

/** The same server backends.ts probes (it creates the database when missing). */
export const postgresTestUrl = process.env.DBOS_TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/durably_test';

export function freshSqliteTarget(): Extract<SystemDatabaseTarget, { backend: 'sqlite' }> {
  return { backend: 'sqlite', path: join(testTempDir, `sysdb-${randomUUID()}.sqlite`), synchronous: 'FULL' };
}

export function freshPostgresSchema(): string {
  return `t_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
}

export function freshPostgresTarget(url = postgresTestUrl): Extract<SystemDatabaseTarget, { backend: 'postgres' }> {
  return { backend: 'postgres', url, schema: freshPostgresSchema(), poolSize: 4 };
}

export function freshTarget(backend: BackendName): SystemDatabaseTarget {
  return backend === 'sqlite' ? freshSqliteTarget() : freshPostgresTarget();
}

/** Define `suite` once per backend, skipping Postgres (loudly, through backends.ts) when it is unreachable. */
export function forEachTarget(title: string, suite: (backend: BackendName) => void): void {
  for (const backend of ['sqlite', 'postgres'] as const) {
    const skip = backend === 'postgres' && !postgresAvailable ? 'Postgres unreachable' : false;
    describe(`${title} [${backend}]`, { skip }, () => suite(backend));
  }
}

export interface CapturingLogger extends DLogger {
  readonly lines: { level: string; message: string }[];
}

export function capturingLogger(): CapturingLogger {
  const lines: { level: string; message: string }[] = [];
  const at = (level: string) => (message: unknown) => {
    lines.push({ level, message: message instanceof Error ? message.message : String(message) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/**
 * Opens targets and remembers them, so one `cleanup()` in afterEach closes
 * every instance (tolerating ones a test already closed) and drops the data.
 */
export class OpenedDatabases {
  private readonly instances: SystemDatabase[] = [];
  private readonly targets = new Set<SystemDatabaseTarget>();
  readonly logger = capturingLogger();

  async open(target: SystemDatabaseTarget, logger: DLogger = this.logger): Promise<SystemDatabase> {
    this.targets.add(target);
    const db = await openSystemDatabase(target, logger);
    this.instances.push(db);
    return db;
  }

  /** Remember a target opened some other way (child processes), so its data is dropped too. */
  track(target: SystemDatabaseTarget): void {
    this.targets.add(target);
  }

  async cleanup(): Promise<void> {
    for (const db of this.instances.splice(0)) await db.close().catch(() => undefined);
    for (const target of this.targets) await dropSystemDatabase(target).catch(() => undefined);
    this.targets.clear();
  }
}

let sequence = 0;

/** A new workflow with every field set to a distinct, non-default value. */
export function newWorkflow(overrides: Partial<NewWorkflowRecord> = {}): NewWorkflowRecord {
  sequence += 1;
  return {
    workflowID: `wf-${randomUUID()}`,
    status: 'PENDING',
    workflowName: 'checkout',
    className: 'Shop',
    configName: 'eu',
    authenticatedUser: 'alice',
    assumedRole: 'admin',
    authenticatedRoles: '["admin","user"]',
    inputs: '{"json":[1,"two",{"three":3}]}',
    serialization: 'superjson',
    executorID: 'executor-a',
    applicationVersion: 'v1',
    applicationName: 'shop-app',
    createdAt: 1_700_000_000_000 + sequence,
    recoveryAttempts: 1,
    queueName: null,
    deduplicationID: null,
    priority: 0,
    queuePartitionKey: null,
    delayUntilEpochMs: null,
    timeoutMs: 60_000,
    deadlineEpochMs: 1_800_000_000_123,
    parentWorkflowID: 'parent-1',
    ownerXid: randomUUID(),
    ...overrides,
  };
}

export function stepOutcome(workflowID: string, functionID: number, overrides: Partial<StepOutcomeRecord> = {}): StepOutcomeRecord {
  return {
    workflowID,
    functionID,
    functionName: `step-${functionID}`,
    output: JSON.stringify({ functionID, text: 'é ✓ 🚀' }),
    error: null,
    childWorkflowID: null,
    startedAtEpochMs: 1_700_000_000_000 + functionID * 10,
    completedAtEpochMs: 1_700_000_000_005 + functionID * 10,
    serialization: 'superjson',
    ...overrides,
  };
}

export function workflowOutcome(workflowID: string, overrides: Partial<WorkflowOutcomeRecord> = {}): WorkflowOutcomeRecord {
  return {
    workflowID,
    queueName: null,
    status: 'SUCCESS',
    output: '{"json":"done"}',
    error: null,
    serialization: 'superjson',
    completedAt: 1_750_000_000_000,
    ...overrides,
  };
}

/** Run one SQL statement against a target outside durably (`$n` placeholders; tables unqualified: the schema is on the search path). */
export async function rawQuery(
  target: SystemDatabaseTarget,
  sql: string,
  params: (string | number | null)[] = [],
): Promise<Record<string, unknown>[]> {
  if (target.backend === 'sqlite') {
    const db = new DatabaseSync(target.path);
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      return db.prepare(sql.replace(/\$(\d+)/g, '?$1')).all(...params) as Record<string, unknown>[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    await client.query(`SET search_path TO "${target.schema.replaceAll('"', '""')}"`);
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A separate Postgres connection (to kill backends with, say); the caller ends it. */
export async function adminClient(url = postgresTestUrl): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return client;
}

/** Poll `condition` every few milliseconds until it holds or `timeoutMs` passes (then throw `what`). */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether `promise` settles before `ms` passes (it is left running either way). */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true, () => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `count` ENQUEUED workflows on `queueName`, created 1 ms apart (oldest first); their IDs in that order. */
export async function enqueueWorkflows(systemDatabase: SystemDatabase, queueName: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let index = 0; index < count; index++) {
    const workflow = newWorkflow({ status: 'ENQUEUED', queueName, executorID: 'enqueuer', recoveryAttempts: 0, createdAt: 1_700_000_000_000 + index });
    await systemDatabase.insertWorkflowOrGetExisting(workflow);
    ids.push(workflow.workflowID);
  }
  return ids;
}
