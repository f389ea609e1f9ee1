/** durably/eventreceiver: what event receivers need (DBOS's `@dbos-inc/dbos-sdk/eventreceiver`), named re-exports only. */
export {
  enqueueWorkflows,
  getQueue,
  isPartitionedQueue,
  prepareEnqueuedWorkflow,
  registerInternalQueue,
  registerPollerQueue,
  type PreparedWorkflow,
  type PrepareEnqueuedWorkflowOptions,
} from './api/event-receiver.ts';
export type {
  DBOSExternalState,
  DBOSLifecycleCallback,
  ExternalRegistration,
  MethodRegistrationBase,
} from './types/lifecycle-types.ts';
