/**
 * Producing over the WebSocket producer endpoint: one socket per target (the topic, or one of its
 * partitions when records name one), every message a JSON frame with a context number the broker
 * echoes in its receipt. Memory stays bounded: at most `maxPendingMessages` sends and
 * `maxInFlightBytes` payload bytes wait for receipts before the next record is read.
 */
import { payloadBytes, type ProduceResult, type ProducerRecord, type StreamPayload } from '@sparkle/core';
import { SendFailed } from './errors.js';
import { decodeMessageId, positionText } from './message-id.js';
import type { PulsarSocket } from './socket.js';

/** Settings of one `produce` call. */
export interface ProduceSettings {
  maxPendingMessages: number;
  maxInFlightBytes: number;
  /** The socket of a target partition (-1: the topic itself, routed by the broker's client). */
  open: (partition: number) => Promise<PulsarSocket>;
  /** The partition a record goes to (-1: let the broker route it); throws for an invalid one. */
  targetOf: (record: ProducerRecord, index: number) => number;
  signal?: AbortSignal;
  onProgress?: (messages: number, bytes: number) => void;
}

interface Receipt {
  result: string;
  messageId?: string;
  context?: string;
  errorMsg?: string;
}

const decoder = new TextDecoder();
const text = (value: StreamPayload) => (typeof value === 'string' ? value : decoder.decode(value));

/** The producer frame of one record: base64 payload, key, properties (UTF-8 text), event time. */
export function producerFrame(record: ProducerRecord, context: string): { frame: Record<string, unknown>; bytes: number } {
  const payload = payloadBytes(record.value) ?? new Uint8Array(0);
  const frame: Record<string, unknown> = { payload: Buffer.from(payload).toString('base64'), context };
  if (record.key !== null && record.key !== undefined) frame.key = text(record.key);
  if (record.headers && Object.keys(record.headers).length) frame.properties = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, text(v)]));
  // The WebSocket API parses eventTime as an ISO-8601 instant.
  if (record.timestamp) frame.eventTime = record.timestamp.toISOString();
  return { frame, bytes: payload.byteLength };
}

/**
 * Sends every record and resolves when the broker acknowledged each one; the first refused send
 * or lost socket stops the call (the error is thrown raw; the connection types it).
 */
export async function produceRecords(records: Iterable<ProducerRecord> | AsyncIterable<ProducerRecord>, settings: ProduceSettings): Promise<ProduceResult> {
  const sockets = new Map<number, Promise<PulsarSocket>>();
  const pending = new Map<string, { bytes: number; resolve: () => void }>();
  const positions: Record<string, string> = {};
  let failure: unknown;
  let inFlightBytes = 0;
  let acked = 0;
  let ackedBytes = 0;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const fail = (error: unknown) => {
    failure ??= error;
    notify();
  };
  let closing = false;
  const pump = async (socket: PulsarSocket) => {
    try {
      for (;;) {
        const receipt = await socket.next<Receipt>();
        if (!receipt || receipt.context === undefined) continue;
        const entry = pending.get(receipt.context);
        if (!entry) continue;
        pending.delete(receipt.context);
        inFlightBytes -= entry.bytes;
        if (receipt.result !== 'ok') {
          fail(new SendFailed(receipt.result, receipt.errorMsg ?? ''));
          continue;
        }
        if (receipt.messageId) {
          const id = decodeMessageId(receipt.messageId);
          positions[String(Math.max(0, id.partition))] = positionText(id);
        }
        acked++;
        ackedBytes += entry.bytes;
        settings.onProgress?.(acked, ackedBytes);
        notify();
      }
    } catch (error) {
      // A socket closed while sends still waited for receipts loses them: the call fails.
      if (pending.size > 0 || !closing) fail(error);
    }
  };
  const socketFor = (partition: number) => {
    let socket = sockets.get(partition);
    if (!socket) {
      socket = settings.open(partition);
      sockets.set(partition, socket);
      socket.then((s) => void pump(s), () => undefined);
    }
    return socket;
  };
  const waitFor = async (done: () => boolean) => {
    while (!done() && failure === undefined) {
      settings.signal?.throwIfAborted();
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        wake = () => {
          settings.signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        settings.signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    if (failure !== undefined) throw failure;
  };
  let index = 0;
  let sentBytes = 0;
  try {
    for await (const record of records as AsyncIterable<ProducerRecord>) {
      settings.signal?.throwIfAborted();
      if (failure !== undefined) throw failure;
      const partition = settings.targetOf(record, index);
      const context = String(index++);
      const { frame, bytes } = producerFrame(record, context);
      await waitFor(() => pending.size < settings.maxPendingMessages && (pending.size === 0 || inFlightBytes + bytes <= settings.maxInFlightBytes));
      const socket = await socketFor(partition);
      pending.set(context, { bytes, resolve: () => undefined });
      inFlightBytes += bytes;
      sentBytes += bytes;
      await socket.send(frame);
    }
    await waitFor(() => pending.size === 0);
    return { messages: index, bytes: sentBytes, positions };
  } finally {
    closing = true;
    for (const socket of sockets.values()) await (await socket.catch(() => undefined))?.close();
  }
}
