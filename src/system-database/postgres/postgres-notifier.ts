/**
 * Cross-process wake-ups on Postgres: one dedicated LISTEN connection per
 * process, multiplexed for every waiter. pg's client never reconnects by
 * itself, so this one does: on error or end it reconnects with backoff,
 * LISTENs again, and wakes every waiter so each re-reads what it may have
 * missed. While it listens, waitForWrite's waiters need no safety poll (every
 * write durably makes is announced; writes that are not, by DBOS's SDKs or
 * plain SQL, are found by the engine's batched re-check of sleepers); when it is lost and not back within
 * `fallBackToPollingAfterMs`, every waiter is woken to re-read and polls
 * until the connection is back (then all are woken once more).
 */
import pg from 'pg';
import { LocalWaiters } from '../local-waiters.ts';
import type { Notifier, Waiter } from '../notifier.ts';
import { postgresChannelName } from './postgres-dialect.ts';
import { dbosMessagesChannel } from './dbos-shared-schema.ts';
import { messagesChannel } from '../system-database.ts';

export interface PostgresNotifierOptions {
  url: string;
  /** The LISTEN client's settings when they are not the URL's (a caller's pool's settings). */
  clientConfig?: pg.ClientConfig;
  /** Channel names are prefixed with the schema so several schemas can share one database. */
  schema: string;
  channels: readonly string[];
  connectTimeoutMs: number;
  onError: (message: string, error: unknown) => void;
}

/** How long a lost LISTEN connection may take to come back before sleeping waiters fall back to polling. */
const fallBackToPollingAfterMs = 1000;

export class PostgresNotifier implements Notifier {
  private readonly local = new LocalWaiters();
  /** LISTEN hears NOTIFYs only: a workflow finished or an event set by DBOS's SDKs or plain SQL is not heard. */
  readonly seesUnannouncedWrites = false;
  private client: pg.Client | undefined;
  private connected = false;
  private closed = false;
  private reconnectDelayMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private fallBackTimer: NodeJS.Timeout | undefined;
  /** Connections made so far: announcements sent between two of them may have been missed. */
  private generation = 0;

  private constructor(private readonly options: PostgresNotifierOptions) {}

  static async start(options: PostgresNotifierOptions): Promise<PostgresNotifier> {
    const notifier = new PostgresNotifier(options);
    await notifier.connect();
    return notifier;
  }

  wait(channel: string, key: string, timeoutMs: number): Waiter {
    return this.local.wait(channel, key, timeoutMs);
  }

  subscribe(channel: string, listener: (key: string) => void): () => void {
    return this.local.subscribe(channel, listener);
  }

  wakeLocal(channel: string, keys: readonly string[]): void {
    for (const key of keys) this.local.wake(channel, key);
  }

  safetyPollMs(attempt: number): number {
    if (!this.connected) return 500;
    return Math.min(5000, 1000 * 2 ** Math.min(attempt, 3));
  }

  waitSafetyPollMs(attempt: number): number {
    return this.connected ? Number.POSITIVE_INFINITY : this.safetyPollMs(attempt);
  }

  /** While connected, every announcement is heard: the connection's generation, new after each reconnection. */
  unheardWritesMarker(): unknown {
    return this.connected ? this.generation : Symbol('not listening');
  }

  get isListening(): boolean {
    return this.connected;
  }

  /** For tests: kill our LISTEN backend from the server side to exercise reconnection. */
  get listenerProcessID(): number | undefined {
    return (this.client as unknown as { processID?: number } | undefined)?.processID;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.fallBackTimer);
    this.local.wakeAll();
    const client = this.client;
    this.client = undefined;
    this.connected = false;
    await client?.end().catch(() => undefined);
  }

  private pgChannel(channel: string): string {
    return postgresChannelName(this.options.schema, channel);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(
      // keepAlive: a LISTEN connection sends nothing, so only TCP keepalive notices a silently dead peer.
      this.options.clientConfig ?? { connectionString: this.options.url, connectionTimeoutMillis: this.options.connectTimeoutMs, keepAlive: true },
    );
    const byPgChannel = new Map(this.options.channels.map((c) => [this.pgChannel(c), c]));
    // DBOS's message trigger announces every insert into notifications (by DBOS's SDKs, its send_message
    // procedure, plain SQL) on one fixed channel, with durably's key (destination::topic): hear it in any
    // schema, so such messages wake recv at once, not at the safety poll. (In schema "dbos" it is the same channel.)
    if (this.options.channels.includes(messagesChannel)) byPgChannel.set(dbosMessagesChannel, messagesChannel);
    client.on('notification', (message) => {
      const channel = byPgChannel.get(message.channel);
      if (channel && message.payload !== undefined) this.local.wake(channel, message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, undefined));
    try {
      await client.connect();
      // One round trip for all channels (a simple query may hold several statements).
      await client.query([...byPgChannel.keys()].map((pgChannel) => `LISTEN "${pgChannel.replaceAll('"', '""')}"`).join('; '));
    } catch (error) {
      client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.connected = true;
    this.generation++;
    this.reconnectDelayMs = 100;
    clearTimeout(this.fallBackTimer);
  }

  private lost(client: pg.Client, error: unknown): void {
    if (this.closed || client !== this.client) return;
    this.connected = false;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (error) this.options.onError('The LISTEN connection was lost; reconnecting', error);
    // Waiters sleeping without a safety poll hear nothing now. A quick reconnection wakes them all anyway;
    // a slow one must not leave them asleep: then they re-read and poll until it is back.
    clearTimeout(this.fallBackTimer);
    this.fallBackTimer = setTimeout(() => this.local.wakeAll(), fallBackToPollingAfterMs);
    this.fallBackTimer.unref();
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.reconnectDelayMs;
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5000);
    this.reconnectTimer = setTimeout(() => {
      this.connect()
        .then(() => this.local.wakeAll())
        .catch((error) => {
          this.options.onError('Reconnecting the LISTEN connection failed; retrying', error);
          this.scheduleReconnect();
        });
    }, delay);
  }
}
