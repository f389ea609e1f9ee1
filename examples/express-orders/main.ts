/**
 * An order service on Express and durably, on the embedded SQLite default
 * (./express-orders.sqlite, nothing to set up), its orders in the app's own
 * SQLite database through a transaction:
 *   POST /orders {"item","quantity"}  starts the order workflow; answers 202 {orderID}.
 *     A `dbos-idempotency-key` header becomes the order ID: a retried POST with
 *     the same key starts nothing new.
 *   GET /orders/:id  the order's status, and its result once it has finished.
 * Run: node_modules/.bin/node --import tsx examples/express-orders/main.ts (PORT=3000 by default).
 */
import express from 'express';
import { DBOS, DBOSDataValidationError, DBOSNonExistentWorkflowError, shutdownOnSignals } from '../../src/index.ts';
import { expressErrorHandler, expressMiddleware } from '../../src/adapters/express.ts';
import { placeOrder, type Order } from './orders.ts';

DBOS.setConfig({ name: 'express-orders', logLevel: 'warn' });
await DBOS.launch();

const app = express();
app.use(expressMiddleware());
app.use(express.json());

app.post('/orders', async (req, res) => {
  const order = req.body as Partial<Order>;
  if (typeof order?.item !== 'string' || !Number.isInteger(order.quantity) || order.quantity! < 1) {
    throw new DBOSDataValidationError('An order is {"item": string, "quantity": a positive integer}.');
  }
  const handle = await DBOS.startWorkflow(placeOrder)({ item: order.item, quantity: order.quantity! });
  res.status(202).json({ orderID: handle.workflowID });
});

app.get('/orders/:id', async (req, res) => {
  const status = await DBOS.getWorkflowStatus(req.params.id);
  if (!status) throw new DBOSNonExistentWorkflowError(`No order ${req.params.id}.`, { workflowID: req.params.id });
  res.json({ orderID: status.workflowID, status: status.status, result: status.output, error: status.error ? String(status.error) : undefined });
});

app.use(expressErrorHandler()); // durably's errors as JSON: 400, 404...

const server = app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1', () => {
  const address = server.address();
  console.log(`express-orders listening on http://127.0.0.1:${typeof address === 'object' && address ? address.port : ''}`);
});
// SIGTERM/SIGINT: stop accepting, finish in-flight requests, shut durably down; unfinished orders resume at the next start.
shutdownOnSignals(server);
