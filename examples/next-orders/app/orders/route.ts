/**
 * POST /orders {"item","quantity"}: starts the order workflow and answers 202
 * with its ID at once. With a `dbos-idempotency-key` header, the key is the
 * workflow's ID: sending it again starts nothing new.
 */
import { DBOS, DBOSResponseError } from '../../../../src/index.ts';
import { withDurably } from '../../../../src/adapters/next.ts';
import { placeOrder, type Order } from '../../orders.ts';

async function readOrder(request: Request): Promise<Order> {
  const body = (await request.json().catch(() => undefined)) as Partial<Order> | undefined;
  if (typeof body?.item !== 'string' || !Number.isInteger(body.quantity) || body.quantity! < 1) {
    throw new DBOSResponseError('Send {"item": string, "quantity": positive integer}.', 400);
  }
  return { item: body.item, quantity: body.quantity! };
}

export const POST = withDurably(async (request: Request) => {
  const handle = await DBOS.startWorkflow(placeOrder)(await readOrder(request));
  return Response.json({ orderID: handle.workflowID }, { status: 202 });
}, { launch: true });
