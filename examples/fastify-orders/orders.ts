/** The order workflow: three steps, each a short wait standing in for a real service call. */
import { DBOS } from '../../src/index.ts';

export interface Order {
  item: string;
  quantity: number;
}

const stepMs = Number(process.env.ORDER_STEP_MS ?? 300);

async function callService(what: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, stepMs));
  return what;
}

async function placeOrder(order: Order): Promise<{ reservation: string; charge: string; shipment: string }> {
  const orderID = DBOS.workflowID!;
  const reservation = await DBOS.runStep(() => callService(`reserved ${order.quantity} x ${order.item}`), { name: 'reserveInventory' });
  const charge = await DBOS.runStep(() => callService(`charged for ${orderID}`), { name: 'chargeCard' });
  const shipment = await DBOS.runStep(() => callService(`shipped ${orderID}`), { name: 'shipOrder' });
  return { reservation, charge, shipment };
}

export const placeOrderWorkflow = DBOS.registerWorkflow(placeOrder, { name: 'placeOrder' });
