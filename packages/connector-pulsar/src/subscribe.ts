/**
 * Unbounded consumption over the WebSocket consumer endpoint. A delivery is acknowledged only by
 * its `ack()` (at-least-once); `nack()` asks the broker to redeliver it after the configured
 * delay (and, with a dead-letter policy, to move it to the dead-letter topic after
 * `maxRedeliverCount` tries). Leaving the loop or aborting closes the socket: the broker then
 * redelivers every unacknowledged message to the subscription's next consumer.
 *
 * An `ack()` after the loop ended travels on a short-lived socket of the message's partition
 * that takes no messages (`pullMode`, zero receiver queue), so processing may finish after the
 * subscription closed and still commit.
 */
import type { StreamDelivery } from '@sparkle/core';
import { decodeMessageId } from './message-id.js';
import { messageOf } from './messages.js';
import type { MessageFrame, PulsarSocket } from './socket.js';

/** Settings of one subscription. */
export interface SubscriptionSettings {
  topic: string;
  /** Deliveries not yet acknowledged before the loop waits for an ack. */
  maxUnacked: number;
  signal?: AbortSignal;
  /** Sends one ack frame for a message of `partition` (-1: non-partitioned) after the socket closed. */
  ackLater: (partition: number, frame: Record<string, unknown>) => Promise<void>;
  /** Types an ack or nack failure (a lost socket, a refused handshake). */
  fail: (error: unknown) => unknown;
}

/** Deliveries of an open consumer socket until the caller leaves or `signal` fires. */
export async function* consumeSocket(socket: PulsarSocket, settings: SubscriptionSettings): AsyncGenerator<StreamDelivery> {
  let unacked = 0;
  let wake: (() => void) | undefined;
  let live = true;
  const settle = () => {
    unacked--;
    const w = wake;
    wake = undefined;
    w?.();
  };
  try {
    for (;;) {
      while (unacked >= settings.maxUnacked) {
        settings.signal?.throwIfAborted();
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => reject(settings.signal?.reason);
          wake = () => {
            settings.signal?.removeEventListener('abort', onAbort);
            resolve();
          };
          settings.signal?.addEventListener('abort', onAbort, { once: true });
        });
      }
      const frame = await socket.next<MessageFrame>(settings.signal ? { signal: settings.signal } : {});
      if (!frame?.messageId) continue;
      const id = decodeMessageId(frame.messageId);
      const message = messageOf(frame, settings.topic, id);
      let settled = false;
      unacked++;
      const delivery: StreamDelivery = {
        ...message,
        async ack() {
          if (settled) return;
          settled = true;
          settle();
          const ack = { messageId: frame.messageId };
          try {
            if (live && socket.open) await socket.send(ack);
            else await settings.ackLater(id.partition, ack);
          } catch (error) {
            throw settings.fail(error);
          }
        },
        async nack() {
          if (settled) return;
          settled = true;
          settle();
          // After the socket closed the broker redelivers it anyway.
          if (live && socket.open) await socket.send({ type: 'negativeAcknowledge', messageId: frame.messageId }).catch((error: unknown) => {
            throw settings.fail(error);
          });
        },
      };
      yield delivery;
    }
  } finally {
    live = false;
    await socket.close();
  }
}
