/**
 * A transaction of statements known in advance, sent to the server at once: BEGIN, each statement and
 * COMMIT written together on one checked-out client (pg's pipeline mode), so the whole transaction costs one
 * round trip instead of one per statement. The server still runs them one after another, each under READ
 * COMMITTED with a snapshot of its own, taken as it starts: a lock taken by one statement is held before the
 * next one reads, exactly as when each waited for the last one's answer.
 *
 * A statement that fails aborts the transaction: the statements after it fail with "current transaction is
 * aborted" and the server answers the COMMIT with a rollback; the first failure is thrown (the caller rolls
 * back, as after any failed transaction, which is then a no-op). A client whose pg
 * has no pipeline mode (a caller's pool on an older pg) runs the same statements one round trip at a time.
 */
import type pg from 'pg';
import type { Row, Statement } from '../connection.ts';

/** The part of a pg client this needs: pg 8.23's pipeline switch, read at each send, and its socket. */
interface PipelineSwitch {
  pipeline?: unknown;
  connection?: { stream?: { cork?: () => void; uncork?: () => void } };
}

export async function runPipelinedTransaction(
  client: pg.PoolClient,
  statements: readonly Statement[],
  toConfig: (statement: Statement) => pg.QueryConfig,
  control: (text: string) => pg.QueryConfig,
): Promise<Row[][]> {
  const switchable = client as unknown as PipelineSwitch;
  if (typeof switchable.pipeline !== 'boolean') return runInTurn(client, statements, toConfig, control);
  switchable.pipeline = true;
  try {
    // Corked, the messages leave in one write: the server wakes once for the batch, not once per statement.
    const socket = switchable.connection?.stream;
    socket?.cork?.();
    let sent: Promise<pg.QueryResult>[];
    try {
      sent = [
        client.query(control('BEGIN')),
        ...statements.map((statement) => client.query(toConfig(statement))),
        client.query(control('COMMIT')),
      ];
    } finally {
      socket?.uncork?.();
    }
    // Every answer is awaited (none left to reject unheard), then the first failure, in sending order, is thrown.
    const settled = await Promise.allSettled(sent);
    const failure = settled.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    const commit = settled[settled.length - 1] as PromiseFulfilledResult<pg.QueryResult>;
    // The server answers COMMIT with ROLLBACK when the transaction had failed: never report that as committed.
    if (commit.value.command !== 'COMMIT') throw new Error(`The pipelined transaction ended with ${commit.value.command}, not COMMIT.`);
    return settled.slice(1, -1).map((outcome) => (outcome as PromiseFulfilledResult<pg.QueryResult>).value.rows as Row[]);
  } finally {
    // Everything sent has been answered (or the connection is gone): the client is back to one query at a time.
    switchable.pipeline = false;
  }
}

async function runInTurn(
  client: pg.PoolClient,
  statements: readonly Statement[],
  toConfig: (statement: Statement) => pg.QueryConfig,
  control: (text: string) => pg.QueryConfig,
): Promise<Row[][]> {
  await client.query(control('BEGIN'));
  const results: Row[][] = [];
  for (const statement of statements) results.push((await client.query(toConfig(statement))).rows as Row[]);
  await client.query(control('COMMIT'));
  return results;
}
