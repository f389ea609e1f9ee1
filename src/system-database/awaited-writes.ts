/**
 * Where the writes a waiter awaits (records.ts AwaitedWrite) are announced:
 * the notifier channel and key each kind's writes wake, so a waiter registers
 * under it and a re-check that finds the write wakes exactly its waiters.
 */
import type { AwaitedWrite } from './records.ts';
import { communicationKey, eventsChannel, messagesChannel, outcomeChannel, streamsChannel } from './system-database.ts';

export function announcedOn(awaited: AwaitedWrite): { channel: string; key: string } {
  switch (awaited.kind) {
    case 'outcome':
      return { channel: outcomeChannel, key: awaited.workflowID };
    case 'event':
      return { channel: eventsChannel, key: communicationKey(awaited.workflowID, awaited.key) };
    case 'message':
      return { channel: messagesChannel, key: communicationKey(awaited.workflowID, awaited.topic) };
    case 'stream':
      return { channel: streamsChannel, key: communicationKey(awaited.workflowID, awaited.key) };
  }
}
