/**
 * Redis Cluster hash slots: CRC16 (XMODEM) of the key — or of its `{hash tag}` — modulo 16384,
 * as the Redis Cluster specification defines it. Reads split into slot ranges the way
 * spark-redis does, on a single server as on a cluster.
 */

/** Number of hash slots in Redis Cluster. */
export const SLOT_COUNT = 16384;

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i << 8;
    for (let b = 0; b < 8; b++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
    table[i] = crc;
  }
  return table;
})();

function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) & 0xffff) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
  return crc;
}

/**
 * The hash slot of a key.
 * @example
 * ```ts
 * keySlot('123456789'); // 12739 (the specification's check value 0x31C3 mod 16384)
 * ```
 */
export function keySlot(key: string): number {
  const open = key.indexOf('{');
  if (open >= 0) {
    const close = key.indexOf('}', open + 1);
    if (close > open + 1) key = key.slice(open + 1, close);
  }
  return crc16(Buffer.from(key, 'utf8')) % SLOT_COUNT;
}

/** `n` contiguous slot ranges `[from, to)` covering every slot once. */
export function slotRanges(n: number): Array<[number, number]> {
  const count = Math.max(1, Math.min(n, SLOT_COUNT));
  return Array.from({ length: count }, (_, i) => [Math.floor((i * SLOT_COUNT) / count), Math.floor(((i + 1) * SLOT_COUNT) / count)]);
}
