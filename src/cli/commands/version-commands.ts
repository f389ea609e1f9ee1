/** `durably version list | set-latest`: the application versions workers have launched with. */
import { listApplicationVersions, setLatestApplicationVersion } from '../../management/application-versions.ts';
import type { Command } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { tableText, timeText } from '../print.ts';

const list: Command = {
  words: ['version', 'list'],
  args: [],
  summary: 'list application versions, the latest first',
  options: {},
  optionHelp: [],
  async run({ values, env, out }) {
    const versions = await withManagedDatabase(values, env, (engine) => listApplicationVersions(engine));
    out.result(versions, () =>
      tableText(
        ['VERSION', 'LATEST', 'TIMESTAMP', 'FIRST SEEN', 'APPLICATION'],
        versions.map((v, i) => [v.versionName, i === 0 ? 'yes' : '', timeText(v.versionTimestamp), timeText(v.createdAt), v.applicationName ?? '']),
        '(no application versions)',
      ),
    );
  },
};

const setLatest: Command = {
  words: ['version', 'set-latest'],
  args: ['VERSION'],
  summary: 'make a registered application version the latest',
  options: {},
  optionHelp: [],
  async run({ values, args, env, out }) {
    const [versionName] = args as [string];
    await withManagedDatabase(values, env, (engine) => setLatestApplicationVersion(engine, versionName));
    out.result({ versionName, latest: true }, () => `Version ${versionName} is now the latest.\n`);
  },
};

export const versionCommands: Command[] = [list, setLatest];
