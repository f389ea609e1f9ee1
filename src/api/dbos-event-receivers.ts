/**
 * The event-receiver part of the DBOS facade (DBOS inherits these static members): info that receivers
 * attach to classes and functions, their versioned state in the system database, and their deactivation.
 * Each member delegates; no logic lives here.
 */
import { DBOSScheduling } from './dbos-scheduling.ts';
import type { DBOSExternalState, ExternalRegistration, MethodRegistrationBase } from '../types/lifecycle-types.ts';
import type { FunctionName } from '../types/workflow-types.ts';
import { associateClassWithInfo, associateFunctionWithInfo, getAssociatedInfo } from '../runtime/external-info.ts';
import { getEventDispatchState, upsertEventDispatchState } from '../runtime/event-dispatch-state.ts';
import { engineFor, runtimeFor } from '../runtime/runtime.ts';

export class DBOSEventReceivers extends DBOSScheduling {
  /** The info object `external` keeps for a class (by constructor or registered name); the same object each call. */
  static associateClassWithInfo(external: object | string, cls: Function | object | string): object {
    return associateClassWithInfo(external, cls);
  }

  /** The info object `external` keeps for a function, and the function's registration (read live). */
  static associateFunctionWithInfo<This, Args extends unknown[], Return>(
    external: object | string,
    func: (this: This, ...args: Args) => Promise<Return>,
    target: FunctionName,
  ): { registration: MethodRegistrationBase; regInfo: object } {
    return associateFunctionWithInfo(external, func, target);
  }

  /** What `external` configured (through a function or its class), optionally in one class or one function. */
  static getAssociatedInfo(external: object | string, cls?: object | string, funcName?: string): readonly ExternalRegistration[] {
    return getAssociatedInfo(external, cls, funcName);
  }

  static getEventDispatchState(service: string, workflowFnName: string, key: string): Promise<DBOSExternalState | undefined> {
    return getEventDispatchState(engineFor('DBOS.getEventDispatchState'), service, workflowFnName, key);
  }

  /** Insert, or replace if newer (by updateTime, then updateSeq); returns what is stored. */
  static upsertEventDispatchState(state: DBOSExternalState): Promise<DBOSExternalState> {
    return upsertEventDispatchState(engineFor('DBOS.upsertEventDispatchState'), state);
  }

  /** For tests: destroy the lifecycle callbacks (event receivers), stop schedules and dequeuing. */
  static deactivateEventReceivers(): Promise<void> {
    return runtimeFor('DBOS.deactivateEventReceivers').deactivateEventReceivers();
  }
}
