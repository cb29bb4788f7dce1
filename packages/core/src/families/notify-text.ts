/**
 * Rows as text, for notifiers whose `writeTable` sends a table as messages (Slack, e-mail):
 * Arrow values become plain text (big integers as digits, dates as ISO 8601, bytes as base64,
 * nested values as JSON), a summary shows the first rows as an aligned table, and row mode
 * sends one `column: value` message per row.
 */

/**
 * A cell as text.
 * @example
 * ```ts
 * cellText(12345678901234567890n); // '12345678901234567890'
 * cellText(new Date(0));           // '1970-01-01T00:00:00.000Z'
 * ```
 */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'object') {
    const json = (value as { toJSON?: () => unknown }).toJSON?.() ?? value;
    return JSON.stringify(json, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  }
  return String(value);
}

/** The first rows as an aligned plain-text table (the body of a summary); cells cut at 60 characters. */
export function previewTable(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const cells = rows.map((r) => columns.map((c) => cellText(r[c]).replace(/\s+/g, ' ').slice(0, 60)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (values: readonly string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** One row as `column: value` lines (the body of a row-mode message). */
export function recordText(columns: readonly string[], row: Record<string, unknown>): string {
  return columns.map((c) => `${c}: ${cellText(row[c])}`).join('\n');
}
