/** GET /orders/:id: the order workflow's status, and its result once it has finished. */
import { DBOS, DBOSResponseError } from '../../../../../src/index.ts';
import { withDurably } from '../../../../../src/adapters/next.ts';
import '../../../orders.ts'; // registers the workflow and configures durably before the launch

export const GET = withDurably(async (_request: Request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  const status = await DBOS.getWorkflowStatus(id);
  if (!status) throw new DBOSResponseError(`No order ${id}.`, 404);
  return Response.json({ orderID: id, status: status.status, result: status.output ?? null });
}, { launch: true });
