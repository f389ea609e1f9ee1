/**
 * Which rows of a dashboard page are stranded: PENDING or ENQUEUED under an
 * application version no live executor runs (the definition listings use, in
 * system-database/sql/stranded-versions.ts). The executors table holds a row
 * per process, so one small read per page marks every row, and a workflow
 * page says it too, with the version it needs.
 */
import type { Engine } from '../engine/engine.ts';
import type { WorkflowStatusRecord } from '../system-database/records.ts';

export type StrandedTest = (row: WorkflowStatusRecord) => boolean;

/** The versions live executors run now; a row is stranded when it waits for another one. */
export async function strandedTest(engine: Engine): Promise<StrandedTest> {
  const liveVersions = new Set(await engine.systemDatabase.dashboard.liveApplicationVersions(Date.now() - engine.executorTimeoutMs));
  return (row) =>
    (row.status === 'PENDING' || row.status === 'ENQUEUED') && row.applicationVersion !== null && !liveVersions.has(row.applicationVersion);
}

/** `?stranded=1` (or true): only stranded rows. */
export function strandedOnly(url: URL): boolean {
  const value = url.searchParams.get('stranded');
  return value === '1' || value === 'true';
}
