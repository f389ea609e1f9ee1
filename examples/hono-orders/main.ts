/**
 * An order service on Hono with durably/hono, on the embedded SQLite default
 * (./hono-orders.sqlite in the working directory; nothing to set up):
 *   POST /orders {"item":"book","quantity":2}  starts the order's workflow; 202 {"orderID"}.
 *     Send a `dbos-idempotency-key` header and a retried POST gets the same order, never a second one.
 *   GET /orders/:id  the order's status and, once finished, its receipt; 404 JSON when there is none.
 * Run: node_modules/.bin/node --import tsx examples/hono-orders/main.ts   (PORT=0 picks a free port)
 */
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { DBOS, DBOSNonExistentWorkflowError, DBOSResponseError, shutdownOnSignals } from '../../src/index.ts';
import { honoErrorHandler, honoMiddleware } from '../../src/adapters/hono.ts';
import { placeOrderWorkflow, type Order } from './workflows.ts';

function parseOrder(body: unknown): Order {
  const { item, quantity } = (body ?? {}) as Partial<Order>;
  if (typeof item !== 'string' || item === '' || !Number.isInteger(quantity) || quantity! < 1) {
    throw new DBOSResponseError('An order is {"item": a non-empty string, "quantity": a positive integer}.', 400);
  }
  return { item, quantity: quantity! };
}

const app = new Hono();
app.use(honoMiddleware());

app.post('/orders', async (c) => {
  const order = parseOrder(await c.req.json().catch(() => undefined));
  // The middleware made the idempotency key (if any) the ID of this workflow.
  const handle = await DBOS.startWorkflow(placeOrderWorkflow)(order);
  return c.json({ orderID: handle.workflowID }, 202, { location: `/orders/${handle.workflowID}` });
});

app.get('/orders/:id', async (c) => {
  const orderID = c.req.param('id');
  const status = await DBOS.getWorkflowStatus(orderID);
  if (!status) throw new DBOSNonExistentWorkflowError(`There is no order ${orderID}.`, { workflowID: orderID });
  return c.json({ orderID, status: status.status, receipt: status.output ?? null });
});

app.onError(honoErrorHandler);

DBOS.setConfig({ name: 'hono-orders' });
await DBOS.launch();
const server = serve({ fetch: app.fetch, port: Number(process.env.PORT ?? 3000), hostname: '127.0.0.1' }, (info) => {
  console.log(`hono-orders listening on http://127.0.0.1:${info.port}`);
});
shutdownOnSignals(server);
