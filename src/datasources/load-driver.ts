/**
 * For data sources over an optional driver or ORM (knex, kysely, drizzle-orm, postgres): import it when the
 * data source is used, so a user without the package gets a clear error naming what to install, not a
 * module-resolution stack trace (and users of other data sources never load it).
 */
import { DBOSDataSourceDriverMissingError } from '../errors/errors.ts';

/** `specifier`: a module of the package to import instead of its main one (`drizzle-orm/node-postgres`). */
export async function loadDriver<Module>(packageName: string, dataSourceClass: string, specifier = packageName): Promise<Module> {
  try {
    return (await import(specifier)) as Module;
  } catch (error) {
    const code = (error as { code?: string })?.code;
    const missing = code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
    if (missing && String((error as Error).message).includes(packageName)) {
      throw new DBOSDataSourceDriverMissingError(dataSourceClass, packageName, error);
    }
    throw error;
  }
}
