/**
 * `durably dashboard`: the admin server's dashboard against any durably (or
 * DBOS) system database, without the application (admin/serve-dashboard.ts,
 * built on the client: it never migrates and runs no workflow). Serves until
 * SIGINT or SIGTERM.
 */
import { once } from 'node:events';
import { serveDashboard } from '../../admin/serve-dashboard.ts';
import type { Command } from '../command.ts';
import { cliLogger, resolveCliDatabase } from '../cli-database.ts';
import { integerOption, stringOption } from '../option-values.ts';

const dashboard: Command = {
  words: ['dashboard'],
  args: [],
  summary: 'serve the web dashboard for this system database until interrupted',
  options: { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' } },
  optionHelp: [
    ['--port N', 'port to listen on (default 3001; 0 picks a free one)'],
    ['--host ADDRESS', 'address to listen on (default 127.0.0.1; any other needs --token)'],
    ['--token TOKEN', 'required as "Authorization: Bearer TOKEN" (needed off loopback)'],
  ],
  async run({ values, env, out }) {
    const { target, applicationName } = resolveCliDatabase(values, env);
    const database =
      target.backend === 'sqlite'
        ? { systemDatabaseUrl: target.path }
        : { systemDatabaseUrl: target.url, systemDatabaseSchemaName: target.schema };
    const running = await serveDashboard({
      ...database,
      port: integerOption(values, 'port', 0) ?? 3001,
      host: stringOption(values, 'host'),
      token: stringOption(values, 'token'),
      // Scoped to the application only when one was named; otherwise every application's workflows.
      applicationName: stringOption(values, 'app-name') !== undefined ? applicationName : undefined,
      logger: cliLogger,
    });
    out.result({ url: running.url, port: running.port }, () => `Dashboard at ${running.url} (Ctrl-C to stop)\n`);
    await Promise.race([once(process, 'SIGINT'), once(process, 'SIGTERM')]);
    await running.close();
  },
};

export const dashboardCommands: Command[] = [dashboard];
