/** durably's public surface: named re-exports only. */
export { DBOS } from './api/dbos.ts';
export { shutdownOnSignals, type ClosableServer } from './api/shutdown-on-signals.ts';
export { ConfiguredInstance } from './runtime/configured-instance.ts';
export type { DBOSConfig, DBOSLaunchOptions } from './types/config-types.ts';
export { StatusString } from './types/workflow-types.ts';
export { WorkflowQueue } from './queues/workflow-queue.ts';
export { Debouncer, type DebouncerConfig } from './api/debouncer.ts';
export { DBOSClient, type ClientEnqueueOptions, type ClientSendOptions, type DBOSClientOptions } from './client/dbos-client.ts';
export { DebouncerClient, type DebouncerClientConfig } from './client/debouncer-client.ts';
export type { ClientAppliedSchedule, ClientScheduleInput } from './client/client-administration.ts';
export type { ClientRegisterQueueOptions } from './client/client-queues.ts';
export type { CallerPgClient } from './system-database/system-database.ts';
export type { EnqueueWorkflowOptions, WorkflowIDReusePolicy } from './queues/enqueue-options.ts';
export { SchedulerMode, type SchedulerConfig } from './scheduler/scheduled-workflows.ts';
export type { ScheduledWorkflowFn, ScheduleOptions, WorkflowSchedule } from './scheduler/dynamic-schedules.ts';
export type { VersionInfo } from './management/application-versions.ts';
export type { RewindOptions } from './management/rewind.ts';
export type { ApplicationRowCounts, RenameApplicationOptions } from './management/rename-application.ts';
export type { ReadStreamOffsetOptions, ReadStreamOptions } from './communication/streams.ts';
export type { QueueConflictResolution, QueueParameters, QueueRateLimit, RegisterQueueOptions } from './queues/workflow-queue.ts';
export type { SetWorkflowDelayOptions } from './queues/queued-workflow-changes.ts';
export type {
  StepInfo,
  GetEventOptions,
  RecvOptions,
  EnqueueOptions,
  FunctionName,
  GetResultOptions,
  GetWorkflowsInput,
  PollingOptions,
  StartWorkflowParams,
  StepConfig,
  StepStatus,
  WorkflowConfig,
  InputSchema,
  WorkflowHandle,
  WorkflowSerializationFormat,
  WorkflowStatus,
  WorkflowStatusString,
} from './types/workflow-types.ts';
export type { DBOSContextOptions, DuplicationPolicy, ListWorkflowStepsOptions, WaitAllOptions } from './types/workflow-types.ts';
export type { HTTPRequest } from './types/workflow-types.ts';
export type { DLogger } from './telemetry/logger.ts';
export type { OtelAttributeFormat } from './telemetry/tracing.ts';
export type { DBOSSerializer, SerializationRecipe, SendOptions, SetEventOptions, WriteStreamOptions } from './types/serialization-types.ts';
export { PortableWorkflowError } from './errors/portable-workflow-error.ts';
export { DBOSUnknownSerializationError } from './errors/errors.ts';
export * from './errors/errors.ts';
export * as Error from './errors/errors.ts';
export type {
  AlertHandler,
  DBOSExternalState,
  DBOSLifecycleCallback,
  ExternalRegistration,
  MethodRegistrationBase,
} from './types/lifecycle-types.ts';
export { serveDashboard, type RunningDashboard, type ServeDashboardOptions } from './admin/serve-dashboard.ts';
