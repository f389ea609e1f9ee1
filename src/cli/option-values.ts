/**
 * Reading option values, each checked before anything touches the database:
 * a bad value is a usage error (exit 2) naming the option and the value.
 */
import { DBOSCommandUsageError } from '../errors/errors.ts';
import type { OptionValues } from './command.ts';

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw new DBOSCommandUsageError(`--${name} needs a non-empty value.`);
  return value;
}

/** A repeatable option, each occurrence possibly a comma-separated list: --status ERROR,CANCELLED --status PENDING. */
export function listOption(values: OptionValues, name: string): string[] | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  const items = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(',')).map((item) => item.trim());
  if (items.some((item) => item === '')) throw new DBOSCommandUsageError(`--${name} has an empty value.`);
  return items;
}

export function integerOption(values: OptionValues, name: string, min: number): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min) {
    throw new DBOSCommandUsageError(`--${name} must be an integer >= ${min}, got "${text}".`);
  }
  return value;
}

/** A time: ISO 8601 ("2026-01-31T12:00:00Z") or epoch milliseconds; returned in epoch milliseconds. */
export function timeOption(values: OptionValues, name: string): number | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  const epochMs = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(epochMs)) {
    throw new DBOSCommandUsageError(`--${name} must be an ISO 8601 time (2026-01-31T12:00:00Z) or epoch milliseconds, got "${text}".`);
  }
  return epochMs;
}

/** Values from a fixed set, case-insensitive, returned as the set spells them. */
export function choiceListOption(values: OptionValues, name: string, choices: readonly string[]): string[] | undefined {
  const items = listOption(values, name);
  return items?.map((item) => {
    const found = choices.find((choice) => choice.toLowerCase() === item.toLowerCase());
    if (!found) throw new DBOSCommandUsageError(`--${name} must be one of ${choices.join(', ')}, got "${item}".`);
    return found;
  });
}

/** A JSON object (`--attributes '{"tenant":"acme"}'`), checked here so a typo is a usage error, not a database one. */
export function jsonObjectOption(values: OptionValues, name: string): Record<string, unknown> | undefined {
  const text = stringOption(values, name);
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DBOSCommandUsageError(`--${name} must be a JSON object, got "${text}".`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DBOSCommandUsageError(`--${name} must be a JSON object, got "${text}".`);
  }
  return value as Record<string, unknown>;
}
