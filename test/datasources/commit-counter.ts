/**
 * Counting commits by wrapping the real drivers in this process (pg.Client#query; node:sqlite's
 * DatabaseSync#exec/prepare and StatementSync#all/get/run): each connection's statements are grouped into the
 * transactions they commit in (BEGIN..COMMIT, or one statement outside BEGIN, which commits by itself). A test
 * then asks how many committed transactions wrote rows matching a pattern: the commits an operation cost,
 * whatever connection (the data source's, the system database's) made them. Nothing is mocked: every
 * statement still runs on its driver.
 */
import { DatabaseSync, StatementSync } from 'node:sqlite';
import pg from 'pg';

/** One committed transaction: the statements it ran. */
export interface Commit {
  statements: string[];
}

const open = new WeakMap<object, string[]>();
const statementOwners = new WeakMap<object, object>();
let recording: Commit[] | undefined;

function observe(connection: object, sql: string): void {
  if (!recording) return;
  // A statement and the COMMIT sent in one round trip (node-pg's completion row): two statements.
  const withCommit = /^([\s\S]*);\s*COMMIT\s*$/i.exec(sql);
  if (withCommit) {
    observe(connection, withCommit[1]!);
    observe(connection, 'COMMIT');
    return;
  }
  const keyword = /^\s*(\w+)/.exec(sql)?.[1]?.toUpperCase();
  const statements = open.get(connection);
  if (keyword === 'BEGIN') open.set(connection, []);
  else if (keyword === 'COMMIT' || keyword === 'END') {
    open.delete(connection);
    if (statements) recording.push({ statements });
  } else if (keyword === 'ROLLBACK') open.delete(connection);
  else if (statements) statements.push(sql);
  else recording.push({ statements: [sql] });
}

type Method = (this: object, ...args: unknown[]) => unknown;

function wrap(prototype: object, method: string, observed: (self: object, args: unknown[], result: unknown) => void): void {
  const target = prototype as Record<string, Method>;
  const original = target[method]!;
  target[method] = function (this: object, ...args: unknown[]) {
    const result = original.apply(this, args);
    observed(this, args, result);
    return result;
  };
}

let installed = false;

function install(): void {
  if (installed) return;
  installed = true;
  // pg: observed when the query is issued (the client queues it in order).
  const pgQuery = pg.Client.prototype.query as unknown as Method;
  (pg.Client.prototype as unknown as Record<string, Method>).query = function (this: object, ...args: unknown[]) {
    const [query] = args;
    observe(this, typeof query === 'string' ? query : ((query as { text?: string })?.text ?? ''));
    return pgQuery.apply(this, args);
  };
  wrap(DatabaseSync.prototype, 'prepare', (self, _args, statement) => statementOwners.set(statement as object, self));
  wrap(DatabaseSync.prototype, 'exec', (self, [sql]) => observe(self, String(sql)));
  for (const method of ['all', 'get', 'run']) {
    wrap(StatementSync.prototype, method, (self) => observe(statementOwners.get(self) ?? self, (self as StatementSync).sourceSQL));
  }
}

/** The transactions committed while `work` ran, by every connection of this process. */
export async function recordCommits(work: () => Promise<unknown>): Promise<Commit[]> {
  install();
  const commits: Commit[] = [];
  recording = commits;
  try {
    await work();
  } finally {
    recording = undefined;
  }
  return commits;
}

/** Commits that wrote (INSERT/UPDATE/DELETE) a table `table` matches. */
export function commitsWriting(commits: readonly Commit[], table: RegExp): Commit[] {
  return commits.filter((commit) =>
    commit.statements.some((sql) => /^\s*(INSERT|UPDATE|DELETE)\b/i.test(sql) && table.test(sql)),
  );
}
