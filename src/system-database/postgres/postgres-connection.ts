/**
 * The Postgres connection: a pg Pool. BIGINT columns come back as numbers
 * (epoch milliseconds fit). An idle client's error is logged, never thrown:
 * without a pool error handler, pg crashes the process.
 */
import pg from 'pg';
import type { Connection, QueryRunner, Row, SqlValue } from '../connection.ts';

const int8Oid = 20;

export const typeParsers = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === int8Oid) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export class PostgresConnection implements Connection {
  constructor(
    readonly pool: pg.Pool,
    onIdleError: (error: Error) => void,
  ) {
    pool.on('error', onIdleError);
  }

  async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<R[]> {
    const result = await this.pool.query({ text: sql, values: params as unknown[], types: typeParsers });
    return result.rows as R[];
  }

  async transaction<T>(work: (tx: QueryRunner) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const tx: QueryRunner = {
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) =>
        (await client.query({ text: sql, values: params as unknown[], types: typeParsers })).rows as R[],
    };
    let broken = false;
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
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
