/** The order service's workflow: two steps, each recorded, so a crash between them resumes at the second. */
import { DBOS } from '../../src/index.ts';

export interface Order {
  item: string;
  quantity: number;
}

export interface Receipt {
  orderID: string;
  reservation: string;
  charge: string;
}

async function reserveInventory(order: Order): Promise<string> {
  DBOS.logger.info(`reserving ${order.quantity} x ${order.item}`);
  return `reserved ${order.quantity} x ${order.item}`;
}

async function chargeCard(order: Order): Promise<string> {
  // A slow payment provider: long enough to see the order PENDING with GET /orders/:id.
  await new Promise((resolve) => setTimeout(resolve, Number(process.env.CHARGE_DELAY_MS ?? 1000)));
  return `charged ${order.quantity * 5} EUR`;
}

async function placeOrder(order: Order): Promise<Receipt> {
  const reservation = await DBOS.runStep(() => reserveInventory(order), { name: 'reserveInventory' });
  const charge = await DBOS.runStep(() => chargeCard(order), { name: 'chargeCard' });
  // The order's ID is its workflow ID: the idempotency key when the request sent one.
  return { orderID: DBOS.workflowID!, reservation, charge };
}

export const placeOrderWorkflow = DBOS.registerWorkflow(placeOrder, { name: 'placeOrder' });
