/**
 * How a bounded stream read turns message keys and values into columns: raw bytes (Spark's Kafka
 * layout, the default), UTF-8 text, or JSON text that must parse. A value that does not decode
 * either fails the read (naming topic, partition and position) or, when the caller asks for it,
 * goes to an error column (`value_error` / `key_error`) with the payload left null — never
 * silently dropped. Read options: `keyFormat`, `valueFormat` (`binary` | `utf8` | `json`) and
 * `onInvalidPayload` (`fail` | `errorColumn`).
 */
import type { ColumnSpec } from '../engine.js';
import { InvalidArgumentError } from '../errors.js';

export type PayloadFormat = 'binary' | 'utf8' | 'json';

/** The payload decoding a read asked for. */
export interface PayloadFormats {
  key: PayloadFormat;
  value: PayloadFormat;
  onInvalid: 'fail' | 'errorColumn';
}

const FORMATS: readonly PayloadFormat[] = ['binary', 'utf8', 'json'];

/**
 * Reads `keyFormat`, `valueFormat` and `onInvalidPayload` from read options.
 * @example
 * ```ts
 * payloadFormatsOf({ valueFormat: 'json', onInvalidPayload: 'errorColumn' }); // { key: 'binary', value: 'json', onInvalid: 'errorColumn' }
 * ```
 */
export function payloadFormatsOf(options: Record<string, string> = {}): PayloadFormats {
  const format = (name: 'keyFormat' | 'valueFormat'): PayloadFormat => {
    const given = options[name];
    if (given === undefined || given === '') return 'binary';
    if (!FORMATS.includes(given as PayloadFormat)) throw new InvalidArgumentError(`${name} must be one of ${FORMATS.join(', ')}; got '${given}'`);
    return given as PayloadFormat;
  };
  const onInvalid = options.onInvalidPayload ?? 'fail';
  if (onInvalid !== 'fail' && onInvalid !== 'errorColumn') throw new InvalidArgumentError(`onInvalidPayload must be 'fail' or 'errorColumn'; got '${onInvalid}'`);
  return { key: format('keyFormat'), value: format('valueFormat'), onInvalid };
}

/** Whether the formats change anything (the default reads raw bytes). */
export function decodesPayloads(formats: PayloadFormats): boolean {
  return formats.key !== 'binary' || formats.value !== 'binary';
}

/** The read's columns with `key`/`value` as text where decoded, plus error columns when asked for. */
export function payloadColumns(columns: ColumnSpec[], formats: PayloadFormats): ColumnSpec[] {
  const out: ColumnSpec[] = [];
  for (const column of columns) {
    const format = column.name === 'key' ? formats.key : column.name === 'value' ? formats.value : 'binary';
    if (format === 'binary') {
      out.push(column);
      continue;
    }
    out.push({ ...column, type: 'utf8' });
    if (formats.onInvalid === 'errorColumn') out.push({ name: `${column.name}_error`, type: 'utf8' });
  }
  return out;
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a row's `key` and `value` in place. `where` names the message in errors
 * (`topic orders partition 1 offset 42`).
 */
export function decodePayloads(row: Record<string, unknown>, formats: PayloadFormats, where: () => string): void {
  for (const field of ['key', 'value'] as const) {
    const format = formats[field];
    if (format === 'binary' || !(field in row)) continue;
    const bytes = row[field] as Uint8Array | null | undefined;
    if (formats.onInvalid === 'errorColumn') row[`${field}_error`] = null;
    if (bytes === null || bytes === undefined) {
      row[field] = null;
      continue;
    }
    try {
      const text = strict.decode(bytes);
      if (format === 'json') JSON.parse(text);
      row[field] = text;
    } catch (cause) {
      const problem = format === 'json' && cause instanceof SyntaxError ? `is not valid JSON (${cause.message})` : 'is not valid UTF-8';
      if (formats.onInvalid === 'errorColumn') {
        row[field] = null;
        row[`${field}_error`] = `${field} ${problem}`;
      } else {
        throw new InvalidArgumentError(`The ${field} of ${where()} ${problem}. Read it as ${format === 'json' ? "valueFormat 'utf8' or 'binary'" : "'binary'"}, or set onInvalidPayload 'errorColumn' to keep such messages with the error beside them`, {
          cause,
          details: { invalidPayload: field },
        });
      }
    }
  }
}
