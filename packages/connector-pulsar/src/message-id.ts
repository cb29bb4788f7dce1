/**
 * Pulsar message ids. The WebSocket API carries them as base64 of the `MessageIdData` protobuf
 * message (field 1 ledgerId uint64, 2 entryId uint64, 3 partition int32, 4 batch_index int32 —
 * facts of Pulsar's PulsarApi.proto); Sparkle shows them as text, `ledgerId:entryId` (plus
 * `:batchIndex` for a message of a broker-side batch), which orders like the broker does.
 * The protobuf codec is protobufjs' Reader/Writer.
 */
import protobuf from 'protobufjs/minimal.js';
import { InvalidArgumentError } from '@sparkle/core';

/** A message id; `partition` -1 for a non-partitioned topic, `batchIndex` -1 outside a batch. */
export interface MessageId {
  ledgerId: bigint;
  entryId: bigint;
  partition: number;
  batchIndex: number;
}

const U64 = (1n << 64n) - 1n;

/** Decodes the WebSocket API's base64 message id. */
export function decodeMessageId(base64: string): MessageId {
  const reader = protobuf.Reader.create(Buffer.from(base64, 'base64'));
  const id: MessageId = { ledgerId: -1n, entryId: -1n, partition: -1, batchIndex: -1 };
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    switch (tag >>> 3) {
      case 1:
        id.ledgerId = BigInt.asIntN(64, BigInt(reader.uint64().toString()));
        break;
      case 2:
        id.entryId = BigInt.asIntN(64, BigInt(reader.uint64().toString()));
        break;
      case 3:
        id.partition = reader.int32();
        break;
      case 4:
        id.batchIndex = reader.int32();
        break;
      default:
        reader.skipType(tag & 7);
    }
  }
  return id;
}

/** Encodes a message id as the WebSocket API's base64 (`messageId` of a reader, an ack). */
export function encodeMessageId(id: MessageId): string {
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 0).uint64(String(BigInt.asUintN(64, id.ledgerId) & U64));
  writer.uint32((2 << 3) | 0).uint64(String(BigInt.asUintN(64, id.entryId) & U64));
  if (id.partition >= 0) writer.uint32((3 << 3) | 0).int32(id.partition);
  if (id.batchIndex >= 0) writer.uint32((4 << 3) | 0).int32(id.batchIndex);
  return Buffer.from(writer.finish()).toString('base64');
}

/** `ledgerId:entryId[:batchIndex]`: the `position` of a Pulsar message. */
export function positionText(id: MessageId): string {
  return id.batchIndex >= 0 ? `${id.ledgerId}:${id.entryId}:${id.batchIndex}` : `${id.ledgerId}:${id.entryId}`;
}

const POSITION = /^(\d+):(-?\d+)(?::(\d+))?$/;

/** Reads a position written by {@link positionText}. */
export function parsePosition(text: string, partition: number): MessageId {
  const match = POSITION.exec(text.trim());
  if (!match) throw new InvalidArgumentError(`'${text}' is not a Pulsar position: write ledgerId:entryId (or ledgerId:entryId:batchIndex), as the position column shows`, { connector: 'pulsar' });
  return { ledgerId: BigInt(match[1]!), entryId: BigInt(match[2]!), partition, batchIndex: match[3] === undefined ? -1 : Number(match[3]) };
}

/** Orders message ids of one partition the way the broker does: ledger, entry, then batch index. */
export function compareMessageIds(a: MessageId, b: MessageId): number {
  if (a.ledgerId !== b.ledgerId) return a.ledgerId < b.ledgerId ? -1 : 1;
  if (a.entryId !== b.entryId) return a.entryId < b.entryId ? -1 : 1;
  return a.batchIndex - b.batchIndex;
}

/** Orders two position texts of one partition. */
export function comparePositions(a: string, b: string): number {
  return compareMessageIds(parsePosition(a, -1), parsePosition(b, -1));
}

/**
 * The id a reader starts AFTER to deliver `id` first (the WebSocket reader's start is exclusive):
 * the entry before it in the same ledger (entry -1 is "before the ledger's first entry").
 */
export function justBefore(id: MessageId): MessageId {
  return { ...id, entryId: id.entryId - 1n, batchIndex: -1 };
}
