/**
 * The telemetry of one launch: the contextual logger every record goes
 * through (DBOS.logger and durably's own messages), and what shutdown must
 * flush. Built first in launch, so even the messages of opening the system
 * database carry the executor's identity.
 */
import { ContextualLogger, type LogRecordSink } from '../telemetry/contextual-logger.ts';
import { currentLogContext, type LogIdentity } from '../engine/log-context.ts';
import type { ResolvedConfig } from './resolve-config.ts';

export class RuntimeTelemetry {
  /** Filled in as launch learns it (the application version is computed after the system database opens). */
  readonly identity: LogIdentity;
  readonly logger: ContextualLogger;
  private logSinks: LogRecordSink[] = [];

  constructor(config: ResolvedConfig) {
    this.identity = { executorID: config.executorID, applicationVersion: config.applicationVersion ?? undefined };
    this.logger = new ContextualLogger(config.logger, {
      level: config.logLevel,
      addContextMetadata: config.addContextMetadata,
      context: () => currentLogContext(this.identity),
      sinks: () => this.logSinks,
    });
  }
}
