/**
 * The order workflow: the order row is inserted by a transaction of the
 * application's own SQLite database (exactly once, even across a crash), then
 * two steps stand in for calls to other services.
 */
import { DBOS } from '../../src/index.ts';
import { SQLiteDataSource } from '../../src/datasources/sqlite.ts';

export interface Order {
  item: string;
  quantity: number;
}

const stepMs = Number(process.env.ORDER_STEP_MS ?? 300);

/** The application's database, next to the system database (./express-orders-app.sqlite). */
export const shop = new SQLiteDataSource('shop', process.env.SHOP_DATABASE ?? 'express-orders-app.sqlite');

const insertOrder = shop.registerTransaction(
  async (orderID: string, order: Order) => {
    SQLiteDataSource.client.exec('CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, item TEXT NOT NULL, quantity INTEGER NOT NULL)');
    SQLiteDataSource.client.prepare('INSERT INTO orders (id, item, quantity) VALUES (?, ?, ?)').run(orderID, order.item, order.quantity);
    return (SQLiteDataSource.client.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n;
  },
  { name: 'insertOrder' },
);

async function callService(what: string): Promise<string> {
  await new Promise((resolve) => setTimeout(resolve, stepMs));
  return what;
}

export const placeOrder = DBOS.registerWorkflow(
  async (order: Order) => {
    const orderID = DBOS.workflowID!;
    const ordersSoFar = await insertOrder(orderID, order);
    const charge = await DBOS.runStep(() => callService(`charged for ${orderID}`), { name: 'chargeCard' });
    const shipment = await DBOS.runStep(() => callService(`shipped ${order.quantity} x ${order.item}`), { name: 'shipOrder' });
    return { ordersSoFar, charge, shipment };
  },
  { name: 'placeOrder' },
);
