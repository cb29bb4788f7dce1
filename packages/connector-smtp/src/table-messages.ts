/**
 * Rows → mail: what `writeTable` sends. Arrow values become plain text (big integers as digits,
 * dates as ISO 8601, bytes as base64, nested values as JSON), a summary shows the first rows as
 * aligned text, and the whole result travels as an RFC 4180 CSV attachment.
 */

/** A cell as text. */
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

/** One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180). */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The rows as CSV with a header line, CRLF line ends. */
export function rowsToCsv(columns: readonly string[], rows: ReadonlyArray<Record<string, unknown>>): string {
  const lines = [columns.map(csvField).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(cellText(row[c]))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** The first rows as an aligned plain-text table (for the body of a summary). */
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

/** A table name as a safe attachment file name. */
export function fileNameOf(table: string, extension: string): string {
  return `${table.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'rows'}.${extension}`;
}
