/**
 * The verdict of a chaos run, from the ledger and the system database, after
 * the drain phase:
 *
 * 1. Every enqueued order and its reply workflow is SUCCESS with the output
 *    computed from its input; nothing at all is left PENDING or ENQUEUED.
 * 2. No step ran again after its checkpoint (see checkExecutions).
 * 3. Every message was received exactly once: each reply has exactly the two
 *    messages sent to it, both consumed (a third, duplicated message would
 *    be an extra row, and the reply's third recv would have returned it
 *    instead of timing out, which its output shows).
 * 4. Every transaction committed exactly once: one app row per order, whose
 *    nonce is the one in the transaction's checkpoint.
 */
import { writeFileSync } from 'node:fs';
import type { DBOSClient, StepInfo } from '../src/index.ts';
import type { ChaosDatabase } from './chaos-database.ts';
import { checkExecutions, type ExecutionCounts } from './execution-check.ts';
import { readLedger } from './ledger.ts';
import { childID, expectedOutput, expectedReply, messagesPerReply, orderID, orderWorkflowName, replyWorkflowName } from './workload.ts';

export interface Verdict extends ExecutionCounts {
  orders: number;
  completedOrders: number;
  violations: string[];
}

const shown = 20;

export async function verifyRun(database: ChaosDatabase, client: DBOSClient, ledgerPath: string, enqueued: number): Promise<Verdict> {
  const violations: string[] = [];
  const violation = (text: string) => violations.push(text);

  const statuses = await database.rows(`SELECT workflow_uuid, status, name FROM ${database.table('workflow_status')}`);
  const statusOf = new Map(statuses.map((row) => [String(row.workflow_uuid), String(row.status)]));
  for (const row of statuses) {
    if (row.status === 'PENDING' || row.status === 'ENQUEUED') violation(`${row.workflow_uuid} (${row.name}) left ${row.status} after the drain`);
  }
  const outputs = new Map<string, unknown>();
  const errors = new Map<string, unknown>();
  for (const name of [orderWorkflowName, replyWorkflowName]) {
    for (const status of await client.listWorkflows({ workflowName: name, loadInput: false })) {
      outputs.set(status.workflowID, status.output);
      if (status.error !== undefined && status.error !== null) errors.set(status.workflowID, status.error);
    }
  }
  let completedOrders = 0;
  for (let n = 0; n < enqueued; n++) {
    const order = orderID(n);
    const checks: [string, string][] = [
      [order, expectedOutput(n)],
      [childID(order), expectedReply(n)],
    ];
    for (const [workflowID, expected] of checks) {
      const status = statusOf.get(workflowID);
      if (status !== 'SUCCESS') violation(`${workflowID} is ${status ?? 'missing'}, expected SUCCESS${describeError(errors.get(workflowID))}`);
      else if (outputs.get(workflowID) !== expected) violation(`${workflowID} output ${JSON.stringify(outputs.get(workflowID))}, expected ${JSON.stringify(expected)}`);
      else if (workflowID === order) completedOrders++;
    }
  }

  const messages = await database.rows(`SELECT destination_uuid, consumed FROM ${database.table('notifications')}`);
  const messagesTo = new Map<string, { total: number; consumed: number }>();
  for (const row of messages) {
    const counts = messagesTo.get(String(row.destination_uuid)) ?? { total: 0, consumed: 0 };
    counts.total++;
    if (row.consumed === true || Number(row.consumed) === 1) counts.consumed++;
    messagesTo.set(String(row.destination_uuid), counts);
  }
  for (let n = 0; n < enqueued; n++) {
    const reply = childID(orderID(n));
    const counts = messagesTo.get(reply) ?? { total: 0, consumed: 0 };
    if (counts.total !== messagesPerReply || counts.consumed !== messagesPerReply) {
      violation(`${reply} has ${counts.total} messages (${counts.consumed} consumed), expected ${messagesPerReply} (all consumed)`);
    }
  }

  const stepsOf = new Map<string, StepInfo[]>();
  for (let n = 0; n < enqueued; n++) {
    for (const workflowID of [orderID(n), childID(orderID(n))]) stepsOf.set(workflowID, (await client.listWorkflowSteps(workflowID)) ?? []);
  }
  const deliveries = await database.rows(`SELECT workflow_id, nonce FROM ${database.table('deliveries')}`);
  const counts = checkExecutions(readLedger(ledgerPath), stepsOf, deliveries as { workflow_id: string; nonce: string }[], enqueued, violation);

  return { orders: enqueued, completedOrders, ...counts, violations };
}

export function printViolations(violations: readonly string[]): void {
  for (const text of violations.slice(0, shown)) console.log(`  VIOLATION ${text}`);
  if (violations.length > shown) console.log(`  ... and ${violations.length - shown} more`);
}

/** For the post-mortem of a failed run: the status and operations of the workflows the violations name. */
export async function writeDiagnostics(database: ChaosDatabase, verdict: Verdict, path: string): Promise<void> {
  const ids = [...new Set(verdict.violations.flatMap((text) => text.match(/chaos-\d+(-reply)?/g) ?? []))].slice(0, 20);
  const list = ids.flatMap((id) => [id, `${id.replace(/-reply$/, '')}-reply`]).map((id) => `'${id}'`).join(', ');
  const diagnostics = list
    ? {
        statuses: await database.rows(`SELECT * FROM ${database.table('workflow_status')} WHERE workflow_uuid IN (${list})`),
        operations: await database.rows(
          `SELECT workflow_uuid, function_id, function_name, output, error, child_workflow_id, started_at_epoch_ms, completed_at_epoch_ms ` +
            `FROM ${database.table('operation_outputs')} WHERE workflow_uuid IN (${list}) ORDER BY workflow_uuid, function_id`,
        ),
        outputs: await database.rows(`SELECT * FROM ${database.table('workflow_output')} WHERE workflow_uuid IN (${list})`).catch(() => []),
        executors: await database.rows(`SELECT * FROM ${database.table('durably_executors')}`).catch(() => []),
      }
    : {};
  writeFileSync(path, JSON.stringify({ violations: verdict.violations, ...diagnostics }, (_, value) => (typeof value === 'bigint' ? String(value) : value), 2));
  console.log(`chaos: diagnostics written to ${path}`);
}

/** A failed workflow's recorded error, for its violation: what a fault turned into a failure. */
function describeError(error: unknown): string {
  if (error === undefined) return '';
  const text = error instanceof Error ? `${error.name}: ${error.message}` : JSON.stringify(error);
  return ` (${text.slice(0, 300)})`;
}
