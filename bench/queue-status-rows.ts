/**
 * The queue scenarios' own read-only look at workflow_status (bench/queues.ts): when a queue has drained, and
 * the timestamps durably recorded. Its own connection, never on a workflow's path.
 */
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { DBOSConfig } from '../src/index.ts';

export interface TaskSpan {
  executorID: string;
  createdAt: number;
  /** started_at_epoch_ms: when it was dequeued. */
  startedAt: number;
}

/** The bench's own read-only look at workflow_status (its own connection, not durably's). */
export class StatusRows {
  private constructor(
    private readonly run: (sql: string, params: unknown[]) => Promise<Record<string, unknown>[]>,
    private readonly table: string,
    readonly close: () => Promise<void>,
  ) {}

  static async open(config: DBOSConfig): Promise<StatusRows> {
    const url = config.systemDatabaseUrl!;
    if (/^postgres(ql)?:/.test(url)) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const schema = config.systemDatabaseSchemaName ?? 'dbos';
      return new StatusRows(
        async (sql, params) => (await client.query(sql, params)).rows,
        `"${schema}".workflow_status`,
        () => client.end(),
      );
    }
    const db = new DatabaseSync(url);
    db.exec('PRAGMA busy_timeout = 10000');
    return new StatusRows(
      async (sql, params) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...(params as never[])) as Record<string, unknown>[],
      'workflow_status',
      async () => db.close(),
    );
  }

  /** Workflows of the queue not finished yet (ENQUEUED, DELAYED or PENDING: the in-flight index). */
  async inFlight(queueName: string): Promise<number> {
    const [row] = await this.run(
      `SELECT COUNT(*) AS n FROM ${this.table} WHERE queue_name = $1 AND status IN ('ENQUEUED', 'DELAYED', 'PENDING')`,
      [queueName],
    );
    return Number(row?.n ?? 0);
  }

  async succeeded(queueName: string): Promise<number> {
    const [row] = await this.run(`SELECT COUNT(*) AS n FROM ${this.table} WHERE queue_name = $1 AND status = 'SUCCESS'`, [
      queueName,
    ]);
    return Number(row?.n ?? 0);
  }

  /** Finished tasks of the queue created at or after `since` (epoch ms), oldest first. */
  async spans(queueName: string, since: number): Promise<TaskSpan[]> {
    const rows = await this.run(
      `SELECT executor_id, created_at, started_at_epoch_ms FROM ${this.table}
       WHERE queue_name = $1 AND created_at >= $2 AND status = 'SUCCESS' ORDER BY created_at`,
      [queueName, since],
    );
    return rows.map((r) => ({
      executorID: String(r.executor_id),
      createdAt: Number(r.created_at),
      startedAt: Number(r.started_at_epoch_ms),
    }));
  }

  /**
   * Poll until none of the queue's workflows is unfinished: every `pollMs`
   * once at most `fewLeft` remain, every `slowPollMs` before (so the bench's
   * own reads stay out of the way while much remains).
   */
  async waitUntilDrained(queueName: string, pollMs: number, fewLeft = Infinity, slowPollMs = pollMs): Promise<void> {
    for (let left = await this.inFlight(queueName); left > 0; left = await this.inFlight(queueName)) {
      await sleep(left > fewLeft ? slowPollMs : pollMs);
    }
  }
}

export async function withStatusRows<T>(config: DBOSConfig, work: (rows: StatusRows) => Promise<T>): Promise<T> {
  const rows = await StatusRows.open(config);
  try {
    return await work(rows);
  } finally {
    await rows.close();
  }
}
