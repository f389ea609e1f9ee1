/**
 * The dashboard without an application: the admin server over a client's
 * engine (client/client-database.ts: never migrates, runs no workflows), for
 * `durably dashboard --db URL` or a script. Every application's workflows are
 * shown unless `applicationName` narrows them. A schedule's trigger and
 * backfill enqueue its runs by name for the application's processes;
 * /deactivate is a no-op here (there is nothing to deactivate).
 */
import { openClientEngine, type ClientDatabaseOptions } from '../client/client-database.ts';
import { consoleLogger, type DLogger } from '../telemetry/logger.ts';
import { resolveAdminOptions } from './admin-options.ts';
import { AdminServer } from './admin-server.ts';
import { databaseAdminTarget } from './admin-target.ts';

export interface ServeDashboardOptions extends ClientDatabaseOptions {
  /** Default 3001; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1; any other address needs `token`. */
  host?: string;
  token?: string;
  corsOrigins?: string[];
  /** Show only this application's workflows (and unowned ones); default: all. */
  applicationName?: string;
  logger?: DLogger;
}

export interface RunningDashboard {
  readonly url: string;
  readonly port: number;
  /** Stop serving and close the database connection. */
  close(): Promise<void>;
}

export async function serveDashboard(options: ServeDashboardOptions): Promise<RunningDashboard> {
  const admin = resolveAdminOptions(
    { adminPort: options.port, adminHost: options.host, adminToken: options.token, adminCorsOrigins: options.corsOrigins },
    'serveDashboard:',
  );
  const logger = options.logger ?? consoleLogger('info');
  const engine = await openClientEngine(options, options.applicationName, logger);
  const server = new AdminServer(admin, databaseAdminTarget(engine), logger);
  try {
    await server.start();
  } catch (error) {
    await engine.systemDatabase.close();
    throw error;
  }
  return {
    url: server.url,
    port: server.port,
    async close() {
      await server.stop();
      await engine.systemDatabase.close();
    },
  };
}
