/**
 * The shared idle poll of a process's queues (queues/idle-queue-poll.ts): one
 * read for many queues, rather than one peek per queue per poll. Each queue
 * costs two index probes (the dequeue index's partial WHERE repeated, as in
 * peekQueue), stopped at the first row, however much work waits there.
 */
import type { QueryRunner } from '../connection.ts';
import type { Dialect } from '../dialect.ts';

const inFlight = `status IN ('ENQUEUED', 'DELAYED', 'PENDING') AND queue_name IS NOT NULL`;

/** Of `queueNames`, those with an ENQUEUED workflow or a DELAYED one due by `nowEpochMs`. */
export async function selectQueuesWithWork(
  runner: QueryRunner,
  d: Dialect,
  queueNames: readonly string[],
  nowEpochMs: number,
): Promise<string[]> {
  const table = d.table('workflow_status');
  const found: string[] = [];
  const perChunk = Math.max(1, d.maxParameters - 1);
  for (let start = 0; start < queueNames.length; start += perChunk) {
    const chunk = queueNames.slice(start, start + perChunk);
    // VALUES names its column column1 on both backends.
    const values = chunk.map((_, i) => `($${i + 2})`).join(', ');
    const rows = await runner.query<{ name: string }>(
      `SELECT q.column1 AS name FROM (VALUES ${values}) AS q
       WHERE EXISTS (SELECT 1 FROM ${table} WHERE queue_name = q.column1 AND status = 'ENQUEUED' AND ${inFlight})
          OR EXISTS (SELECT 1 FROM ${table} WHERE queue_name = q.column1 AND status = 'DELAYED' AND ${inFlight}
                     AND delay_until_epoch_ms <= $1)`,
      [nowEpochMs, ...chunk],
    );
    for (const row of rows) found.push(row.name);
  }
  return found;
}
