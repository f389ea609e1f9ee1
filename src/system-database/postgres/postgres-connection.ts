/**
 * The Postgres connection: a pg Pool. BIGINT columns come back as numbers
 * (epoch milliseconds fit). An idle client's error is logged, never thrown:
 * without a pool error handler, pg crashes the process.
 *
 * A statement that fails because its connection was lost is retried on a new
 * connection, with backoff. Writes stay correct when a commit's
 * acknowledgement was lost and the retry finds its own row: the callers
 * recognise their own rows (owner_xid, recorded step outcome).
 *
 * Nothing waits forever: a statement unanswered for `outageTimeoutMs` (a
 * stalled server or network) fails with pg's "Query read timeout" and its
 * connection is dropped; connecting is bounded by the URL's connect_timeout.
 * After `outageTimeoutMs` of failed attempts, the operation fails with
 * DBOSDatabaseUnavailableError.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { DBOSDatabaseUnavailableError, DBOSQueryTimeoutError } from '../../errors/errors.ts';
import { absorbPoolClientErrors } from '../../support/pg-error-events.ts';
import { jitterMs, sleepMs } from '../../support/sleep.ts';
import {
  defaultOutageTimeoutMs,
  type Connection,
  type QueryRunner,
  type Row,
  type SqlValue,
  type Statement,
  type TransactionOptions,
} from '../connection.ts';
import { isConnectionError } from './postgres-errors.ts';
import { runPipelinedTransaction } from './pipelined-transaction.ts';

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
function queryConfig(sql: string, params: readonly SqlValue[], timeoutMs: number): pg.QueryConfig {
  // query_timeout is per query (not the pool's), so it bounds a caller's pool too.
  const config = { text: sql, values: params as unknown[], types: typeParsers, query_timeout: timeoutMs } as pg.QueryConfig;
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
    /** databaseOutageTimeoutMs: how long to retry through a lost or stalled database. */
    private readonly outageTimeoutMs = defaultOutageTimeoutMs,
  ) {
    pool.on('error', onIdleError);
    // pool.query() listens to its client with `once` and stops when the query's callback runs, but a dying
    // client can emit 'error' again afterwards (seen in the chaos run under connection cuts): every client
    // keeps a listener, so that second event cannot crash the process.
    absorbPoolClientErrors(pool);
  }

  query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    return this.retryOnLostConnection(async () => {
      const result = await this.pool.query(queryConfig(sql, params, this.outageTimeoutMs));
      return result.rows as R[];
    });
  }

  transaction<T>(work: (tx: QueryRunner) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.retryOnLostConnection(() => this.transactionOnce(work, options));
  }

  autocommit<T>(work: (runner: QueryRunner) => Promise<T>): Promise<T> {
    const once: QueryRunner = {
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await this.pool.query(queryConfig(sql, params, this.outageTimeoutMs))).rows as R[],
    };
    return this.retryOnLostConnection(() => work(once));
  }

  private transactionOnce<T>(work: (tx: QueryRunner) => Promise<T>, options: TransactionOptions): Promise<T> {
    return this.onCheckedOutClient(async (client) => {
      const tx: QueryRunner = {
        query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
          (await client.query(queryConfig(sql, params, this.outageTimeoutMs))).rows as R[],
      };
      // Without parameters, both statements go in one round trip.
      await client.query(this.control(options.durable === false ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN'));
      const result = await work(tx);
      await client.query(this.control('COMMIT'));
      return result;
    });
  }

  pipelinedTransaction(build: () => readonly Statement[]): Promise<Row[][]> {
    return this.retryOnLostConnection(() =>
      this.onCheckedOutClient((client) =>
        runPipelinedTransaction(
          client,
          build(),
          ({ sql, params }) => queryConfig(sql, params, this.outageTimeoutMs),
          (text) => this.control(text),
        ),
      ),
    );
  }

  private control(text: string): pg.QueryConfig {
    return { text, query_timeout: this.outageTimeoutMs } as pg.QueryConfig;
  }

  /** A pooled client for one transaction: rolled back if `run` fails, dropped if its connection failed. */
  private async onCheckedOutClient<T>(run: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    // A checked-out client has no pool listener: pg emits 'error' on it when its server dies, even
    // with a query in flight (the query rejects too). Unheard, that event would end the process.
    let broken = false;
    const onClientError = () => {
      broken = true;
    };
    client.on('error', onClientError);
    try {
      return await run(client);
    } catch (error) {
      // A lost or stalled connection is dropped, not rolled back: the server rolls back when it
      // closes, and a ROLLBACK queued behind a stalled statement would wait out another timeout.
      broken ||= isConnectionError(error);
      if (!broken) {
        try {
          await client.query(this.control('ROLLBACK'));
        } catch {
          broken = true;
        }
      }
      throw error;
    } finally {
      client.off('error', onClientError);
      client.release(broken);
    }
  }

  /** In a read-only transaction whose `statement_timeout` is `timeoutMs` (SET LOCAL: the pooled session keeps its own). */
  boundedRead<R extends Row = Row>(sql: string, params: readonly SqlValue[], timeoutMs: number): Promise<R[]> {
    if (!(timeoutMs > 0)) return this.query<R>(sql, params);
    return this.retryOnLostConnection(async () => {
      const client = await this.pool.connect();
      let broken = false;
      const onClientError = () => {
        broken = true; // a checked-out client's 'error' event, unheard, would end the process (transactionOnce)
      };
      client.on('error', onClientError);
      const bounded = (text: string) => ({ text, query_timeout: this.outageTimeoutMs }) as pg.QueryConfig;
      try {
        // One round trip for both (simple protocol); the timeout is a validated integer, never caller text.
        await client.query(bounded(`BEGIN READ ONLY; SET LOCAL statement_timeout = ${Math.floor(timeoutMs)}`));
        const rows = (await client.query(queryConfig(sql, params, this.outageTimeoutMs))).rows as R[];
        await client.query(bounded('COMMIT'));
        return rows;
      } catch (error) {
        broken ||= isConnectionError(error);
        if (!broken) {
          await client.query(bounded('ROLLBACK')).catch(() => {
            broken = true;
          });
        }
        // 57014 query_canceled: the statement timeout fired.
        if ((error as { code?: unknown }).code === '57014') throw Object.assign(new DBOSQueryTimeoutError(timeoutMs), { cause: error });
        throw error;
      } finally {
        client.off('error', onClientError);
        client.release(broken);
      }
    });
  }

  private async retryOnLostConnection<T>(attempt: () => Promise<T>): Promise<T> {
    const started = Date.now();
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (this.pool.ending || !isConnectionError(error)) throw error;
        const elapsedMs = Date.now() - started;
        const delayMs = jitterMs(0.5, 1) * Math.min(2000, 50 * 2 ** tries);
        if (elapsedMs + delayMs > this.outageTimeoutMs) {
          throw new DBOSDatabaseUnavailableError(
            `The Postgres system database has been unreachable or unresponsive for ${elapsedMs} ms ` +
              `(databaseOutageTimeoutMs is ${this.outageTimeoutMs}): ${(error as Error).message}. ` +
              'Nothing was half-written; retry once the database is back.',
            elapsedMs,
            { cause: error },
          );
        }
        await sleepMs(delayMs);
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
