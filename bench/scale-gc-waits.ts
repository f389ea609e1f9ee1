/**
 * What the Postgres server's backends of one database wait for, sampled every few milliseconds from a
 * connection of its own (pg_stat_activity), and the checkpointer's and background writer's counters
 * before and after: for telling a live commit waiting on the WAL from one waiting on a lock, a dirty
 * buffer or the CPU.
 */
import pg from 'pg';
import type { Interval } from './scale-gc-trace.ts';

interface Sample {
  atMs: number;
  /** One line per active backend: its wait (or "cpu") and the head of its statement. */
  backends: string[];
}

const bgwriterColumns = 'checkpoints_timed, checkpoints_req, buffers_checkpoint, buffers_clean, buffers_backend, buffers_backend_fsync';

export class WaitSampler {
  private readonly samples: Sample[] = [];
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private bgwriterBefore: Record<string, unknown> = {};

  private constructor(
    private readonly client: pg.Client,
    private readonly database: string,
  ) {}

  static async start(url: string, database: string, everyMs = 10): Promise<WaitSampler> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const sampler = new WaitSampler(client, database);
    sampler.bgwriterBefore = (await client.query(`SELECT ${bgwriterColumns} FROM pg_stat_bgwriter`)).rows[0];
    sampler.timer = setInterval(() => void sampler.sample(), everyMs);
    return sampler;
  }

  private async sample(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    const atMs = performance.now();
    try {
      const { rows } = await this.client.query(
        `SELECT coalesce(wait_event_type || ':' || wait_event, 'cpu') AS wait, left(regexp_replace(query, '\\s+', ' ', 'g'), 60) AS query
         FROM pg_stat_activity WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid()`,
        [this.database],
      );
      this.samples.push({ atMs, backends: rows.map((r) => `${r.wait} ${r.query}`) });
    } finally {
      this.busy = false;
    }
  }

  /** The waits seen during `interval`, most frequent first. */
  during(interval: Interval): string[] {
    const counts = new Map<string, number>();
    for (const s of this.samples) {
      if (s.atMs < interval.startMs || s.atMs > interval.startMs + interval.ms) continue;
      for (const b of s.backends) counts.set(b, (counts.get(b) ?? 0) + 1);
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([b, n]) => `${n}x ${b}`);
  }

  /** Stop sampling; the counters' increase since the start. */
  async stop(): Promise<Record<string, number>> {
    clearInterval(this.timer);
    while (this.busy) await new Promise((resolve) => setTimeout(resolve, 5));
    const after = (await this.client.query(`SELECT ${bgwriterColumns} FROM pg_stat_bgwriter`)).rows[0];
    await this.client.end();
    return Object.fromEntries(Object.keys(after).map((k) => [k, Number(after[k]) - Number(this.bgwriterBefore[k])]));
  }
}
