/**
 * UUIDv7 run ids (RFC 9562): a 48-bit Unix-millisecond timestamp followed by random bits, so
 * run ids sort by start time. OpenLineage recommends v7 for `runId`; any UUID is valid.
 */
import { randomFillSync } from 'node:crypto';

let lastMs = 0;
let counter = 0;

/**
 * A new UUIDv7 string.
 * @example
 * uuidv7(); // '019aa3c4-5d6e-7f01-8a2b-3c4d5e6f7a8b'
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = new Uint8Array(16);
  randomFillSync(bytes);
  // Monotonic within one millisecond: a 12-bit counter in rand_a keeps ids strictly ordered
  // when many runs start in the same millisecond (method 1 of RFC 9562 §6.2).
  if (now <= lastMs) {
    counter = (counter + 1) & 0xfff;
    if (counter === 0) lastMs += 1;
    now = lastMs;
  } else {
    lastMs = now;
    counter = bytes[6]! & 0x07; // start low so the counter rarely overflows
  }
  const ms = BigInt(now);
  for (let i = 0; i < 6; i++) bytes[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
  bytes[6] = 0x70 | ((counter >> 8) & 0x0f); // version 7
  bytes[7] = counter & 0xff;
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 4122 variant
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Milliseconds since the epoch encoded in a UUIDv7 (for tests and ordering). */
export function uuidv7Time(id: string): number {
  return parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}
