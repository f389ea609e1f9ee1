/**
 * The SQLite file a systemDatabaseUrl names (shared by DBOS.setConfig and
 * DBOSClient.create, which both accept the same URLs).
 */
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DBOSConfigurationError } from '../../errors/errors.ts';
import { redactUrl } from '../postgres/postgres-url.ts';

/** The absolute path of the SQLite file `url` names; a URL naming no known backend is refused. */
export function sqlitePath(url: string): string {
  let path: string;
  if (/^file:\/\//i.test(url)) path = fileURLToPath(url);
  else if (/^file:/i.test(url)) path = url.slice('file:'.length);
  else if (/^sqlite:/i.test(url)) path = url.replace(/^sqlite:(\/\/)?/i, '');
  else if (/\.(sqlite3?|db)$/i.test(url)) path = url;
  else {
    throw new DBOSConfigurationError(
      `systemDatabaseUrl "${redactUrl(url)}" names no known backend. Use postgresql://user@host:5432/db for Postgres, ` +
        'or sqlite:<path>, file:<path> or a path ending in .sqlite or .db for SQLite.',
    );
  }
  if (!path) throw new DBOSConfigurationError(`systemDatabaseUrl "${url}" names no SQLite file.`);
  return isAbsolute(path) ? path : resolve(process.cwd(), path);
}
