/**
 * An order service on Fastify and durably, on the embedded SQLite default
 * (./fastify-orders.sqlite, nothing to set up):
 *   POST /orders {"item","quantity"}  starts the order workflow; answers 202 {orderID}.
 *     Send a `dbos-idempotency-key` header and it becomes the order ID: a
 *     retried POST with the same key starts nothing new.
 *   GET /orders/:id  the order's status, and its result once it has finished.
 * Run: node_modules/.bin/node --import tsx examples/fastify-orders/main.ts (PORT=3000 by default).
 */
import Fastify from 'fastify';
import { DBOS, DBOSNonExistentWorkflowError } from '../../src/index.ts';
import { fastifyPlugin } from '../../src/adapters/fastify.ts';
import { placeOrderWorkflow, type Order } from './orders.ts';

DBOS.setConfig({ name: 'fastify-orders', logLevel: 'warn' });

const app = Fastify();
// Launches durably when the app is ready and shuts it down when the app closes.
await app.register(fastifyPlugin);

const orderBody = {
  type: 'object',
  required: ['item', 'quantity'],
  properties: { item: { type: 'string', minLength: 1 }, quantity: { type: 'integer', minimum: 1 } },
} as const;

app.post<{ Body: Order }>('/orders', { schema: { body: orderBody } }, async (request, reply) => {
  const handle = await DBOS.startWorkflow(placeOrderWorkflow)(request.body);
  return reply.code(202).send({ orderID: handle.workflowID });
});

app.get<{ Params: { id: string } }>('/orders/:id', async (request) => {
  const status = await DBOS.getWorkflowStatus(request.params.id);
  // A durably error: the plugin answers it as 404 JSON.
  if (!status) throw new DBOSNonExistentWorkflowError(`No order ${request.params.id}.`, { workflowID: request.params.id });
  return { orderID: status.workflowID, status: status.status, result: status.output, error: status.error ? String(status.error) : undefined };
});

// app.close() finishes in-flight requests, then the plugin shuts durably down; unfinished orders resume at the next start.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());

const address = await app.listen({ port: Number(process.env.PORT ?? 3000), host: process.env.HOST ?? '127.0.0.1' });
console.log(`fastify-orders listening on ${address}`);
