/**
 * What the CLI prints: a readable table (or key: value lines) by default,
 * JSON with --json. Data goes to stdout; messages about failures go to
 * stderr, so `durably ... --json | jq` sees only data.
 */

/** JSON text for values the library returns: errors as {name, message, code?}, bigints as strings, Dates as ISO. */
export function jsonText(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, item: unknown) => {
      if (item instanceof Error) {
        const code = (item as { code?: unknown }).code;
        return { name: item.name, message: item.message, ...(typeof code === 'string' ? { code } : {}) };
      }
      if (typeof item === 'bigint') return item.toString();
      return item;
    },
    indent,
  );
}

/** A time for people: ISO 8601 in UTC, or '' when there is none. */
export function timeText(epochMs: number | null | undefined): string {
  return epochMs === null || epochMs === undefined || !Number.isFinite(epochMs) ? '' : new Date(epochMs).toISOString();
}

/** A value in a table cell: short, one line. */
export function cellText(value: unknown, width = 40): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : (jsonText(value) ?? String(value));
  const line = text.replace(/\s+/g, ' ');
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** Columns padded to their widest cell, headers first; an empty list says so. */
export function tableText(headers: readonly string[], rows: readonly (readonly string[])[], empty = '(none)'): string {
  if (rows.length === 0) return `${empty}\n`;
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  return `${[line(headers), ...rows.map(line)].join('\n')}\n`;
}

/** `key: value` lines, keys aligned, for one record; undefined values are left out. */
export function recordText(entries: readonly (readonly [string, unknown])[]): string {
  const shown = entries.filter(([, value]) => value !== undefined);
  const width = Math.max(...shown.map(([key]) => key.length));
  return `${shown.map(([key, value]) => `${`${key}:`.padEnd(width + 1)} ${cellText(value, 200)}`).join('\n')}\n`;
}

/** Where a command writes. */
export interface CliOutput {
  readonly json: boolean;
  /** Print a result: `value` as JSON with --json, else the text `text()` makes. */
  result(value: unknown, text: () => string): void;
}

export function cliOutput(json: boolean, write: (text: string) => void): CliOutput {
  return {
    json,
    result: (value, text) => write(json ? `${jsonText(value, 2)}\n` : text()),
  };
}
