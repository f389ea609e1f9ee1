/**
 * The SQL implementation of messages, events and streams, shared by both
 * backends like SqlSystemDatabase (of which it is a part). Each write commits
 * with its checkpoint in one transaction and wakes this process's waiters.
 */
import { DBOSNonExistentWorkflowError } from '../errors/errors.ts';
import { jitterMs, sleepMs } from '../support/sleep.ts';
import type { Connection } from './connection.ts';
import type { Dialect } from './dialect.ts';
import type { Notifier } from './notifier.ts';
import type { MessageRecord, PublishedValue, StepOutcomeRecord, StoredValue, StreamEntry } from './records.ts';
import { selectEvent, setEvent } from './sql/events.ts';
import { consumeMessage, sendMessage } from './sql/messages.ts';
import { appendToStream, selectStreamEntries } from './sql/streams.ts';
import {
  communicationKey,
  eventsChannel,
  messagesChannel,
  streamsChannel,
  type CommunicationStore,
} from './system-database.ts';

export class SqlCommunicationStore implements CommunicationStore {
  /** The last write queued per stream of this process. */
  private readonly streamWrites = new Map<string, Promise<void>>();

  constructor(
    private readonly connection: Connection,
    private readonly dialect: Dialect,
    private readonly notifier: Notifier,
  ) {}

  async sendMessage(message: MessageRecord, checkpoint?: StepOutcomeRecord): Promise<void> {
    const sent = await this.connection.transaction((tx) => sendMessage(tx, this.dialect, message, checkpoint));
    if (!sent) {
      throw new DBOSNonExistentWorkflowError(
      // DBOS's wording (its tests match on it), then durably's.
      `Sent to non-existent destination workflow UUID: ${message.destinationID} (no workflow has that ID).`,
      { workflowID: message.destinationID },
    );
    }
    this.notifier.wakeLocal(messagesChannel, [communicationKey(message.destinationID, message.topic)]);
  }

  consumeMessage(topic: string, checkpoint: StepOutcomeRecord): Promise<StepOutcomeRecord | undefined> {
    return this.connection.transaction((tx) => consumeMessage(tx, this.dialect, topic, checkpoint));
  }

  async setEvent(event: PublishedValue, checkpoint: StepOutcomeRecord): Promise<void> {
    await this.connection.transaction((tx) => setEvent(tx, this.dialect, event, checkpoint));
    this.notifier.wakeLocal(eventsChannel, [communicationKey(event.workflowID, event.key)]);
  }

  getEvent(workflowID: string, key: string): Promise<StoredValue | undefined> {
    return selectEvent(this.connection, this.dialect, workflowID, key);
  }

  async writeStream(entry: PublishedValue, checkpoint?: StepOutcomeRecord): Promise<void> {
    const stream = communicationKey(entry.workflowID, entry.key);
    // Writes to one stream from this process take turns (each takes the next offset)...
    const previous = this.streamWrites.get(stream) ?? Promise.resolve();
    const write = previous.catch(() => undefined).then(() => this.appendWithRetry(entry, checkpoint));
    this.streamWrites.set(stream, write);
    try {
      await write;
    } finally {
      if (this.streamWrites.get(stream) === write) this.streamWrites.delete(stream);
    }
    this.notifier.wakeLocal(streamsChannel, [stream]);
  }

  /** ...and a writer in another process that took the same offset first makes this one try again. */
  private async appendWithRetry(entry: PublishedValue, checkpoint?: StepOutcomeRecord): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.connection.transaction((tx) => appendToStream(tx, this.dialect, entry, checkpoint));
      } catch (error) {
        if (attempt >= 100 || !this.dialect.isUniqueViolation(error)) throw error;
        await sleepMs(jitterMs(0, 5));
      }
    }
  }

  readStream(workflowID: string, key: string, fromOffset: number): Promise<StreamEntry[]> {
    return selectStreamEntries(this.connection, this.dialect, workflowID, key, fromOffset);
  }
}
