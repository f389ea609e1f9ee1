/**
 * node-postgres emits an 'error' event on a client whose connection dies
 * (a server restart, a cut network), even while a query is in flight (that
 * query rejects too). A pool listens only to its idle clients; a checked-out
 * client, or a bare Client, with no listener crashes the process. These
 * helpers give every client a listener: the error still reaches the caller
 * through the rejected query, and the pool discards the dead client
 * (it checks `_queryable` on release).
 *
 * Structural types, so this leaf module does not import pg.
 */

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

interface PoolLike {
  on(event: 'connect', listener: (client: ErrorEmitter) => void): unknown;
}

const ignore = (): void => undefined;

/** A bare `pg.Client`: its errors surface through its rejected queries, never as a process crash. */
export function absorbClientErrors<Client extends ErrorEmitter>(client: Client, onError: (error: Error) => void = ignore): Client {
  client.on('error', onError);
  return client;
}

/** Every client `pool` makes from now on: listened to while checked out too. */
export function absorbPoolClientErrors<Pool extends PoolLike>(pool: Pool, onError: (error: Error) => void = ignore): Pool {
  pool.on('connect', (client) => absorbClientErrors(client, onError));
  return pool;
}
