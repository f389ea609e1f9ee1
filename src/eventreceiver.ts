/** durably/eventreceiver: what event receivers need (DBOS's `@dbos-inc/dbos-sdk/eventreceiver`), named re-exports only. */
export { enqueueWorkflows, prepareEnqueuedWorkflow, type PreparedWorkflow, type PrepareEnqueuedWorkflowOptions } from './api/event-receiver.ts';
