/**
 * DBOS's error classes about queues, streams and observability queries, with DBOS's constructor parameters
 * and numeric codes, plus durably's stable string `code`.
 */
import { dbosErrorCodes as codes } from './dbos-error-codes.ts';
import { DBOSError } from './dbos-error.ts';

/** Enqueueing a deduplication ID that an ENQUEUED or PENDING workflow of that queue still holds. */
export class DBOSQueueDuplicatedError extends DBOSError {
  readonly workflowID: string;
  readonly queue: string;
  /** The same as `queue` (durably's earlier name for it). */
  readonly queueName: string;
  readonly deduplicationID: string;
  constructor(workflowID: string, queue: string, deduplicationID: string) {
    super(
      `Workflow ${workflowID} was not enqueued: deduplication ID "${deduplicationID}" is already held by an ` +
        `enqueued or running workflow of queue "${queue}". It can be reused once that workflow ends.`,
      codes.queueDeduplicated,
      { code: 'QUEUE_DEDUPLICATED' },
    );
    this.workflowID = workflowID;
    this.queue = queue;
    this.queueName = queue;
    this.deduplicationID = deduplicationID;
  }
}

/** A queue priority outside `min`…`max` (or, in durably, one the queue does not accept: `options.reason`). */
export class DBOSInvalidQueuePriorityError extends DBOSError {
  readonly priority: number;
  readonly min: number;
  readonly max: number;
  constructor(priority: number, min: number, max: number, options?: { reason?: string }) {
    super(
      `Invalid queue priority ${JSON.stringify(priority)}: ` +
        (options?.reason ?? `a priority is an integer from ${min} to ${max}.`),
      codes.invalidQueuePriority,
      { code: 'QUEUE_PRIORITY_INVALID' },
    );
    this.priority = priority;
    this.min = min;
    this.max = max;
  }
}

/** No value arrived on a stream within its timeout, or the stream ended before the requested offset. */
export class DBOSStreamTimeoutError extends DBOSError {
  readonly workflowID: string;
  readonly key: string;
  declare readonly timeoutMS?: number;
  /** `detail`, durably's extra, replaces the message (a stream that ended before an offset, say). */
  constructor(workflowID: string, key: string, timeoutMS?: number, detail?: string) {
    super(
      detail ?? `No value arrived on stream "${key}" of workflow ${workflowID} within ${timeoutMS} ms.`,
      codes.streamTimeout,
      { code: 'STREAM_TIMEOUT' },
    );
    this.workflowID = workflowID;
    this.key = key;
    if (timeoutMS !== undefined) this.timeoutMS = timeoutMS;
  }
}

/** Concurrent stream reads in one workflow whose replay would depend on scheduling. */
export class DBOSStreamNondeterminismError extends DBOSError {
  readonly workflowID: string;
  readonly key: string;
  constructor(workflowID: string, key: string) {
    super(
      `Workflow ${workflowID} read stream "${key}" concurrently, so a replay could read different values; ` +
        'await one read before starting the next.',
      codes.streamNondeterminism,
      { code: 'STREAM_NONDETERMINISM' },
    );
    this.workflowID = workflowID;
    this.key = key;
  }
}

/** A read-only observability query ran past its statement timeout. */
export class DBOSQueryTimeoutError extends DBOSError {
  readonly timeoutMS: number;
  constructor(timeoutMS: number) {
    super(`The query was cancelled after its ${timeoutMS} ms timeout.`, codes.queryTimeout, { code: 'QUERY_TIMEOUT' });
    this.timeoutMS = timeoutMS;
  }
}
