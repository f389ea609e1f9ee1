/**
 * The telemetry of one launch: the contextual logger every record goes
 * through (DBOS.logger and durably's own messages), and what shutdown must
 * flush. Built first in launch, so even the messages of opening the system
 * database carry the executor's identity.
 */
import { ContextualLogger, standaloneLogger, type LogRecordSink } from '../telemetry/contextual-logger.ts';
import { currentLogContext, currentSpan, type LogIdentity } from '../engine/log-context.ts';
import { startOtlpExport, type OtlpExport } from '../telemetry/otlp-export.ts';
import { logLevelNamed, type DLogger } from '../telemetry/logger.ts';
import type { DBOSConfig } from '../types/config-types.ts';
import type { ResolvedConfig } from './resolve-config.ts';

export class RuntimeTelemetry {
  /** Filled in as launch learns it (the application version is computed after the system database opens). */
  readonly identity: LogIdentity;
  readonly logger: ContextualLogger;
  private logSinks: LogRecordSink[] = [];
  private otlp: OtlpExport | undefined;

  constructor(config: ResolvedConfig) {
    this.identity = { executorID: config.executorID, applicationVersion: config.applicationVersion ?? undefined };
    this.logger = new ContextualLogger(config.logger, {
      level: config.logLevel,
      addContextMetadata: config.addContextMetadata,
      context: () => currentLogContext(this.identity),
      span: currentSpan,
      sinks: () => this.logSinks,
    });
  }

  /** With `enableOTLP`: load the exporter packages and install the providers, before the tracer is created. */
  async startExport(config: ResolvedConfig): Promise<void> {
    if (!config.otlp.enabled) return;
    this.otlp = await startOtlpExport(
      {
        tracesEndpoints: config.otlp.tracesEndpoints,
        logsEndpoints: config.otlp.logsEndpoints,
        exportLogs: config.otlp.exportLogs,
        serviceName: config.name,
        executorID: config.executorID,
      },
      this.logger,
    );
    if (this.otlp.logSink) this.logSinks = [this.otlp.logSink];
  }

  /** Flush what the exporters buffered (bounded by a timeout) and unregister what was installed. */
  async shutdown(): Promise<void> {
    const otlp = this.otlp;
    this.otlp = undefined;
    this.logSinks = [];
    await otlp?.shutdown();
  }
}

/**
 * DBOS.logger before launch (or after shutdown), as in DBOS: the configured
 * logger, or the console at the configured logLevel, with no context (no
 * workflow runs yet). Built from setConfig's values without validating the
 * rest of the configuration, which launch does.
 */
export function loggerBeforeLaunch(config: DBOSConfig | undefined): DLogger {
  return standaloneLogger(config?.logger, logLevelNamed(config?.logLevel) ?? 'info', config?.addContextMetadata === true);
}
