/**
 * The real Redis from tools/services/ensure-redis.sh (Debian's redis-server, started by this
 * package's vitest globalSetup through ensureService), spoken to with raw RESP over TCP.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';

/** Sends one RESP command (an array of bulk strings) and resolves with the first full reply line. */
function resp(url: string, ...args: string[]): Promise<string> {
  const { hostname, port } = new URL(url);
  const frame = `*${args.length}\r\n` + args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error(`no RESP reply from ${url} within 5 s`)));
    socket.once('error', reject);
    socket.on('data', (chunk) => {
      data += chunk.toString('utf8');
      // A simple or error reply is one line; a bulk reply is a length line then the payload line.
      const lines = data.split('\r\n');
      const complete = data.startsWith('$') && !data.startsWith('$-1') ? lines.length >= 3 : lines.length >= 2;
      if (complete) {
        socket.end();
        resolve(data.startsWith('$') && !data.startsWith('$-1') ? lines[1]! : lines[0]!);
      }
    });
    socket.once('connect', () => socket.write(frame));
  });
}

describe('Redis from ensureService (globalSetup)', () => {
  const url = process.env.SPARKLE_TEST_REDIS_URL;

  it('the globalSetup exported SPARKLE_TEST_REDIS_URL on loopback', () => {
    expect(url).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers PING with PONG, and SET/GET/DEL round-trip a value', async () => {
    expect(await resp(url!, 'PING')).toBe('+PONG');
    const key = `sparkle:testkit:${process.pid}:${Date.now()}`;
    expect(await resp(url!, 'SET', key, 'hello redis')).toBe('+OK');
    expect(await resp(url!, 'GET', key)).toBe('hello redis');
    expect(await resp(url!, 'DEL', key)).toBe(':1');
  });
});
