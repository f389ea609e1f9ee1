/**
 * The library logger: a few lines a minute at most, so a tiny console logger
 * with a level filter; users may pass any pino/winston-like object instead.
 */

export interface DLogger {
  debug(message: unknown, metadata?: object): void;
  info(message: unknown, metadata?: object): void;
  warn(message: unknown, metadata?: object): void;
  error(message: unknown, metadata?: object): void;
}

const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof levels)[number];

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

export function consoleLogger(level: LogLevel = 'info'): DLogger {
  const threshold = levels.indexOf(level);
  const write = (at: LogLevel, sink: (...args: unknown[]) => void) => (message: unknown, metadata?: object) => {
    if (levels.indexOf(at) < threshold) return;
    const text = message instanceof Error ? (message.stack ?? message.message) : String(message);
    if (metadata && Object.keys(metadata).length > 0) sink(`[durably] ${at}: ${text}`, metadata);
    else sink(`[durably] ${at}: ${text}`);
  };
  return {
    debug: write('debug', console.debug),
    info: write('info', console.info),
    warn: write('warn', console.warn),
    error: write('error', console.error),
  };
}
