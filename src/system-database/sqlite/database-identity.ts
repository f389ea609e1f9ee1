/**
 * Which SQLite file a connection has open, for single-commit transactions (../single-commit.ts): the main
 * database's file, named by device and inode so that two spellings of its path (relative, through a symlink)
 * name it once. An in-memory or temporary database has no file and is nobody's system database.
 */
import { statSync } from 'node:fs';
import type { QueryRunner } from '../connection.ts';

export async function sqliteDatabaseIdentity(runner: QueryRunner): Promise<string | undefined> {
  const [row] = await runner.query<{ file: string | null }>("SELECT file FROM pragma_database_list WHERE name = 'main'");
  if (!row?.file) return undefined;
  try {
    const { dev, ino } = statSync(row.file);
    return `file ${dev}:${ino}`;
  } catch {
    return undefined;
  }
}
