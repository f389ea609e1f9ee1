/**
 * An order service on Koa with durably/koa, on the embedded SQLite default
 * (./koa-orders.sqlite; set DBOS_SYSTEM_DATABASE_URL for another database):
 *
 *   node_modules/.bin/node --import tsx examples/koa-orders/main.ts
 *
 *   POST /orders {"item":"book","quantity":2}  starts the order workflow, answers 202 { orderID }
 *        (send a dbos-idempotency-key header and a retried POST starts nothing new: same orderID)
 *   GET /orders/:id                            its status, and its receipt once it has finished
 *
 * In an application the imports are 'durably' and 'durably/koa'.
 */
import Koa from 'koa';
import { koaMiddleware } from '../../src/adapters/koa.ts';
import { DBOS, DBOSDataValidationError, DBOSNonExistentWorkflowError, shutdownOnSignals } from '../../src/index.ts';
import { placeOrder, type OrderRequest } from './workflows.ts';

const maxBodyBytes = 10_000;

/** Koa has no body parser of its own; an order is small JSON. */
async function readOrder(ctx: Koa.Context): Promise<OrderRequest> {
  let text = '';
  for await (const chunk of ctx.req) {
    text += String(chunk);
    if (text.length > maxBodyBytes) throw new DBOSDataValidationError(`The order is over ${maxBodyBytes} bytes.`);
  }
  let order: Partial<OrderRequest>;
  try {
    order = JSON.parse(text) as Partial<OrderRequest>;
  } catch {
    throw new DBOSDataValidationError('The order must be JSON: {"item": "book", "quantity": 2}.');
  }
  if (typeof order?.item !== 'string' || !Number.isInteger(order.quantity) || order.quantity! < 1) {
    throw new DBOSDataValidationError('The order needs an item (text) and a quantity (a whole number, at least 1).');
  }
  return { item: order.item, quantity: order.quantity! };
}

const app = new Koa();
app.use(koaMiddleware()); // first: everything after it runs in the request's context, and its errors become JSON

app.use(async (ctx, next) => {
  if (ctx.method !== 'POST' || ctx.path !== '/orders') return next();
  // The idempotency key, when sent, becomes this workflow's ID.
  const handle = await DBOS.startWorkflow(placeOrder)(await readOrder(ctx));
  ctx.status = 202;
  ctx.body = { orderID: handle.workflowID };
});

app.use(async (ctx, next) => {
  const match = ctx.method === 'GET' ? /^\/orders\/([^/]+)$/.exec(ctx.path) : null;
  if (!match) return next();
  const orderID = decodeURIComponent(match[1]!);
  const status = await DBOS.getWorkflowStatus(orderID);
  if (!status) throw new DBOSNonExistentWorkflowError(`No order ${orderID}.`, { workflowID: orderID });
  ctx.body = { orderID, status: status.status, receipt: status.output ?? null };
});

DBOS.setConfig({ name: 'koa-orders' });
await DBOS.launch();
const port = Number(process.env.PORT ?? 3000);
const server = app.listen(port, '127.0.0.1', () => {
  const address = server.address();
  console.log(`koa-orders listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`);
});
shutdownOnSignals(server);
