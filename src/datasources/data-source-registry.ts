/**
 * The process-wide list of data sources, by name (DBOS's registerDataSource). Data sources are created at
 * import time, before launch, like workflow registrations; DBOS.launch() initializes every one before it
 * recovers any workflow (a recovered workflow may run a transaction at once), and DBOS.shutdown() destroys
 * them once the workflows stopped. shutdown({ deregister: true }) forgets them (runtime/deregister.ts).
 */
import {
  DBOSConflictingRegistrationError,
  DBOSConfigurationError,
  DBOSDataSourceNotRegisteredError,
} from '../errors/errors.ts';
import type { DLogger } from '../telemetry/logger.ts';
import type { DataSourceTransactionHandler } from './data-source-types.ts';

const dataSources = new Map<string, DataSourceTransactionHandler>();
/** Set while launched: a data source created then would never be initialized. */
let launched = false;
const initialized = new Set<DataSourceTransactionHandler>();

export function registerDataSource(dataSource: DataSourceTransactionHandler): void {
  const name = dataSource?.name;
  if (typeof name !== 'string' || name === '') {
    throw new DBOSConfigurationError(`A data source needs a non-empty name, got ${JSON.stringify(name)}.`);
  }
  if (launched) {
    throw new DBOSConflictingRegistrationError(
      `Data source "${name}" was created after DBOS.launch(): create data sources before launching.`,
    );
  }
  const existing = dataSources.get(name);
  if (existing && existing !== dataSource) {
    throw new DBOSConflictingRegistrationError(`A data source named "${name}" is already registered; data source names must be unique.`);
  }
  dataSources.set(name, dataSource);
}

export function dataSourceNamed(name: string): DataSourceTransactionHandler {
  const dataSource = dataSources.get(name);
  if (!dataSource) throw new DBOSDataSourceNotRegisteredError(name, [...dataSources.keys()]);
  return dataSource;
}

/** Every registered data source, in registration order (DBOS.rewindWorkflow rewinds each). */
export function registeredDataSources(): DataSourceTransactionHandler[] {
  return [...dataSources.values()];
}

/** At launch, in registration order; on a failure, the ones already initialized are destroyed again. */
export async function initializeDataSources(logger: DLogger): Promise<void> {
  launched = true;
  try {
    for (const dataSource of dataSources.values()) {
      await dataSource.initialize();
      initialized.add(dataSource);
    }
  } catch (error) {
    await destroyDataSources(logger);
    throw error;
  }
}

/** At shutdown, in reverse order; a failure is logged, the others are still destroyed. */
export async function destroyDataSources(logger: DLogger): Promise<void> {
  for (const dataSource of [...initialized].reverse()) {
    initialized.delete(dataSource);
    try {
      await dataSource.destroy();
    } catch (error) {
      logger.error(`Data source "${dataSource.name}": destroy() failed: ${(error as Error)?.message ?? String(error)}`);
    }
  }
  launched = false;
}

/** DBOS.shutdown({ deregister: true }): forget every data source. */
export function clearDataSources(): void {
  dataSources.clear();
}
