/** The pure and driver-free parts of the datasource core: loading an optional driver package, and the retry backoff. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DBOSDataSourceDriverMissingError } from '../../src/index.ts';
import { loadDriver } from '../../src/datasource.ts';
import { maxRetryDelayMs, maxTransactionAttempts, retryDelayMs } from '../../src/datasources/transaction-retries.ts';

test('a missing driver package is a typed error naming the package to install', async () => {
  await assert.rejects(loadDriver('durably-no-such-driver-package', 'ExampleDataSource'), (error: unknown) => {
    assert.ok(error instanceof DBOSDataSourceDriverMissingError);
    assert.equal(error.packageName, 'durably-no-such-driver-package');
    assert.match(error.message, /npm install durably-no-such-driver-package/);
    return true;
  });
  assert.equal(typeof (await loadDriver<typeof import('pg')>('pg', 'NodePostgresDataSource')).default.Pool, 'function');
});

test('a missing package imported through one of its modules is named as the package to install', async () => {
  await assert.rejects(loadDriver('durably-no-such-orm', 'ExampleDataSource', 'durably-no-such-orm/node-postgres'), (error: unknown) => {
    assert.ok(error instanceof DBOSDataSourceDriverMissingError);
    assert.match(error.message, /npm install durably-no-such-orm\b/);
    return true;
  });
  const { drizzle } = await loadDriver<typeof import('drizzle-orm/node-postgres')>('drizzle-orm', 'DrizzleDataSource', 'drizzle-orm/node-postgres');
  assert.equal(typeof drizzle, 'function');
});

test('retries back off from 1 ms by 1.5x up to 2 s, jittered down by at most half', () => {
  for (let attempt = 1; attempt < maxTransactionAttempts; attempt++) {
    const ceiling = Math.min(maxRetryDelayMs, 1.5 ** (attempt - 1));
    const delay = retryDelayMs(attempt);
    assert.ok(delay <= ceiling && delay >= ceiling / 2, `attempt ${attempt}: ${delay} ms`);
  }
});
