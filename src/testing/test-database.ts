/**
 * Test helpers: a fresh temporary system database per test, launching DBOS
 * on it, resetting DBOS between tests, and simulating a process crash
 * followed by a deterministic recovery.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DBOS } from '../api/dbos.ts';
import { DBOSConfigurationError } from '../errors/errors.ts';
import { currentRuntime } from '../runtime/runtime.ts';
import type { DBOSConfig } from '../types/config-types.ts';
import type { WorkflowHandle } from '../types/workflow-types.ts';

export interface TemporarySystemDatabase {
  /** The SQLite file's path: pass it as `systemDatabaseUrl`. */
  readonly url: string;
  /** Delete the file (and its WAL files); call it once DBOS is shut down. */
  remove(): void;
}

/** A new, empty SQLite system database in a temporary directory. */
export function temporarySystemDatabase(): TemporarySystemDatabase {
  const directory = mkdtempSync(join(tmpdir(), 'durably-test-'));
  return {
    url: join(directory, `${randomUUID()}.sqlite`),
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

export interface TestLaunch {
  /** The configuration it launched with: give it to restartDBOS. */
  readonly config: DBOSConfig;
  /** Shut DBOS down and delete the temporary database (if this launch made one). */
  close(): Promise<void>;
}

/**
 * Launch DBOS for one test: on a fresh temporary SQLite database unless `config` names a system database
 * (a Postgres URL, say, with its own `systemDatabaseSchemaName`).
 */
export async function launchTestDBOS(config: DBOSConfig = {}): Promise<TestLaunch> {
  if (currentRuntime()) throw new DBOSConfigurationError('launchTestDBOS(): DBOS is already launched: call resetDBOS() first.');
  const database = config.systemDatabaseUrl ? undefined : temporarySystemDatabase();
  const resolved: DBOSConfig = { name: 'durably-test', logLevel: 'warn', ...config, ...(database ? { systemDatabaseUrl: database.url } : {}) };
  DBOS.setConfig(resolved);
  try {
    await DBOS.launch();
  } catch (error) {
    database?.remove();
    throw error;
  }
  return {
    config: resolved,
    close: async () => {
      await DBOS.shutdown();
      database?.remove();
    },
  };
}

/**
 * Between tests: shut DBOS down (workflows still running stay PENDING in their database). With
 * `deregister: true`, also forget every registered workflow, step, queue and instance.
 */
export async function resetDBOS(options: { deregister?: boolean } = {}): Promise<void> {
  await DBOS.shutdown({ deregister: options.deregister === true });
}

/**
 * Simulate a crash of this process and its restart: every workflow running here stops at once (nothing more
 * of it is recorded), DBOS shuts down and launches again with `config` on the same system database, and
 * recovery resumes this executor's PENDING workflows. Returns, once recovery has finished, their handles; await
 * them for the outcome.
 */
export async function restartDBOS(config: DBOSConfig): Promise<WorkflowHandle<unknown>[]> {
  const runtime = currentRuntime();
  if (!runtime) throw new DBOSConfigurationError('restartDBOS(): DBOS is not launched.');
  runtime.engine.interrupt();
  await DBOS.shutdown();
  DBOS.setConfig(config);
  await DBOS.launch();
  // Recovery runs in the background after launch: the handles are complete once it has finished.
  await currentRuntime()?.recovery.finished;
  return currentRuntime()?.recovered ?? [];
}
