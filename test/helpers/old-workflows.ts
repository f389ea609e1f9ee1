/**
 * Many finished workflows written at once with set-based SQL (a recursive
 * CTE, which SQLite and Postgres both run), for tests of work over thousands
 * of workflows (garbage collection): each has a status row, two steps, its
 * input and its output, as a real 3-table workflow would.
 */

/** Runs one statement; table names in it are already qualified with `table`. */
export type RunSql = (sql: string) => Promise<unknown>;

export interface OldWorkflows {
  /** IDs are `${prefix}${n}` for n = 1..count. */
  prefix: string;
  count: number;
  /** created_at of workflow n is firstCreatedAt + floor(n / perMillisecond): several share each millisecond. */
  firstCreatedAt: number;
  perMillisecond: number;
  applicationName: string | null;
}

export function oldWorkflowCreatedAt(w: OldWorkflows, n: number): number {
  return w.firstCreatedAt + Math.floor(n / w.perMillisecond);
}

export async function insertOldWorkflows(run: RunSql, table: (name: string) => string, w: OldWorkflows): Promise<void> {
  const series = `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < ${w.count})`;
  const id = `'${w.prefix}' || n`;
  const app = w.applicationName === null ? 'NULL' : `'${w.applicationName}'`;
  await run(
    `INSERT INTO ${table('workflow_status')} (workflow_uuid, status, name, created_at, updated_at, application_name)
     ${series} SELECT ${id}, 'SUCCESS', 'old', ${w.firstCreatedAt} + n / ${w.perMillisecond}, ${w.firstCreatedAt}, ${app} FROM s`,
  );
  await run(
    `INSERT INTO ${table('operation_outputs')} (workflow_uuid, function_id, function_name, output)
     ${series} SELECT ${id}, f.function_id, 'step', '1' FROM s CROSS JOIN (SELECT 0 AS function_id UNION ALL SELECT 1) AS f`,
  );
  await run(`INSERT INTO ${table('workflow_input')} (workflow_uuid, inputs) ${series} SELECT ${id}, '[]' FROM s`);
  await run(`INSERT INTO ${table('workflow_output')} (workflow_uuid, output) ${series} SELECT ${id}, '1' FROM s`);
}

/** A message to, an event and its history of, and a stream of `workflowID`: rows that go by cascade. */
export async function recordCommunication(run: RunSql, table: (name: string) => string, workflowID: string): Promise<void> {
  await run(
    `INSERT INTO ${table('notifications')} (message_uuid, destination_uuid, topic, message)
     VALUES ('m-${workflowID}', '${workflowID}', 't', '1')`,
  );
  await run(`INSERT INTO ${table('workflow_events')} (workflow_uuid, key, value) VALUES ('${workflowID}', 'k', '1')`);
  await run(
    `INSERT INTO ${table('workflow_events_history')} (workflow_uuid, function_id, key, value) VALUES ('${workflowID}', 2, 'k', '1')`,
  );
  await run(
    `INSERT INTO ${table('streams')} (workflow_uuid, key, value, "offset", function_id) VALUES ('${workflowID}', 's', '1', 0, 3)`,
  );
}

/** Tables that hold a workflow's rows, with the column naming it. */
export const workflowRowTables = [
  ['workflow_status', 'workflow_uuid'],
  ['operation_outputs', 'workflow_uuid'],
  ['workflow_input', 'workflow_uuid'],
  ['workflow_output', 'workflow_uuid'],
  ['notifications', 'destination_uuid'],
  ['workflow_events', 'workflow_uuid'],
  ['workflow_events_history', 'workflow_uuid'],
  ['streams', 'workflow_uuid'],
] as const;
