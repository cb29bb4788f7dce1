/**
 * Rows → mail: what `writeTable` sends. Arrow values become plain text (big integers as digits,
 * dates as ISO 8601, bytes as base64, nested values as JSON), a summary shows the first rows as
 * aligned text, and the whole result travels as an RFC 4180 CSV attachment. The text of a cell
 * is core's `cellText`, shared with the other notifiers.
 */
import { cellText } from '@sparkle/core';

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

/** A table name as a safe attachment file name. */
export function fileNameOf(table: string, extension: string): string {
  return `${table.replace(/[^\w.-]+/g, '_').replace(/^\.+/, '') || 'rows'}.${extension}`;
}
