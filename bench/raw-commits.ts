/**
 * The raw limit of the database on this machine: single-row INSERT commits per
 * second, on one connection and on 16. Every workflow figure is reported as a
 * ratio of these, measured in the same run.
 *
 * Postgres: one pg client inserting in a loop (autocommit: one statement, one
 * round trip, one commit), then 16 clients doing the same in parallel.
 *
 * SQLite: node:sqlite in WAL mode with synchronous=FULL (durably's default) on
 * a fresh file, inserting in a loop on one connection. SQLite has one writer
 * at a time, so "16 connections" means 16 DatabaseSync connections spread over
 * 4 worker threads (4 per thread, used in turn), contending for the write lock
 * through SQLite's own busy handler. This file is also the worker's entry.
 */
import { DatabaseSync } from 'node:sqlite';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import pg from 'pg';

export interface RawLimit {
  /** Single-row commits per second on one connection. */
  sequentialPerSec: number;
  /** Single-row commits per second summed over 16 connections. */
  parallelPerSec: number;
  /** How the 16-connection figure was taken. */
  parallelHow: string;
}

const payload = 'x'.repeat(100);
const warmupMs = 200;

// ---------------------------------------------------------------- Postgres

export async function postgresRawLimit(url: string, schema: string, durationMs: number): Promise<RawLimit> {
  const table = `"${schema}".raw_commits`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await admin.query(`CREATE TABLE ${table} (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)`);
  } finally {
    await admin.end();
  }
  const insertLoop = async (client: pg.Client, untilMs: number): Promise<number> => {
    let count = 0;
    while (Date.now() < untilMs) {
      await client.query(`INSERT INTO ${table} (payload) VALUES ($1)`, [payload]);
      count++;
    }
    return count;
  };
  const clients = Array.from({ length: 16 }, () => new pg.Client({ connectionString: url }));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const first = clients[0]!;
    await insertLoop(first, Date.now() + warmupMs);
    let started = Date.now();
    const sequential = await insertLoop(first, started + durationMs);
    const sequentialPerSec = sequential / ((Date.now() - started) / 1000);

    await Promise.all(clients.map((c) => insertLoop(c, Date.now() + warmupMs)));
    started = Date.now();
    const counts = await Promise.all(clients.map((c) => insertLoop(c, started + durationMs)));
    const parallelPerSec = sum(counts) / ((Date.now() - started) / 1000);
    return { sequentialPerSec, parallelPerSec, parallelHow: '16 pg clients, each inserting in a loop' };
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

// ------------------------------------------------------------------ SQLite

function openSqlite(path: string): DatabaseSync {
  const db = new DatabaseSync(path);
  db.exec('PRAGMA busy_timeout = 10000');
  db.exec('PRAGMA journal_mode = WAL');
  db.exec('PRAGMA synchronous = FULL');
  return db;
}

export async function sqliteRawLimit(path: string, durationMs: number): Promise<RawLimit> {
  const db = openSqlite(path);
  try {
    db.exec('CREATE TABLE raw_commits (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)');
    const insert = db.prepare('INSERT INTO raw_commits (payload) VALUES (?)');
    const loop = (untilMs: number) => {
      let count = 0;
      while (Date.now() < untilMs) {
        insert.run(payload);
        count++;
      }
      return count;
    };
    loop(Date.now() + warmupMs);
    const started = Date.now();
    const sequential = loop(started + durationMs);
    const sequentialPerSec = sequential / ((Date.now() - started) / 1000);
    const parallelPerSec = await sqliteParallel(path, durationMs, 4, 4);
    return {
      sequentialPerSec,
      parallelPerSec,
      parallelHow: '16 DatabaseSync connections in 4 worker threads (SQLite has one writer at a time)',
    };
  } finally {
    db.close();
  }
}

interface WriterData {
  role: 'sqlite-raw-writer';
  path: string;
  connections: number;
}

async function sqliteParallel(path: string, durationMs: number, threads: number, perThread: number): Promise<number> {
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL(import.meta.url), { workerData: { role: 'sqlite-raw-writer', path, connections: perThread } satisfies WriterData }),
  );
  try {
    const message = (worker: Worker) =>
      new Promise<number>((resolve, reject) => {
        worker.once('message', resolve);
        worker.once('error', reject);
      });
    await Promise.all(workers.map(message)); // every worker has opened its connections
    const started = Date.now();
    const counts = workers.map(message);
    // Warm-up first, then the measured window; the workers count only the window.
    for (const worker of workers) worker.postMessage({ warmUntil: started + warmupMs, until: started + warmupMs + durationMs });
    return sum(await Promise.all(counts)) / (durationMs / 1000);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

function runWriterThread(data: WriterData): void {
  const dbs = Array.from({ length: data.connections }, () => openSqlite(data.path));
  const inserts = dbs.map((db) => db.prepare('INSERT INTO raw_commits (payload) VALUES (?)'));
  parentPort!.once('message', ({ warmUntil, until }: { warmUntil: number; until: number }) => {
    let count = 0;
    for (let i = 0; ; i++) {
      const now = Date.now();
      if (now >= until) break;
      inserts[i % inserts.length]!.run(payload);
      if (now >= warmUntil) count++;
    }
    for (const db of dbs) db.close();
    parentPort!.postMessage(count);
  });
  parentPort!.postMessage(0);
}

if (!isMainThread && (workerData as WriterData | undefined)?.role === 'sqlite-raw-writer') {
  runWriterThread(workerData as WriterData);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

