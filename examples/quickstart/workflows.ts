/** The quickstart's workflows: ordinary async functions, registered as durable. */
import { appendFileSync } from 'node:fs';
import { DBOS } from '../../src/index.ts';

export const stepLog = process.env.QUICKSTART_STEP_LOG ?? '';

function logStep(line: string): void {
  console.log(`  [pid ${process.pid}] ${line}`);
  if (stepLog) appendFileSync(stepLog, `${line}\n`);
}

async function reserveInventory(orderID: string): Promise<string> {
  logStep(`step 1: reserving inventory for ${orderID}`);
  return `reservation-${orderID}`;
}

async function chargeCard(orderID: string): Promise<string> {
  logStep(`step 2: charging the card for ${orderID}`);
  // A slow payment provider: the crash demo kills the process while this waits.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.QUICKSTART_CHARGE_MS ?? 0)));
  return `charge-${orderID}`;
}

async function checkout(orderID: string): Promise<string> {
  const reservation = await DBOS.runStep(() => reserveInventory(orderID), { name: 'reserveInventory' });
  const charge = await DBOS.runStep(() => chargeCard(orderID), { name: 'chargeCard' });
  return `${orderID}: ${reservation}, ${charge}`;
}

export const checkoutWorkflow = DBOS.registerWorkflow(checkout, { name: 'checkout' });
