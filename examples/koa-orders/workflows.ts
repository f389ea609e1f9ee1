/** The order workflow of the Koa example: reserve the items, charge the card, each a durable step. */
import { DBOS } from '../../src/index.ts';

export interface OrderRequest {
  item: string;
  quantity: number;
}

export interface OrderReceipt {
  item: string;
  quantity: number;
  reservation: string;
  charge: string;
  /** The request ID of the HTTP request that placed the order (DBOS.request, recorded with the workflow). */
  placedByRequest: string | undefined;
}

const stepDelayMs = Number(process.env.KOA_ORDERS_STEP_MS ?? 500);
const pause = () => new Promise((resolve) => setTimeout(resolve, stepDelayMs));

const reserveInventory = DBOS.registerStep(
  async (order: OrderRequest) => {
    await pause();
    return `reserved ${order.quantity} x ${order.item}`;
  },
  { name: 'koaOrders.reserveInventory' },
);

const chargePayment = DBOS.registerStep(
  async (order: OrderRequest) => {
    await pause();
    return `charged ${order.quantity * 10} EUR`;
  },
  { name: 'koaOrders.chargePayment' },
);

export const placeOrder = DBOS.registerWorkflow(
  async (order: OrderRequest): Promise<OrderReceipt> => {
    const reservation = await reserveInventory(order);
    const charge = await chargePayment(order);
    return { ...order, reservation, charge, placedByRequest: DBOS.getRequest()?.requestID };
  },
  { name: 'koaOrders.placeOrder' },
);
