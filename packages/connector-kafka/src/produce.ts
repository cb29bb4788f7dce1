/**
 * Producing records with kafkajs: batches cut by count and bytes, one request in flight while the
 * next batch fills (so memory stays near two batches whatever the input size, and order per
 * partition is kept), optionally inside one Kafka transaction.
 */
import { payloadBytes, type ProducerRecord, type ProduceResult, type PartitionPosition } from '@sparkle/core';
import type { CompressionTypes, Message, Producer, RecordMetadata } from 'kafkajs';

/** What one batch is sent with: a producer or an open transaction. */
export interface BatchSender {
  send(record: { topic: string; messages: Message[]; acks?: number; compression?: CompressionTypes }): Promise<RecordMetadata[]>;
}

export interface ProduceSettings {
  batchSize: number;
  maxInFlightBytes: number;
  acks: number;
  compression: CompressionTypes;
  signal?: AbortSignal;
  onProgress?: (messages: number, bytes: number) => void;
  /** Checks a record before it is batched; returns a promise only when it has to look something up. */
  check?: (record: ProducerRecord, index: number) => Promise<void> | undefined;
  /** Turns a send failure into the typed error to throw. */
  fail: (error: unknown) => Error;
}

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

/** One record as a kafkajs message, and its size on the wire (key + value + headers). */
export function toKafkaMessage(record: ProducerRecord, index: number): { message: Message; bytes: number } {
  const key = payloadBytes(record.key);
  const value = payloadBytes(record.value);
  let bytes = (key?.byteLength ?? 0) + (value?.byteLength ?? 0);
  const message: Message = { key: key ? asBuffer(key) : null, value: value ? asBuffer(value) : null };
  if (record.headers) {
    const headers: Record<string, Buffer> = {};
    for (const [name, v] of Object.entries(record.headers)) {
      const b = payloadBytes(v)!;
      headers[name] = asBuffer(b);
      bytes += name.length + b.byteLength;
    }
    message.headers = headers;
  }
  if (record.partition !== undefined) {
    const partition = Number(record.partition);
    if (!Number.isInteger(partition) || partition < 0) throw new RangeError(`record ${index}: partition must be a non-negative integer; got '${record.partition}'`);
    message.partition = partition;
  }
  if (record.timestamp) message.timestamp = String(record.timestamp.getTime());
  return { message, bytes };
}

/**
 * Sends every record, in order, through `sender`; resolves when the broker acknowledged all.
 * Positions are reported per partition for batches whose records all named their partition
 * (kafkajs reports a base offset per partition, not where each keyed record landed).
 */
export async function produceBatches(
  sender: BatchSender,
  topic: string,
  records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>,
  settings: ProduceSettings,
): Promise<ProduceResult> {
  const batchBytesLimit = Math.max(1, Math.floor(settings.maxInFlightBytes / 2));
  const positions: Record<string, PartitionPosition> = {};
  let acked = 0;
  let ackedBytes = 0;
  let index = 0;
  let batch: Message[] = [];
  let batchBytes = 0;
  let inFlight: Promise<void> = Promise.resolve();
  let failure: { error: unknown } | undefined;

  const send = (messages: Message[], bytes: number) => {
    const explicit = messages.every((m) => m.partition !== undefined);
    return sender.send({ topic, messages, acks: settings.acks, compression: settings.compression }).then(
      (metadata) => {
        acked += messages.length;
        ackedBytes += bytes;
        if (explicit) {
          const counts = new Map<number, number>();
          for (const m of messages) counts.set(m.partition!, (counts.get(m.partition!) ?? 0) + 1);
          for (const meta of metadata) {
            const n = counts.get(meta.partition);
            if (n !== undefined && meta.baseOffset !== undefined) positions[String(meta.partition)] = String(BigInt(meta.baseOffset) + BigInt(n - 1));
          }
        }
        settings.onProgress?.(acked, ackedBytes);
      },
      (error: unknown) => {
        failure ??= { error };
      },
    );
  };

  const flush = async () => {
    // One request in flight: wait for the previous one before sending the next (order per partition, bounded memory).
    await inFlight;
    if (failure) throw settings.fail(failure.error);
    if (batch.length === 0) return;
    inFlight = send(batch, batchBytes);
    batch = [];
    batchBytes = 0;
  };

  const add = (record: ProducerRecord) => {
    const { message, bytes } = toKafkaMessage(record, index++);
    batch.push(message);
    batchBytes += bytes;
    return batch.length >= settings.batchSize || batchBytes >= batchBytesLimit ? flush() : undefined;
  };
  /** Batches one record: a promise only when it had to wait (a check's look-up, a full batch). */
  const accept = (record: ProducerRecord): Promise<void> | undefined => {
    settings.signal?.throwIfAborted();
    const checking = settings.check?.(record, index);
    return checking ? checking.then(() => add(record)) : add(record);
  };
  if (isSyncIterable(records)) {
    // A plain loop: `for await` over a sync source would cost a promise per record.
    for (const record of records) {
      if (failure) break;
      const waiting = accept(record);
      if (waiting) await waiting;
    }
  } else {
    for await (const record of records) {
      if (failure) break;
      const waiting = accept(record);
      if (waiting) await waiting;
    }
  }
  await flush();
  await inFlight;
  if (failure) throw settings.fail(failure.error);
  return { messages: acked, bytes: ackedBytes, positions };
}

function isSyncIterable<T>(source: Iterable<T> | AsyncIterable<T>): source is Iterable<T> {
  return typeof (source as Iterable<T>)[Symbol.iterator] === 'function' && typeof (source as AsyncIterable<T>)[Symbol.asyncIterator] !== 'function';
}

/** Closes a producer, ignoring a failure (it is being thrown away). */
export async function disconnectQuietly(producer: Producer | undefined): Promise<void> {
  try {
    await producer?.disconnect();
  } catch {
    // The producer is being discarded.
  }
}
