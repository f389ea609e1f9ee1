/**
 * The order workflow and durably's configuration, in the one module both
 * routes import. Next compiles every route module (and instrumentation.ts)
 * with its own copy of what it imports, so durably is configured and launched
 * where the routes are: here, and by `withDurably(..., { launch: true })` at
 * the first request, after every workflow below is registered.
 */
import { DBOS } from '../../src/index.ts';

export interface Order {
  item: string;
  quantity: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const reserveStock = DBOS.registerStep(async (order: Order) => {
  await pause(500);
  return `reserved ${order.quantity} x ${order.item}`;
}, { name: 'reserveStock' });

const chargeCard = DBOS.registerStep(async (order: Order) => {
  await pause(1500);
  return `charged ${order.quantity * 10} EUR`;
}, { name: 'chargeCard' });

const shipOrder = DBOS.registerStep(async () => {
  await pause(500);
  return 'shipped';
}, { name: 'shipOrder' });

export const placeOrder = DBOS.registerWorkflow(async (order: Order) => {
  const steps = [await reserveStock(order), await chargeCard(order), await shipOrder()];
  return { order, steps, requestID: DBOS.request.requestID };
}, { name: 'placeOrder' });

// The embedded SQLite default (./next-orders.sqlite): nothing to set up. Set DBOS_SYSTEM_DATABASE_URL for Postgres.
DBOS.setConfig({ name: 'next-orders' });
