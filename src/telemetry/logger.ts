/**
 * The library logger: a few lines a minute at most, so a tiny console logger
 * with a level filter; users may pass any pino/winston-like object instead
 * (DBOS's `DLogger` shape). The context of each record (workflow, step,
 * executor, trace) is added by telemetry/contextual-logger.ts.
 */
import { inspect } from 'node:util';

export interface DLogger {
  debug(message: unknown, metadata?: object): void;
  info(message: unknown, metadata?: object): void;
  warn(message: unknown, metadata?: object): void;
  error(message: unknown, metadata?: object): void;
}

const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof levels)[number];
/** The level of a record (every level but `silent`). */
export type RecordLevel = Exclude<LogLevel, 'silent'>;

export function isLogLevel(value: string): value is LogLevel {
  return (levels as readonly string[]).includes(value);
}

/** The level a configured name stands for, in any case (DBOS accepts `INFO`); undefined for an unknown name. */
export function logLevelNamed(name: unknown): LogLevel | undefined {
  if (typeof name !== 'string') return undefined;
  const lower = name.toLowerCase();
  return isLogLevel(lower) ? lower : undefined;
}

export const logLevelNames: readonly LogLevel[] = levels;

/** Whether a record at `level` passes a `threshold`. */
export function levelEnabled(level: RecordLevel, threshold: LogLevel): boolean {
  return levels.indexOf(level) >= levels.indexOf(threshold);
}

/**
 * An error's stack followed by its cause chain (and an AggregateError's
 * errors), as DBOS writes error records: a wrapped driver error keeps the
 * reason it happened.
 */
export function errorStackWithCause(error: Error): string {
  let stack = error.stack ?? `${error.name}: ${error.message}`;
  if (error.cause !== undefined) stack += `\n  [cause]: ${inspect(error.cause, { depth: 10 })}`;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors)) stack += `\n  [errors]: ${inspect(errors, { depth: 10 })}`;
  return stack;
}

/** A log entry as text: an Error's stack with its causes, anything else as String() gives it. */
export function logText(message: unknown): string {
  return message instanceof Error ? errorStackWithCause(message) : String(message);
}

/** A non-error entry as DBOS hands it to a custom logger: a string as is, anything else as JSON text. */
export function entryText(message: unknown): string {
  if (typeof message === 'string') return message;
  try {
    return JSON.stringify(message) ?? String(message);
  } catch {
    return String(message); // a cycle or a BigInt: still a line, never a throw from logging
  }
}

/** An error entry as DBOS hands it to a custom logger: the message, with `stack` (causes included) and the `error` itself. */
export function errorEntry(entry: unknown): { text: string; metadata: Record<string, unknown> } {
  if (entry instanceof Error) return { text: entry.message, metadata: { stack: errorStackWithCause(entry), error: entry } };
  return { text: entryText(entry), metadata: { stack: new Error().stack } };
}

const sinks: Record<RecordLevel, (...args: unknown[]) => void> = {
  debug: (...args) => console.debug(...args),
  info: (...args) => console.info(...args),
  warn: (...args) => console.warn(...args),
  error: (...args) => console.error(...args),
};

/**
 * The built-in logger: one console line per record, `[durably] info: text`,
 * with a compact context tag (`[durably] info [workflow w1 step s#2]: text`)
 * when written with one, and the record's metadata when it has any.
 */
export class ConsoleLogger implements DLogger {
  constructor(readonly level: LogLevel = 'info') {}

  write(at: RecordLevel, message: unknown, metadata?: object, tag?: string): void {
    if (!levelEnabled(at, this.level)) return;
    const line = `[durably] ${at}${tag ? ` [${tag}]` : ''}: ${logText(message)}`;
    // The sink is looked up at each call, so a test (or the application) that replaces console.x is honoured.
    if (metadata && Object.keys(metadata).length > 0) sinks[at](line, metadata);
    else sinks[at](line);
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

export function consoleLogger(level: LogLevel = 'info'): ConsoleLogger {
  return new ConsoleLogger(level);
}
