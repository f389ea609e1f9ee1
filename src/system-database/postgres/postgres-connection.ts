/**
 * The Postgres connection: a pg Pool. BIGINT columns come back as numbers
 * (epoch milliseconds fit). An idle client's error is logged, never thrown:
 * without a pool error handler, pg crashes the process.
 *
 * A statement that fails because its connection was lost is retried on a new
 * connection, with backoff. Writes stay correct when a commit's
 * acknowledgement was lost and the retry finds its own row: the callers
 * recognise their own rows (owner_xid, recorded step outcome).
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DBOSDatabaseError } from '../../errors/errors.ts';
import { jitterMs, sleepMs } from '../../support/sleep.ts';
import type { Connection, QueryRunner, Row, SqlValue } from '../connection.ts';
import { isConnectionError } from './postgres-errors.ts';

/** How long to keep retrying through a lost connection (a server restart, a failover) before giving up. */
const retryForMs = 60_000;

const int8Oid = 20;

export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

const statementNames = new Map<string, string>();

/**
 * Small parameterized statements (the sequential hot path: one workflow row,
 * one step row) are prepared once per connection and reused, saving the
 * server a parse and plan each time. Large multi-row batches vary in shape
 * and are amortized anyway: left unnamed so connections do not hoard plans.
 */
function queryConfig(sql: string, params: readonly SqlValue[]): pg.QueryConfig {
  const config: pg.QueryConfig = { text: sql, values: params as unknown[], types: typeParsers };
  if (params.length === 0 || params.length > 32) return config;
  let name = statementNames.get(sql);
  if (!name) {
    name = `durably_${createHash('sha1').update(sql).digest('hex').slice(0, 24)}`;
    if (statementNames.size > 1000) statementNames.clear();
    statementNames.set(sql, name);
  }
  return { ...config, name };
}

export class PostgresConnection implements Connection {
  private closed = false;

  constructor(
    readonly pool: pg.Pool,
    private readonly onIdleError: (error: Error) => void,
    /** False for a caller's pool (`systemDatabasePool`): its owner ends it, never durably. */
    private readonly ownsPool = true,
  ) {
    pool.on('error', onIdleError);
  }

  query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.retryOnLostConnection(async () => {
      const result = await this.pool.query(queryConfig(sql, params));
      return result.rows as R[];
    });
  }

  transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    return this.retryOnLostConnection(() => this.transactionOnce(work));
  }

  private async transactionOnce<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: pg emits 'error' on it when its server dies, even
    // with a query in flight (the query rejects too). Unheard, that event would end the process.
    let broken = false;
    const onClientError = () => {
      broken = true;
    };
    client.on('error', onClientError);
    const tx: QueryRunner = {
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await client.query(queryConfig(sql, params))).rows as R[],
    };
    try {
      await client.query('BEGIN');
      const result = await work(tx);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch {
        broken = true;
      }
      throw error;
    } finally {
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  private async retryOnLostConnection<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (this.pool.ending || !isConnectionError(error)) throw error;
        if (Date.now() - started > retryForMs) {
          throw new DBOSDatabaseError(
            `Lost the Postgres system database for ${retryForMs / 1000} s: ${(error as Error).message}`,
            { cause: error },
          );
        }
        await sleepMs(jitterMs(0.5, 1) * Math.min(2000, 50 * 2 ** tries));
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.pool.off('error', this.onIdleError);
    if (this.ownsPool && !this.pool.ending) await this.pool.end();
  }
}
