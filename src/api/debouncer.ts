/**
 * The public Debouncer (DBOS's class and signatures): binds a registered
 * workflow to the launched engine and delegates to queues/debouncer.ts.
 */
import { serializeValue } from '../engine/serialization.ts';
import { debounceWorkflow, validateDebouncerOptions } from '../queues/debouncer.ts';
import { registeredWorkflowOf } from '../runtime/registration.ts';
import { engineFor } from '../runtime/runtime.ts';
import type { StartWorkflowParams, WorkflowHandle } from '../types/workflow-types.ts';

export interface DebouncerConfig<Args extends unknown[], Return> {
  workflow: (...args: Args) => Promise<Return>;
  startWorkflowParams?: StartWorkflowParams;
  debounceTimeoutMs?: number;
  /** The application this debounce acts for. Defaults to the caller's own. */
  applicationName?: string;
}

export class Debouncer<Args extends unknown[], Return> {
  private readonly cfg: DebouncerConfig<Args, Return>;

  constructor(params: DebouncerConfig<Args, Return>) {
    validateDebouncerOptions(params.startWorkflowParams, params.debounceTimeoutMs);
    this.cfg = params;
  }

  /**
   * Run the workflow `debouncePeriodMs` after the last call with this key, with
   * the last call's arguments (no later than `debounceTimeoutMs` after the first).
   */
  debounce(debounceKey: string, debouncePeriodMs: number, ...args: Args): Promise<WorkflowHandle<Return>> {
    const engine = engineFor('Debouncer.debounce');
    const registration = registeredWorkflowOf(this.cfg.workflow);
    const target = {
      workflowName: registration.name,
      className: registration.className || null,
      configName: null,
      startWorkflowParams: this.cfg.startWorkflowParams,
      debounceTimeoutMs: this.cfg.debounceTimeoutMs,
      applicationName: this.cfg.applicationName ?? engine.identity.applicationName,
      applicationVersion: engine.identity.applicationVersion,
      executorID: engine.identity.executorID,
    };
    const inputs = () => serializeValue(args, `the arguments of workflow "${registration.name}"`, 'native', 'args');
    return debounceWorkflow<Return>(engine, target, debounceKey, debouncePeriodMs, inputs);
  }
}
