/**
 * Postgres only: pg's LISTEN client never reconnects by itself, and an idle
 * pool client's error crashes a process that has no pool error handler
 * (shared/spec/dependencies.md). Here the server kills our connections
 * (pg_terminate_backend, found through a per-instance application_name) and
 * the system database must reconnect, keep delivering NOTIFYs sent by another
 * instance, and never crash.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type pg from 'pg';
import type { SystemDatabaseTarget } from '../../../src/system-database/open-system-database.ts';
import type { PostgresNotifier } from '../../../src/system-database/postgres/postgres-notifier.ts';
import { outcomeChannel, type SystemDatabase } from '../../../src/system-database/system-database.ts';
import {
  adminClient,
  capturingLogger,
  eventually,
  freshPostgresSchema,
  newWorkflow,
  OpenedDatabases,
  postgresAvailable,
  postgresTestUrl,
  settlesWithin,
  stepOutcome,
  workflowOutcome,
  type CapturingLogger,
} from '../../helpers/system-database-targets.ts';

/** The test URL with an application_name unique to one instance, so its backends can be found and killed. */
function urlNamed(applicationName: string): string {
  const url = new URL(postgresTestUrl);
  url.searchParams.set('application_name', applicationName);
  return url.toString();
}

interface Instance {
  db: SystemDatabase;
  logger: CapturingLogger;
  applicationName: string;
  notifier: PostgresNotifier;
}

