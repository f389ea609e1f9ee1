/**
 * One change feed per admin server, shared by every open dashboard: while at
 * least one viewer is connected, a single loop reads what changed (workflows
 * created or finished since the last read, the PENDING set, the step counts
 * of the workflows viewers have open; dashboard-reads.ts, all indexed) and
 * sends the IDs of changed workflows to every viewer as server-sent events.
 * Viewers re-read only what they show. So a hundred open tabs cost one small
 * read per tick, not a hundred polls.
 *
 * The loop reads at most every `intervalMs`, sooner when this process (or,
 * on Postgres, any process) announces a finished, enqueued or cancelled
 * workflow, and never more often than every `minGapMs`.
 */
import type { ServerResponse } from 'node:http';
import type { Engine } from '../engine/engine.ts';
import { cancelChannel, outcomeChannel, queueChannel } from '../system-database/system-database.ts';

/** Rows may commit with a creation time a little behind the newest one seen: read back this far. */
const overlapMs = 3000;
const rowsPerRead = 500;
const heartbeatMs = 15_000;

interface Viewer {
  response: ServerResponse;
  watched: ReadonlySet<string>;
}

export interface ChangeFeedOptions {
  intervalMs?: number;
  minGapMs?: number;
}

export class ChangeFeed {
  private readonly viewers = new Set<Viewer>();
  private readonly intervalMs: number;
  private readonly minGapMs: number;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private reading: Promise<void> | undefined;
  private wakeRequested = false;
  private lastReadAt = 0;
  private createdCursor = 0;
  private completedCursor = 0;
  /** What each recently seen workflow looked like, to report each change once. */
  private seen = new Map<string, string>();
  private pending = new Map<string, number>();
  private stepCounts = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly engine: Engine,
    options: ChangeFeedOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.minGapMs = options.minGapMs ?? 150;
  }

  get viewerCount(): number {
    return this.viewers.size;
  }

  /** Stream changes to this response until the client goes away. `watched`: workflow IDs whose steps it shows. */
  add(response: ServerResponse, watched: ReadonlySet<string>, headers: Record<string, string>): void {
    response.writeHead(200, {
      ...headers,
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.write('retry: 2000\n\n');
    const viewer = { response, watched };
    this.viewers.add(viewer);
    response.on('close', () => {
      this.viewers.delete(viewer);
      if (this.viewers.size === 0) this.pause();
    });
    if (this.viewers.size === 1) this.resume();
  }

  close(): void {
    this.closed = true;
    this.pause();
    for (const viewer of this.viewers) viewer.response.end();
    this.viewers.clear();
  }

  private resume(): void {
    if (this.closed) return;
    const now = Date.now();
    this.createdCursor = now;
    this.completedCursor = now;
    this.seen.clear();
    const { notifier } = this.engine.systemDatabase;
    const stops = [outcomeChannel, queueChannel, cancelChannel].map((channel) => notifier.subscribe(channel, () => this.wake()));
    this.unsubscribe = () => stops.forEach((stop) => stop());
    this.heartbeat = setInterval(() => this.broadcast(': keep-alive\n\n'), heartbeatMs);
    this.schedule(0);
  }

  private pause(): void {
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    this.timer = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  private wake(): void {
    if (this.reading) {
      this.wakeRequested = true;
      return;
    }
    this.schedule(Math.max(0, this.lastReadAt + this.minGapMs - Date.now()));
  }

  private schedule(delayMs: number): void {
    if (this.closed || this.viewers.size === 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.reading || this.viewers.size === 0) return;
    this.lastReadAt = Date.now();
    this.reading = this.read()
      .catch((error: unknown) => this.engine.logger.warn(`Dashboard change feed: ${(error as Error).message}`))
      .finally(() => {
        this.reading = undefined;
        const again = this.wakeRequested;
        this.wakeRequested = false;
        this.schedule(again ? this.minGapMs : this.intervalMs);
      });
    await this.reading;
  }

  private async read(): Promise<void> {
    const reads = this.engine.systemDatabase.dashboard;
    const changed = new Set<string>();
    const rows = await reads.recentChanges(this.createdCursor - overlapMs, this.completedCursor - overlapMs, rowsPerRead);
    const pendingNow = new Map<string, number>();
    for (const row of rows) {
      if (row.status === 'PENDING') pendingNow.set(row.workflowID, row.at);
      const state = `${row.status}@${row.at}`;
      if (this.seen.get(row.workflowID) !== state) changed.add(row.workflowID);
      this.seen.set(row.workflowID, state);
    }
    for (const id of this.pending.keys()) if (!pendingNow.has(id)) changed.add(id);
    this.pending = pendingNow;
    this.advanceCursors(rows.map((row) => row.at));
    await this.readStepCounts(changed);
    if (changed.size > 0) {
      this.broadcast(`event: change\ndata: ${JSON.stringify({ workflowIDs: [...changed].slice(0, 200), more: changed.size > 200 })}\n\n`);
    }
  }

  private advanceCursors(times: number[]): void {
    const newest = Math.max(this.createdCursor, ...times);
    this.createdCursor = newest;
    this.completedCursor = newest;
    // Forget what is older than the read-back window: it cannot come back.
    if (this.seen.size > 5 * rowsPerRead) this.seen = new Map([...this.seen].slice(-2 * rowsPerRead));
  }

  private async readStepCounts(changed: Set<string>): Promise<void> {
    const watched = new Set<string>();
    for (const viewer of this.viewers) for (const id of viewer.watched) watched.add(id);
    if (watched.size === 0) return;
    const counts = await this.engine.systemDatabase.dashboard.stepCounts([...watched].slice(0, 100));
    for (const [id, count] of counts) {
      if (this.stepCounts.has(id) && this.stepCounts.get(id) !== count) changed.add(id);
      this.stepCounts.set(id, count);
    }
    for (const id of this.stepCounts.keys()) if (!watched.has(id)) this.stepCounts.delete(id);
  }

  private broadcast(text: string): void {
    for (const viewer of this.viewers) viewer.response.write(text);
  }
}
