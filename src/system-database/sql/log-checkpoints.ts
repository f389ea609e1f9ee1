/**
 * Checkpoints of the write-ahead log taken by a long job between its batches (Dialect.checkpointStatement),
 * so that the log never reaches the size at which a commit, maybe a live workflow's, checkpoints all of it
 * at once. One checkpoint per batch would cost two disk flushes each; so they come every few batches, as
 * many as keep each checkpoint near `framesPerCheckpoint` (learned from the frames the last one found).
 */
import type { Connection } from '../connection.ts';

/** A quarter of SQLite's automatic checkpoint (1,000 pages): about 1 MB copied per checkpoint. */
const framesPerCheckpoint = 250;
const mostBatchesApart = 64;

export class LogCheckpoints {
  private every = 1;
  private batchesSince = 0;

  constructor(
    private readonly connection: Connection,
    private readonly statement: string | null,
  ) {}

  /** After a batch that wrote: checkpoint when due. Returns how long the checkpoint held the database (0: none). */
  async afterBatch(): Promise<number> {
    if (this.statement === null || ++this.batchesSince < this.every) return 0;
    this.batchesSince = 0;
    const began = performance.now();
    const [row] = await this.connection.query<{ log: number }>(this.statement);
    const heldMs = performance.now() - began;
    const frames = Math.max(1, Number(row?.log ?? 0));
    const scaled = Math.round((this.every * framesPerCheckpoint) / frames);
    this.every = Math.max(1, Math.min(mostBatchesApart, this.every * 2, scaled));
    return heldMs;
  }
}
