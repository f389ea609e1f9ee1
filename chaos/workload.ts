/**
 * The chaos workload, registered by every worker process. Simple and
 * deterministic, so each workflow's output is computable from its input
 * (`expectedOutput`), yet it touches every durable operation a fault can
 * break:
 *
 *   chaosOrder(n)  [queued on "chaos"]
 *     step a                                   → 2n
 *     start child chaosReply(n)                  (child workflow)
 *     send m1-n, m2-n to the child               (send)
 *     getEvent(child, "done")                    (events)
 *     child.getResult()
 *     transaction recordDelivery                 (data source; inserts one row)
 *     step b                                   → 3n
 *   chaosReply(n)
 *     step c                                   → n+1
 *     recv ×2 (the two messages), then recv with a 1 s timeout that must get
 *     nothing: a duplicated message would show up there
 *     setEvent("done", ev-n)
 *
 * Each step and transaction body appends to the ledger before returning and
 * returns a fresh nonce with its value; the checkpoint keeps that nonce, which
 * tells the verifier which execution's checkpoint committed.
 */
import { randomUUID } from 'node:crypto';
import { DBOS, WorkflowQueue } from '../src/index.ts';
import type { Ledger } from './ledger.ts';

export const queueName = 'chaos';
export const orderWorkflowName = 'chaosOrder';
export const replyWorkflowName = 'chaosReply';
export const transactionName = 'recordDelivery';
export const stepNames = ['a', 'b', 'c'] as const;
/** Messages each reply workflow must receive, exactly once each. */
export const messagesPerReply = 2;

export const childID = (orderID: string) => `${orderID}-reply`;
export const orderID = (n: number) => `chaos-${n}`;

export function expectedReply(n: number): string {
  return `${n + 1}:m1-${n},m2-${n},none`;
}

export function expectedOutput(n: number): string {
  return `order-${n}|a=${2 * n}|reply=${expectedReply(n)}|event=ev-${n}|tx=${n + 100}|b=${3 * n}`;
}

export interface Checkpointed<T> {
  value: T;
  nonce: string;
}

/** The application side of the transaction: a row in the app database, written with the data source's client. */
export interface DeliveryTable {
  register(body: (workflowID: string, n: number) => Promise<Checkpointed<number>>): (workflowID: string, n: number) => Promise<Checkpointed<number>>;
  insert(workflowID: string, n: number, nonce: string): Promise<void>;
}

export function registerWorkload(ledger: Ledger, deliveries: DeliveryTable, workerConcurrency: number): void {
  new WorkflowQueue(queueName, { workerConcurrency });
  const attempts = new Map<string, number>();
  const record = <T>(kind: 'step' | 'transaction', workflowID: string, step: string, value: T): Checkpointed<T> => {
    const key = `${workflowID}/${step}`;
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    const nonce = randomUUID();
    ledger.append({ kind, workflowID, step, nonce, pid: process.pid, attempt, t: Date.now() });
    return { value, nonce };
  };
  // The pause after the ledger line widens the window in which a kill lands between a step and its
  // checkpoint, so runs see legitimate re-runs, and the verifier has them to tell apart from bad ones.
  const step = <T>(workflowID: string, name: (typeof stepNames)[number], value: T) =>
    DBOS.runStep(
      async () => {
        const result = record('step', workflowID, name, value);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return result;
      },
      { name },
    );

  const recordDelivery = deliveries.register(async (workflowID: string, n: number) => {
    const result = record('transaction', workflowID, transactionName, n + 100);
    await deliveries.insert(workflowID, n, result.nonce);
    return result;
  });

  const chaosReply = DBOS.registerWorkflow(
    async (n: number): Promise<string> => {
      const workflowID = DBOS.workflowID!;
      const c = await step(workflowID, 'c', n + 1);
      const first = await DBOS.recv<string>('ping', 300);
      const second = await DBOS.recv<string>('ping', 300);
      const extra = await DBOS.recv<string>('ping', 1);
      await DBOS.setEvent('done', `ev-${n}`);
      return `${c.value}:${first},${second},${extra ?? 'none'}`;
    },
    { name: replyWorkflowName },
  );

  DBOS.registerWorkflow(
    async (n: number): Promise<string> => {
      const workflowID = DBOS.workflowID!;
      const a = await step(workflowID, 'a', 2 * n);
      const reply = await DBOS.startWorkflow(chaosReply, { workflowID: childID(workflowID) })(n);
      await DBOS.send(reply.workflowID, `m1-${n}`, 'ping');
      await DBOS.send(reply.workflowID, `m2-${n}`, 'ping');
      const event = await DBOS.getEvent<string>(reply.workflowID, 'done', 300);
      const replyOutput = await reply.getResult();
      const delivery = await recordDelivery(workflowID, n);
      const b = await step(workflowID, 'b', 3 * n);
      return `order-${n}|a=${a.value}|reply=${replyOutput}|event=${event}|tx=${delivery.value}|b=${b.value}`;
    },
    { name: orderWorkflowName },
  );
}
