/**
 * SQLite has no cross-process notification: writes in this process wake
 * waiters at once, and waiters poll briefly for writers in other processes
 * (a read of a local file costs microseconds), backing off while nothing comes:
 * a PollingNotifier with short polls.
 */
import { PollingNotifier } from '../polling-notifier.ts';

export class SqliteNotifier extends PollingNotifier {
  constructor(firstPollMs = 5, maxPollMs = 500) {
    super(firstPollMs, maxPollMs);
  }
}
