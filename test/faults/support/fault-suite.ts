/**
 * What the Postgres fault tests share: one private cluster per test file
 * (made in `before`, deleted in `after`), a loud skip when the Postgres
 * server binaries are missing, and small waits on a child's output.
 *
 * These tests are Postgres-only: they crash-restart a database server and cut
 * its TCP connections, and SQLite has neither a server nor connections (its
 * faults — read-only file, full disk, lock held — are tested in their own files).
 */
import { after, before } from 'node:test';
import type { TestChild } from '../../processes/child-process.ts';
import { findPostgresBinaries, PrivateCluster, type PostgresBinaries } from './private-cluster.ts';

const found = await findPostgresBinaries();
export const clusterSkipReason: string | false = typeof found === 'string' ? `no private Postgres cluster: ${found}` : false;
if (clusterSkipReason) {
  console.warn(
    `\n!!! POSTGRES FAULT TESTS SKIPPED: ${clusterSkipReason}.\n` +
      '!!! Install the Postgres server binaries (initdb, pg_ctl) to run them.\n',
  );
}

/** The file's cluster; `get()` is valid inside tests (after `before`). */
export function usePrivateCluster(): { get(): PrivateCluster } {
  let cluster: PrivateCluster | undefined;
  before(async () => {
    if (clusterSkipReason) return;
    cluster = await PrivateCluster.create(found as PostgresBinaries);
  });
  after(async () => {
    await cluster?.destroy();
  });
  return {
    get() {
      if (!cluster) throw new Error('The private cluster is not there (skipped, or before() failed).');
      return cluster;
    },
  };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves once `child` has printed `count` lines starting with `prefix`; rejects if it exits first or at `timeoutMs`. */
export async function waitForLines(child: TestChild, prefix: string, count: number, timeoutMs = 20_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = child.lines.filter((line) => line.startsWith(prefix));
    if (lines.length >= count) return lines;
    if (child.exitStatus) throw new Error(`Expected ${count} "${prefix}" lines, got ${lines.length}, from ${child.describe()}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${count} "${prefix}" lines (got ${lines.length}) from ${child.describe()}`);
    await pause(20);
  }
}

/** The epoch ms of the first `MARK done <n> <at>` line printed after `since`. */
export function firstDoneAfter(child: TestChild, since: number): number | undefined {
  const times = child.lines
    .filter((line) => line.startsWith('MARK done '))
    .map((line) => Number(line.split(' ')[3]))
    .filter((at) => at >= since);
  return times.length > 0 ? Math.min(...times) : undefined;
}

/** Resolves with the epoch ms of the first workflow `child` completed at or after `since` (a `MARK done` line). */
export async function waitForDoneAfter(child: TestChild, since: number, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const at = firstDoneAfter(child, since);
    if (at !== undefined) return at;
    if (child.exitStatus) throw new Error(`No workflow completed after ${new Date(since).toISOString()} in ${child.describe()}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for a workflow to complete in ${child.describe()}`);
    await pause(20);
  }
}