describe('Postgres LISTEN reconnection and pool errors', { skip: postgresAvailable ? false : 'Postgres unreachable' }, () => {
  const opened = new OpenedDatabases();
  let admin: pg.Client;
  let schema: string;
  /** Two instances on one schema: two "processes" as far as Postgres can tell (separate connections). */
  let first: Instance;
  let second: Instance;

  async function openInstance(schemaName: string): Promise<Instance> {
    const applicationName = `durably_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    const logger = capturingLogger();
    const target: SystemDatabaseTarget = { backend: 'postgres', url: urlNamed(applicationName), schema: schemaName, poolSize: 4 };
    const db = await opened.open(target, logger);
    return { db, logger, applicationName, notifier: db.notifier as PostgresNotifier };
  }

  async function backendsOf(instance: Instance): Promise<number[]> {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE application_name = $1 ORDER BY pid',
      [instance.applicationName],
    );
    return rows.map((r) => r.pid);
  }

  async function killListener(instance: Instance): Promise<number> {
    const pid = instance.notifier.listenerProcessID;
    assert.ok(pid !== undefined, 'the notifier exposes its LISTEN backend');
    const { rows } = await admin.query<{ killed: boolean }>('SELECT pg_terminate_backend($1) AS killed', [pid]);
    assert.equal(rows[0]?.killed, true);
    return pid;
  }

  async function reconnected(instance: Instance, oldPid: number): Promise<void> {
    await eventually('the notifier to LISTEN again on a new connection', () => {
      const pid = instance.notifier.listenerProcessID;
      return instance.notifier.isListening && pid !== undefined && pid !== oldPid;
    });
    // Let the reconnection's wake-everyone pass before registering new waiters.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  /** `from` finishes a fresh workflow; true when a waiter of `to` on it woke within a generous bound. */
  async function crossInstanceWakeUp(from: Instance, to: Instance, boundMs = 10_000): Promise<boolean> {
    const workflow = newWorkflow();
    await from.db.insertWorkflowOrGetExisting(workflow);
    const waiter = to.db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    try {
      assert.equal(await from.db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID)), true);
      return await settlesWithin(waiter.promise, boundMs);
    } finally {
      waiter.cancel();
    }
  }

  beforeEach(async () => {
    admin = await adminClient();
    schema = freshPostgresSchema();
    first = await openInstance(schema);
    second = await openInstance(schema);
  });

  afterEach(async () => {
    await opened.cleanup();
    await admin.end();
  });

  test('baseline: a NOTIFY from one instance wakes a waiter in the other', async () => {
    assert.equal(first.notifier.isListening, true);
    assert.equal(await crossInstanceWakeUp(second, first), true);
    assert.equal(await crossInstanceWakeUp(first, second), true);
  });

  test('after its LISTEN backend is killed, the notifier reconnects and NOTIFYs from another instance still arrive', async () => {
    for (let round = 1; round <= 2; round++) {
      const oldPid = await killListener(first);
      await reconnected(first, oldPid);
      assert.equal(await crossInstanceWakeUp(second, first), true, `round ${round}: woken across instances`);
    }
    assert.ok(
      first.logger.lines.some((l) => l.level === 'warn' && /LISTEN connection was lost/.test(l.message)),
      `the loss was logged: ${JSON.stringify(first.logger.lines)}`,
    );
    assert.equal(await crossInstanceWakeUp(first, second), true, 'the other direction is unaffected');
  });

  test('a waiter registered before the LISTEN connection died is woken, even if the NOTIFY was sent meanwhile', async () => {
    const workflow = newWorkflow();
    await second.db.insertWorkflowOrGetExisting(workflow);
    const waiter = first.db.notifier.wait(outcomeChannel, workflow.workflowID, 600_000);
    const bystander = first.db.notifier.wait(outcomeChannel, 'a-workflow-nobody-finishes', 600_000);
    try {
      const oldPid = await killListener(first);
      // Likely sent while `first` is not listening: only the reconnection's wake-everyone can deliver it.
      await second.db.recordWorkflowOutcome(workflowOutcome(workflow.workflowID));
      assert.equal(await settlesWithin(waiter.promise, 15_000), true, 'the waiter woke');
      assert.equal(await settlesWithin(bystander.promise, 15_000), true, 'every waiter re-reads after a reconnection');
      await reconnected(first, oldPid);
      assert.equal((await first.db.getWorkflowStatus(workflow.workflowID))?.status, 'SUCCESS');
    } finally {
      waiter.cancel();
      bystander.cancel();
    }
  });

  test('while the LISTEN connection is down, the safety poll is short', async () => {
    const healthy = first.notifier.safetyPollMs(10);
    assert.equal(first.notifier.waitSafetyPollMs(10), Number.POSITIVE_INFINITY, 'listening: waits need no safety poll');
    await killListener(first);
    await eventually('the notifier to notice the loss', () => !first.notifier.isListening);
    assert.ok(first.notifier.safetyPollMs(10) <= healthy, 'no longer than when healthy');
    assert.ok(Number.isFinite(first.notifier.waitSafetyPollMs(10)), 'not listening: waits poll');
    await eventually('the notifier to LISTEN again', () => first.notifier.isListening);
  });

  test('terminating idle pool connections does not crash the process; the pool replaces them', async () => {
    // Open several pool connections at once so some sit idle.
    const workflows = Array.from({ length: 8 }, () => newWorkflow());
    await Promise.all(workflows.map((w) => first.db.insertWorkflowOrGetExisting(w)));
    await Promise.all(Array.from({ length: 8 }, () => first.db.getWorkflowStatus(workflows[0]!.workflowID)));
    const listenerPid = first.notifier.listenerProcessID;
    const poolPids = (await backendsOf(first)).filter((pid) => pid !== listenerPid);
    assert.ok(poolPids.length >= 1, `pool connections found: ${poolPids.length}`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [poolPids]);
    await eventually('the pool to report its idle connections failed', () =>
      first.logger.lines.some((l) => l.level === 'warn' && /idle system database connection failed/.test(l.message)),
    );
    // Still alive, and still working on fresh connections.
    const workflow = newWorkflow();
    assert.deepEqual(await first.db.insertWorkflowOrGetExisting(workflow), { inserted: true });
    await first.db.recordStepOutcome(stepOutcome(workflow.workflowID, 0));
    assert.equal((await first.db.loadStepOutcomes(workflow.workflowID)).length, 1);
    assert.equal(first.notifier.listenerProcessID, listenerPid, 'the LISTEN connection was not touched');
    const remaining = await backendsOf(first);
    assert.ok(poolPids.every((pid) => !remaining.includes(pid)), 'the killed connections are gone');
  });

  test('every connection of an instance killed at once: it recovers reads, writes and cross-instance wake-ups', async () => {
    await Promise.all(Array.from({ length: 4 }, () => first.db.getWorkflowStatus('warm-up')));
    const oldListener = first.notifier.listenerProcessID!;
    const pids = await backendsOf(first);
    assert.ok(pids.includes(oldListener));
    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [pids]);
    await reconnected(first, oldListener);
    const workflow = newWorkflow();
    assert.deepEqual(await first.db.insertWorkflowOrGetExisting(workflow), { inserted: true });
    assert.equal(await crossInstanceWakeUp(second, first), true);
    assert.equal(await crossInstanceWakeUp(first, second), true);
  });

  test(
    'a long schema name (channel name over 63 bytes) still carries NOTIFYs across instances',
    async () => {
      const longSchema = `t_${randomUUID().replaceAll('-', '')}${'x'.repeat(16)}`; // 50 characters
      const a = await openInstance(longSchema);
      const b = await openInstance(longSchema);
      assert.equal(await crossInstanceWakeUp(b, a, 3_000), true);
      assert.ok(
        !b.logger.lines.some((l) => /Could not publish/.test(l.message)),
        `publishing failed: ${JSON.stringify(b.logger.lines)}`,
      );
    },
  );

  test('close() stops the LISTEN connection: no backend of the instance is left', async () => {
    await first.db.close();
    await eventually('the instance to leave no backend behind', async () => (await backendsOf(first)).length === 0);
    assert.equal(first.notifier.isListening, false);
  });
});
