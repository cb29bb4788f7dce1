/**
 * Bounded reads over the WebSocket reader endpoint, one partition at a time: a reader starts at
 * `earliest` or just before a message id, and the read stops at an end position (exclusive) or
 * at the partition's last message id as the admin API reported it when the read was planned —
 * "until caught up" — whichever comes first. Each frame is acknowledged after it was handed on
 * (the reader endpoint's flow control: the broker pushes at most `receiverQueueSize` ahead).
 */
import { TimeoutError, type StreamMessage } from '@sparkle/core';
import { compareMessageIds, decodeMessageId, encodeMessageId, justBefore, type MessageId } from './message-id.js';
import { messageOf } from './messages.js';
import type { MessageFrame, PulsarSocket } from './socket.js';

/** The plan of one partition's read. */
export interface PartitionRead {
  /** The name rows carry in `topic`. */
  topic: string;
  /** `'earliest'` or the first message to deliver. */
  start: 'earliest' | MessageId;
  /** First position NOT delivered, if any. */
  end?: MessageId;
  /** The partition's last message now (ledgerId, entryId); entryId < 0: nothing to read. */
  last: MessageId;
}

/** The reader's `messageId` query value for a start. */
export function readerStart(start: PartitionRead['start']): string {
  return start === 'earliest' ? 'earliest' : encodeMessageId(justBefore(start));
}

/** Whether a plan can deliver anything at all (so no socket is opened for an empty range). */
export function hasMessages(plan: PartitionRead): boolean {
  if (plan.last.entryId < 0n) return false;
  if (plan.start !== 'earliest' && compareMessageIds(plan.start, plan.last) > 0) return false;
  if (plan.end && plan.start !== 'earliest' && compareMessageIds(plan.start, plan.end) >= 0) return false;
  return true;
}

/** Reads one partition's range from an open reader socket (closed when done). */
export async function* readPartition(
  socket: PulsarSocket,
  plan: PartitionRead,
  options: { idleTimeoutMs: number; maxMessages?: number; signal?: AbortSignal; describe: string },
): AsyncGenerator<StreamMessage> {
  let delivered = 0;
  try {
    for (;;) {
      if (options.maxMessages !== undefined && delivered >= options.maxMessages) return;
      const frame = await socket.next<MessageFrame>({ idleMs: options.idleTimeoutMs, ...(options.signal ? { signal: options.signal } : {}) });
      if (frame === undefined) {
        throw new TimeoutError(
          `reading ${options.describe}: no message for ${options.idleTimeoutMs} ms although the partition's last message is ${plan.last.ledgerId}:${plan.last.entryId} (retention may have deleted the rest, or the broker stalled). Raise consumer.idleTimeoutMs, or read from a later position`,
          { connector: 'pulsar', retryable: true },
        );
      }
      if (!frame.messageId) continue;
      const id = decodeMessageId(frame.messageId);
      if (plan.end && compareMessageIds(id, plan.end) >= 0) return;
      const beyondLast = compareMessageIds({ ...id, batchIndex: -1 }, { ...plan.last, batchIndex: -1 }) > 0;
      if (beyondLast) return;
      yield messageOf(frame, plan.topic, id);
      delivered++;
      await socket.send({ messageId: frame.messageId });
      // The last entry reached (every message of a batch shares it): caught up, unless more of its batch follow.
      if (id.ledgerId === plan.last.ledgerId && id.entryId === plan.last.entryId && (id.batchIndex < 0 || id.batchIndex >= plan.last.batchIndex)) return;
    }
  } finally {
    await socket.close();
  }
}
