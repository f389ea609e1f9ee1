/**
 * A TCP proxy for fault tests: durably talks to Postgres through it, and the
 * test cuts, refuses or stalls the traffic at will. Reusable by the chaos
 * driver (no test-runner imports).
 *
 * - `cutAll()`     destroys every open connection (both sides), like a network blip or a
 *                  killed pgbouncer: the client sees ECONNRESET / "Connection terminated".
 * - `refuse()`     new connections are accepted and destroyed at once (the client sees a reset,
 *                  as from a firewall reject); `cutAll()` is usually called with it.
 * - `stall()`      stops forwarding in both directions but keeps every socket open, and new
 *                  connections are accepted and held silent: a database that hangs.
 * - `resume()`     forward again (held bytes are then delivered) and accept normally.
 * - `loseReply(m)` once: the first server reply on a connection for which `m` says so is not
 *                  delivered, and that connection is cut a moment later: the server did the work
 *                  (committed), the client only sees its connection die.
 */
import net from 'node:net';

export type ProxyMode = 'forward' | 'refuse' | 'stall';

interface Pair {
  client: net.Socket;
  server: net.Socket;
  /** What a `loseReply` matcher remembers about this connection (earlier replies, say). */
  memory: Record<string, unknown>;
  /** Replies are swallowed from here on; the pair is cut shortly. */
  losing: boolean;
}

/** Told each reply chunk from the server and the connection's memory; true: lose this reply. */
export type ReplyMatcher = (chunk: Buffer, memory: Record<string, unknown>) => boolean;

/** How long a connection whose reply is lost stays open: the server finishes what it was doing (commits). */
const lostReplyCutDelayMs = 200;

export interface TcpProxyOptions {
  targetHost: string;
  targetPort: number;
  /** Port to listen on; 0 (the default) picks a free one. */
  listenPort?: number;
}

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private listener: net.Server | undefined;
  private currentMode: ProxyMode = 'forward';
  private replyMatcher: ReplyMatcher | undefined;
  private replyLost: (() => void) | undefined;
  private afterReplyLost: (() => void) | undefined;
  /** Counts, for test assertions and the chaos report. */
  readonly stats = { accepted: 0, refused: 0, cuts: 0 };

  private constructor(private readonly options: TcpProxyOptions) {}

  static async start(options: TcpProxyOptions): Promise<TcpProxy> {
    const proxy = new TcpProxy(options);
    await proxy.listen(options.listenPort ?? 0);
    return proxy;
  }

  get port(): number {
    const address = this.listener?.address();
    if (!address || typeof address === 'string') throw new Error('The TCP proxy is not listening.');
    return address.port;
  }

  get mode(): ProxyMode {
    return this.currentMode;
  }

  get openConnections(): number {
    return this.pairs.size;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewriteUrl(url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.port);
    return parsed.toString();
  }

  /** Destroy every open connection; the mode is unchanged (new connections still follow it). */
  cutAll(): number {
    const count = this.pairs.size;
    for (const pair of [...this.pairs]) this.destroyPair(pair);
    this.stats.cuts += count;
    return count;
  }

  refuse(): void {
    this.setMode('refuse');
  }

  stall(): void {
    this.setMode('stall');
  }

  resume(): void {
    this.setMode('forward');
  }

  /**
   * Lose the first reply `matcher` picks (see the header); resolves once it was lost and its connection cut.
   * `then` runs right after that cut, before the client can react (to refuse its reconnection, say).
   */
  loseReply(matcher: ReplyMatcher, then?: () => void): Promise<void> {
    this.replyMatcher = matcher;
    this.afterReplyLost = then;
    return new Promise((resolve) => (this.replyLost = resolve));
  }

  async close(): Promise<void> {
    this.cutAll();
    const listener = this.listener;
    this.listener = undefined;
    if (listener) await new Promise<void>((resolve) => listener.close(() => resolve()));
  }

  private setMode(mode: ProxyMode): void {
    this.currentMode = mode;
    for (const pair of this.pairs) {
      if (mode === 'stall') {
        pair.client.pause();
        pair.server.pause();
      } else {
        pair.client.resume();
        pair.server.resume();
      }
    }
  }

  private listen(port: number): Promise<void> {
    const listener = net.createServer((client) => this.onConnection(client));
    this.listener = listener;
    return new Promise((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject);
        resolve();
      });
    });
  }

  private onConnection(client: net.Socket): void {
    if (this.currentMode === 'refuse') {
      this.stats.refused++;
      client.on('error', () => undefined);
      client.resetAndDestroy();
      return;
    }
    this.stats.accepted++;
    const server = net.connect(this.options.targetPort, this.options.targetHost);
    const pair: Pair = { client, server, memory: {}, losing: false };
    this.pairs.add(pair);
    // Bytes are piped by hand (not stream.pipe) so that pause() holds them in the kernel buffers.
    client.on('data', (chunk) => server.write(chunk));
    server.on('data', (chunk) => {
      if (!pair.losing && !this.shouldLose(pair, chunk)) client.write(chunk);
    });
    const close = () => this.destroyPair(pair);
    client.on('error', close).on('close', close);
    server.on('error', close).on('close', close);
    if (this.currentMode === 'stall') {
      client.pause();
      server.pause();
    }
  }

  private shouldLose(pair: Pair, chunk: Buffer): boolean {
    if (!this.replyMatcher?.(chunk, pair.memory)) return false;
    const lost = this.replyLost;
    const then = this.afterReplyLost;
    this.replyMatcher = undefined;
    this.replyLost = undefined;
    this.afterReplyLost = undefined;
    pair.losing = true;
    setTimeout(() => {
      this.stats.cuts++;
      this.destroyPair(pair);
      then?.();
      lost?.();
    }, lostReplyCutDelayMs);
    return true;
  }

  private destroyPair(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    // A reset (not a FIN) is what a dead network or a killed server looks like to the client.
    if (!pair.client.destroyed) pair.client.resetAndDestroy();
    if (!pair.server.destroyed) pair.server.destroy();
  }
}
