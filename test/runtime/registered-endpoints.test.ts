/**
 * DBOS.logRegisteredEndpoints: through the configured logger, the static
 * schedules (`@DBOS.scheduled`, `registerScheduled`) with their crontabs,
 * then each lifecycle callback's own list; before launch, nothing (as DBOS).
 */
import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import { DBOS, SchedulerMode, type DLogger } from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

/** Everything logged, in order, as "<level>: <message>". */
const logged: string[] = [];
const logger: DLogger = {
  debug: (message) => logged.push(`debug: ${String(message)}`),
  info: (message) => logged.push(`info: ${String(message)}`),
  warn: (message) => logged.push(`warn: ${String(message)}`),
  error: (message) => logged.push(`error: ${String(message)}`),
};

// Once a year: no slot falls during the test.
const yearly = DBOS.registerWorkflow(async (_scheduled: Date, _actual: Date) => undefined, { name: 'endpoints.yearly' });
DBOS.registerScheduled(yearly, { crontab: '0 0 1 1 *' });

class Reports {
  @DBOS.workflow()
  @DBOS.scheduled({ crontab: '30 4 1 1 *', mode: SchedulerMode.ExactlyOncePerInterval, queueName: 'endpoints-queue' })
  static async nightly(_scheduled: Date, _actual: Date): Promise<void> {}
}
void Reports;

DBOS.registerLifecycleCallback({ logRegisteredEndpoints: () => logged.push('callback: logRegisteredEndpoints') });

forEachBackend('DBOS.logRegisteredEndpoints', (backend) => {
  afterEach(async () => {
    await DBOS.shutdown();
  });

  test('before launch it logs nothing and asks no callback', () => {
    logged.length = 0;
    DBOS.logRegisteredEndpoints();
    assert.deepEqual(logged, []);
  });

  test('logs the static schedules with their crontabs, then asks the callbacks', async () => {
    DBOS.setConfig(backend.freshConfig({ logger }));
    await DBOS.launch();
    logged.length = 0;
    DBOS.logRegisteredEndpoints();
    assert.deepEqual(logged, [
      'info: Scheduled endpoints:',
      'info:     endpoints.yearly @ 0 0 1 1 * (ExactlyOncePerIntervalWhenActive)',
      'info:     Reports.nightly @ 30 4 1 1 * (ExactlyOncePerInterval, queue endpoints-queue)',
      'callback: logRegisteredEndpoints',
    ]);
  });
});
