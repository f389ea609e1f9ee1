/**
 * The communication and time part of the DBOS facade (DBOS inherits these
 * static members): messages, events, streams, durable sleep and recorded
 * time and randomness. One-line delegations to communication/ and engine/.
 */
import type { GetEventOptions, RecvOptions } from '../types/workflow-types.ts';
import type { SendOptions, SetEventOptions, WriteStreamOptions } from '../types/serialization-types.ts';
import { getEvent, setEvent } from '../communication/events.ts';
import { recv, send } from '../communication/messages.ts';
import {
  closeStream,
  readStream,
  readStreamOffset,
  writeStream,
  type ReadStreamOffsetOptions,
  type ReadStreamOptions,
} from '../communication/streams.ts';
import { durableSleep } from '../engine/durable-sleep.ts';
import { recordedNow, recordedRandomUUID } from '../engine/recorded-values.ts';
import { engineFor } from '../runtime/runtime.ts';
import { waitTimeoutSeconds } from '../support/wait-timeouts.ts';
import { DBOSContext } from './dbos-context.ts';

export class DBOSCommunication extends DBOSContext {
  /** Send a message to a workflow; from outside a workflow, an idempotency key makes the send at-most-once. */
  static send<T>(destinationID: string, message: T, topic?: string, idempotencyKey?: string, options?: SendOptions): Promise<void> {
    return send(engineFor('DBOS.send'), destinationID, message, topic, idempotencyKey, options);
  }

  /** In workflow code: the oldest unconsumed message on `topic`, or null after the timeout (default 60 s). */
  static async recv<T>(topic?: string, options?: number | RecvOptions): Promise<T | null> {
    return recv<T>(topic, waitTimeoutSeconds('DBOS.recv', options));
  }

  /** In workflow code: publish (or replace) this workflow's value for `key`. */
  static setEvent<T>(key: string, value: T, options?: SetEventOptions): Promise<void> {
    return setEvent(key, value, options);
  }

  /** Wait for a workflow's event value; null after the timeout (default 60 s). */
  static async getEvent<T>(workflowID: string, key: string, options?: number | GetEventOptions): Promise<T | null> {
    return getEvent<T>(engineFor('DBOS.getEvent'), workflowID, key, waitTimeoutSeconds('DBOS.getEvent', options));
  }

  /** Append a value to one of this workflow's streams. */
  static writeStream<T>(key: string, value: T, options?: WriteStreamOptions): Promise<void> {
    return writeStream(key, value, options);
  }

  /** Close one of this workflow's streams: readers end after its last value. */
  static closeStream(key: string): Promise<void> {
    return closeStream(key);
  }

  /** Every value of a workflow's stream from `offset`, in order, until it is closed or the workflow ends. */
  static readStream<T>(workflowID: string, key: string, options?: ReadStreamOptions): AsyncGenerator<T, void, undefined> {
    return readStream<T>(engineFor('DBOS.readStream'), workflowID, key, options);
  }

  /** The value at one offset of a workflow's stream, once written (recorded in workflow code). */
  static readStreamOffset<T>(workflowID: string, key: string, offset: number, options?: ReadStreamOffsetOptions): Promise<T> {
    return readStreamOffset<T>(engineFor('DBOS.readStreamOffset'), workflowID, key, offset, options);
  }

  // ---- time ----
  static sleepms(durationMS: number): Promise<void> {
    return durableSleep(durationMS);
  }

  static sleep(durationMS: number): Promise<void> {
    return durableSleep(durationMS);
  }

  static sleepSeconds(durationSec: number): Promise<void> {
    return durableSleep(durationSec * 1000);
  }

  static now(): Promise<number> {
    return recordedNow();
  }

  static randomUUID(): Promise<string> {
    return recordedRandomUUID();
  }
}
