/**
 * A node-pg transaction whose connection dies under it (the server restarted, the network cut it) is retried
 * inside a workflow, and the workflow finishes: the next attempt checks first (the completion row, or the
 * single-commit checkpoint), so a commit whose answer was lost is never applied twice. Found by the chaos run,
 * where a cut recorded "Connection terminated unexpectedly" as the transaction's outcome and failed the
 * workflow for good. The cut here: the transaction terminates its own backend on its first attempt.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, describe, test } from 'node:test';
import { DBOS, type DBOSConfig } from '../../src/index.ts';
import { NodePostgresDataSource } from '../../src/datasources/node-pg.ts';
import { forEachBackend, postgresAvailable, postgresBackend, type TestBackend } from '../helpers/backends.ts';
import type { AppPlacement, AppSpec } from './fixtures/app-database.ts';
import { appDatabase } from './fixtures/node-pg-app.ts';

if (!postgresAvailable) throw new Error('The node-pg data source tests need Postgres (DBOS_TEST_POSTGRES_URL or 127.0.0.1:5432).');

function defineConnectionLoss(backend: TestBackend, placement: AppPlacement): void {
  let spec: AppSpec | undefined;
  afterEach(async () => {
    await DBOS.shutdown({ deregister: true });
    if (spec) await appDatabase.drop(spec);
  });

  test('a transaction whose connection dies is retried; its writes land once and the workflow succeeds', { timeout: 60_000 }, async () => {
    const config: DBOSConfig = backend.freshConfig();
    spec = await appDatabase.create(placement === 'system-database' ? config : undefined);
    const app = appDatabase.open(spec);
    const dataSource = app.createDataSource(`cut-${randomUUID().slice(0, 8)}`);
    let attempts = 0;
    const insert = dataSource.registerTransaction(
      async (label: string) => {
        attempts++;
        await app.insertItemInTransaction(label);
        if (attempts === 1) await NodePostgresDataSource.client.query('SELECT pg_terminate_backend(pg_backend_pid())');
        return label;
      },
      { name: 'cut.insert' },
    );
    const workflow = DBOS.registerWorkflow(async (label: string) => insert(label), { name: 'cut.workflow' });
    DBOS.setConfig(config);
    await DBOS.launch();
    try {
      assert.equal(await workflow('once'), 'once');
      assert.equal(attempts, 2, 'the first attempt lost its connection, the second committed');
      assert.deepEqual(await app.items(), ['once']);
    } finally {
      await app.close();
    }
  });
}

forEachBackend('NodePostgresDataSource: a lost connection', (backend) => defineConnectionLoss(backend, 'own-database'));

describe('NodePostgresDataSource on the system database (single commit): a lost connection [postgres]', () => {
  defineConnectionLoss(postgresBackend, 'system-database');
});
