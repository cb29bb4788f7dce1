/**
 * Fetched kafkajs messages straight into Arrow record batches of a bounded read's schema (Spark's
 * Kafka layout, see core's `streamColumns`): one column builder per selected column, appended
 * per message — no message object, no row object in between. Keys and values are decoded with
 * core's `decodePayloads` when the read asked for `keyFormat`/`valueFormat` other than binary,
 * so errors and error columns read exactly as in every other stream connector.
 */
import { decodePayloads, decodesPayloads, type PayloadFormats } from '@sparkle/core';
import { batchFromBuilders, columnBuilder, type ColumnBuilder } from '@sparkle/engine-local';
import type { KafkaMessage } from 'kafkajs';
import type { PartitionChunk } from './shared-range.js';

type ArrowSchema = Parameters<typeof batchFromBuilders>[0];
export type ArrowBatch = ReturnType<typeof batchFromBuilders>;

const encoder = new TextEncoder();
const NO_HEADERS: ReadonlyArray<{ key: string; value: Uint8Array }> = [];

const bytes = (b: Buffer | null | undefined): Uint8Array | null => (b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : null);

/** A message's headers as Spark's list of `{ key, value }` (a header given as a list keeps its last value; strings as UTF-8). */
export function headerEntries(m: KafkaMessage): ReadonlyArray<{ key: string; value: Uint8Array }> {
  const headers = m.headers;
  if (!headers) return NO_HEADERS;
  let out: Array<{ key: string; value: Uint8Array }> | undefined;
  for (const key in headers) {
    const given = headers[key];
    const last = Array.isArray(given) ? given.at(-1) : given;
    if (last === undefined) continue;
    (out ??= []).push({ key, value: typeof last === 'string' ? encoder.encode(last) : bytes(last)! });
  }
  return out ?? NO_HEADERS;
}

/** What one message puts into one column. */
type Appender = (builder: ColumnBuilder, m: KafkaMessage, partition: number, decoded: Record<string, unknown> | undefined) => void;

/**
 * Record batches of `schema` (at most `batchSize` rows each; at least one, empty when the range
 * was) from the chunks of a {@link SharedRangeReader}, stopping after `maxMessages` rows when set.
 * @example
 * ```ts
 * for await (const batch of chunksToBatches(reader.chunks([0]), { schema, topic: 'orders', formats, batchSize: 10_000 })) console.log(batch.numRows);
 * ```
 */
export async function* chunksToBatches(
  chunks: AsyncIterable<PartitionChunk>,
  options: { schema: ArrowSchema; topic: string; formats: PayloadFormats; batchSize: number; maxMessages?: number },
): AsyncGenerator<ArrowBatch> {
  const { schema, topic, formats } = options;
  const decode = decodesPayloads(formats);
  const fields = schema.fields;
  const builders = fields.map((f) => columnBuilder(f));
  const topicBytes = encoder.encode(topic);
  const appenders: Appender[] = fields.map((f): Appender => {
    switch (f.name) {
      case 'key':
        // A Buffer is a Uint8Array: the builder copies its bytes as they are (no view per message).
        return decode ? (b, _m, _p, d) => b.append(d!.key) : (b, m) => b.append(m.key);
      case 'value':
        return decode ? (b, _m, _p, d) => b.append(d!.value) : (b, m) => b.append(m.value);
      case 'key_error':
      case 'value_error':
        return (b, _m, _p, d) => b.append(d?.[f.name] ?? null);
      case 'topic':
        // The same text in every row: encoded once (the builder takes UTF-8 bytes as they are).
        return (b) => b.append(topicBytes);
      case 'partition':
        return (b, _m, p) => b.append(p);
      case 'offset':
        return (b, m) => b.append(BigInt(m.offset));
      case 'timestamp':
        return (b, m) => b.append(Number(m.timestamp));
      case 'headers':
        return (b, m) => b.append(headerEntries(m));
      default:
        // A column Kafka does not fill (no extra columns today): null, as the family base does.
        return (b) => b.append(null);
    }
  });
  const limit = options.maxMessages ?? Infinity;
  let rows = 0;
  let pending = 0;
  let emitted = false;
  const n = fields.length;
  for await (const { partition, messages } of chunks) {
    for (const m of messages) {
      let decoded: Record<string, unknown> | undefined;
      if (decode) {
        decoded = { key: bytes(m.key), value: bytes(m.value) };
        decodePayloads(decoded, formats, () => `topic ${topic} partition ${partition} position ${m.offset}`);
      }
      for (let i = 0; i < n; i++) appenders[i]!(builders[i]!, m, partition, decoded);
      rows++;
      if (++pending >= options.batchSize) {
        yield batchFromBuilders(schema, builders, pending);
        emitted = true;
        pending = 0;
      }
      if (rows >= limit) break;
    }
    if (rows >= limit) break;
  }
  if (pending > 0 || !emitted) yield batchFromBuilders(schema, builders, pending);
}
