/** `durably queue list`: queues with their depth by status. */
import { queueDepths } from '../../management/queue-depths.ts';
import type { Command } from '../command.ts';
import { withManagedDatabase } from '../cli-database.ts';
import { tableText } from '../print.ts';

const list: Command = {
  words: ['queue', 'list'],
  args: [],
  summary: 'list queues (registered, or holding unfinished workflows) with their depth by status',
  options: {},
  optionHelp: [],
  async run({ values, env, out }) {
    const queues = await withManagedDatabase(values, env, (engine) => queueDepths(engine));
    out.result(queues, () =>
      tableText(
        ['QUEUE', 'ENQUEUED', 'DELAYED', 'PENDING', 'REGISTERED', 'CONCURRENCY', 'WORKER CONCURRENCY', 'RATE LIMIT'],
        queues.map((q) => [
          q.name,
          String(q.enqueued),
          String(q.delayed),
          String(q.pending),
          q.registered ? 'yes' : 'no',
          q.concurrency === undefined ? '' : String(q.concurrency),
          q.workerConcurrency === undefined ? '' : String(q.workerConcurrency),
          q.rateLimit ? `${q.rateLimit.limitPerPeriod}/${q.rateLimit.periodSec}s` : '',
        ]),
        '(no queues)',
      ),
    );
  },
};

export const queueCommands: Command[] = [list];
