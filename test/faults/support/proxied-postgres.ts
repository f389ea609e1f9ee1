/**
 * The in-process fault tests' database: a fresh schema on the test Postgres
 * server (test/helpers/backends.ts), reached through a TcpProxy the test
 * controls. `skip` is the reason when there is no Postgres (backends.ts
 * already printed it loudly).
 */
import { after, before } from 'node:test';
import type { DBOSConfig } from '../../../src/index.ts';
import { postgresAvailable, postgresBackend } from '../../helpers/backends.ts';
import { TcpProxy } from './tcp-proxy.ts';

export const proxiedPostgresSkip: string | false = postgresAvailable ? false : 'Postgres unreachable';

/** One proxy per file (made in `before`); `config()` is a fresh schema's config, through it. */
export function useProxiedPostgres(): { proxy(): TcpProxy; config(extra?: DBOSConfig): DBOSConfig } {
  let proxy: TcpProxy | undefined;
  before(async () => {
    if (!postgresAvailable) return;
    const target = new URL(postgresBackend.freshConfig().systemDatabaseUrl!);
    proxy = await TcpProxy.start({ targetHost: target.hostname, targetPort: Number(target.port || 5432) });
  });
  after(() => proxy?.close());
  const live = () => {
    if (!proxy) throw new Error('The proxy is not there (skipped, or before() failed).');
    return proxy;
  };
  return {
    proxy: live,
    config(extra = {}) {
      const config = postgresBackend.freshConfig({ logLevel: 'error', ...extra });
      return { ...config, systemDatabaseUrl: live().rewriteUrl(config.systemDatabaseUrl!) };
    },
  };
}
