/**
 * The logger behind `DBOS.logger` and durably's own messages: every record
 * carries the context it was written in (workflow ID and name, step name and
 * function ID, executor, application version, trace and span IDs), read at
 * the moment of the call from a `context` function the runtime supplies (this
 * layer knows nothing of the engine).
 *
 * Where the context goes:
 * - a custom logger (`DBOSConfig.logger`) receives it as metadata fields,
 *   beside (and overridden by) the caller's own metadata, with DBOS's own
 *   `includeContextMetadata` and `span`; entries arrive as DBOS sends them
 *   (text; an error as its message with `stack` and `error`); as in DBOS, no
 *   level filter is applied before it: level routing is its job;
 * - the built-in console logger prints a compact tag of the workflow and step
 *   (the executor and version are the same on every line of a process), and
 *   the whole context as metadata with `addContextMetadata: true`;
 * - the OTLP log exporter (telemetry/otlp-export.ts), when enabled, gets every
 *   field as an attribute and the span as the record's trace context.
 *
 * Cost: a record below the threshold returns before the context is read.
 */
import { ConsoleLogger, consoleLogger, entryText, errorEntry, levelEnabled, logText, type DLogger, type LogLevel, type RecordLevel } from './logger.ts';

export interface LogContext {
  workflowID?: string;
  workflowName?: string;
  stepName?: string;
  functionID?: number;
  executorID?: string;
  applicationVersion?: string;
  traceId?: string;
  spanId?: string;
}

/** A second destination of records (OTLP log export): the text, the attributes (context + metadata), the level. */
export type LogRecordSink = (level: RecordLevel, text: string, attributes: Record<string, unknown>, context: LogContext) => void;

export interface ContextualLoggerOptions {
  /** The configured level: filters the console and the sinks (not a custom logger, as in DBOS). */
  readonly level: LogLevel;
  /** Print the whole context as metadata on console lines (DBOS's `addContextMetadata`). */
  readonly addContextMetadata: boolean;
  /** The context at the moment of the call. */
  readonly context: () => LogContext;
  /** The current span object, handed to a custom logger as DBOS's `span` metadata. */
  readonly span?: () => unknown;
  /** Other destinations (OTLP) beside the console logger, read at each call since they are set up after the logger exists; never used with a custom logger (as in DBOS). */
  readonly sinks?: () => readonly LogRecordSink[];
}

/** The context fields that are set, without the undefined ones. */
function definedFields(context: LogContext): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) if (value !== undefined) fields[key] = value;
  return fields;
}

/** `workflow w1 step charge#2`: what the console line says of where it was written. */
function consoleTag(context: LogContext): string | undefined {
  if (context.workflowID === undefined) return undefined;
  const step = context.stepName !== undefined ? ` step ${context.stepName}#${context.functionID}` : '';
  return `workflow ${context.workflowID}${step}`;
}

export class ContextualLogger implements DLogger {
  constructor(
    /** The custom logger, or the built-in console logger. */
    readonly target: DLogger,
    private readonly options: ContextualLoggerOptions,
  ) {}

  private write(level: RecordLevel, message: unknown, metadata?: object): void {
    const target = this.target;
    if (!(target instanceof ConsoleLogger)) {
      // A custom logger: every record, with its context; level routing (and its export) is its own business.
      // Shaped as DBOS shapes it (code written for DBOS reads these): text entries, DBOS's own context
      // fields (includeContextMetadata, span), and errors as their message plus stack and error.
      const span = this.options.span?.();
      const context = {
        ...definedFields(this.options.context()),
        includeContextMetadata: this.options.addContextMetadata,
        ...(span === undefined ? {} : { span }),
      };
      if (level === 'error') {
        const entry = errorEntry(message);
        target.error(entry.text, { ...context, ...metadata, ...entry.metadata });
      } else {
        target[level](entryText(message), { ...context, ...metadata });
      }
      return;
    }
    if (!levelEnabled(level, this.options.level)) return;
    const context = this.options.context();
    const fields = definedFields(context);
    target.write(level, message, this.options.addContextMetadata ? { ...fields, ...metadata } : metadata, consoleTag(context));
    const sinks = this.options.sinks?.();
    if (!sinks || sinks.length === 0) return;
    const attributes = { ...fields, ...metadata };
    const text = logText(message);
    for (const sink of sinks) {
      try {
        sink(level, text, attributes, context);
      } catch {
        // An export sink must never break the code that logs (the console line is already written).
      }
    }
  }

  debug(message: unknown, metadata?: object): void {
    this.write('debug', message, metadata);
  }
  info(message: unknown, metadata?: object): void {
    this.write('info', message, metadata);
  }
  warn(message: unknown, metadata?: object): void {
    this.write('warn', message, metadata);
  }
  error(message: unknown, metadata?: object): void {
    this.write('error', message, metadata);
  }
}

/**
 * A logger with no execution context (before launch, or a DBOSClient's):
 * records reach a custom logger shaped as DBOS shapes them, or the console at
 * `level`.
 */
export function standaloneLogger(custom: DLogger | undefined, level: LogLevel, addContextMetadata = false): DLogger {
  const target = custom && typeof custom.error === 'function' ? custom : consoleLogger(level);
  return new ContextualLogger(target, { level, addContextMetadata, context: () => ({}) });
}
