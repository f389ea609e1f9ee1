/**
 * DebouncerClient: DBOS's Debouncer for a DBOSClient, naming the workflow
 * instead of passing it. The request is the one a worker's Debouncer makes
 * (queues/debouncer.ts buildDebounceRequest), stamped with the client's
 * application, no application version (any worker with the workflow runs
 * it), and committed in one transaction.
 */
import { randomUUID } from 'node:crypto';
import { DBOSConfigurationError } from '../errors/errors.ts';
import { DurableWorkflowHandle } from '../engine/workflow-handle.ts';
import { buildDebounceRequest, settle, validateDebouncerOptions, type DebounceTarget } from '../queues/debouncer.ts';
import { encodeInputs } from '../queues/enqueue-by-name.ts';
import type { StartWorkflowParams, WorkflowHandle, WorkflowSerializationFormat } from '../types/workflow-types.ts';
import type { DBOSClient } from './dbos-client.ts';

/** DBOS's DebouncerClientConfig. */
export interface DebouncerClientConfig {
  workflowName: string;
  workflowClassName?: string;
  startWorkflowParams?: StartWorkflowParams;
  debounceTimeoutMs?: number;
  serializationType?: WorkflowSerializationFormat;
  /** The application this debounce acts for. Defaults to the client's own. */
  applicationName?: string;
}

export class DebouncerClient {
  private readonly target: DebounceTarget;
  private readonly serializationType: WorkflowSerializationFormat;

  constructor(
    readonly client: DBOSClient,
    params: DebouncerClientConfig,
  ) {
    if (typeof params?.workflowName !== 'string' || params.workflowName === '') {
      throw new DBOSConfigurationError(`DebouncerClient: workflowName must be a non-empty string, got ${JSON.stringify(params?.workflowName)}.`);
    }
    if (![undefined, 'native', 'portable'].includes(params.serializationType)) {
      throw new DBOSConfigurationError(`DebouncerClient: serializationType must be "native" or "portable", got ${JSON.stringify(params.serializationType)}.`);
    }
    validateDebouncerOptions(params.startWorkflowParams, params.debounceTimeoutMs);
    this.serializationType = params.serializationType;
    this.target = {
      workflowName: params.workflowName,
      className: params.workflowClassName || null,
      configName: null,
      startWorkflowParams: params.startWorkflowParams,
      debounceTimeoutMs: params.debounceTimeoutMs,
      applicationName: params.applicationName ?? client.applicationName ?? null,
      applicationVersion: null,
      executorID: client.debounceEngine.identity.executorID,
    };
  }

  /**
   * Run the workflow `debouncePeriodMs` after the last call with this key, with
   * the last call's arguments (no later than `debounceTimeoutMs` after the first).
   */
  async debounce(debounceKey: string, debouncePeriodMs: number, ...args: unknown[]): Promise<WorkflowHandle<unknown>> {
    const engine = this.client.debounceEngine;
    const { workflowName } = this.target;
    const inputs = await encodeInputs({ queueName: '', workflowName, serializationType: this.serializationType }, args);
    const workflowID = this.target.startWorkflowParams?.workflowID ?? randomUUID();
    const request = buildDebounceRequest(this.target, debounceKey, debouncePeriodMs, inputs, workflowID);
    return new DurableWorkflowHandle<unknown>(engine, await settle(engine, request));
  }
}
