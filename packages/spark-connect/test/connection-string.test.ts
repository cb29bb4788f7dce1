import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@sparkle/core';
import { defaultRemote, parseConnectionString } from '../src/connection-string.js';

describe('parseConnectionString', () => {
  it('parses host, port and the known keys, URL-decoding values', () => {
    const spec = parseConnectionString('sc://spark.internal:15010/;token=a%2Fb%3Dc;user_id=ana%20m;user_agent=etl;session_id=2F6C3B1E-8D4A-4C1F-9E2B-7A5D6C4B3A21');
    expect(spec).toEqual({
      host: 'spark.internal',
      port: 15010,
      token: 'a/b=c',
      useSsl: true,
      userId: 'ana m',
      userAgent: 'etl',
      sessionId: '2f6c3b1e-8d4a-4c1f-9e2b-7a5d6c4b3a21',
      headers: {},
    });
  });

  it('defaults the port, needs no trailing slash, and turns other keys into headers', () => {
    expect(parseConnectionString('sc://localhost')).toMatchObject({ host: 'localhost', port: 15002, useSsl: false, headers: {} });
    expect(parseConnectionString('sc://h;X-Trace=1;x-tenant=a%3Bb').headers).toEqual({ 'x-trace': '1', 'x-tenant': 'a;b' });
    expect(parseConnectionString('sc://[::1]:9000/;use_ssl=true')).toMatchObject({ host: '::1', port: 9000, useSsl: true });
  });

  it('a token always turns TLS on', () => {
    expect(parseConnectionString('sc://h/;use_ssl=false;token=t').useSsl).toBe(true);
  });

  it('rejects malformed strings without echoing secrets', () => {
    const bad = ['http://h:1', 'sc://:15002', 'sc://h:99999', 'sc://h/db', 'sc://h/;novalue', 'sc://h/;use_ssl=maybe', 'sc://h/;session_id=abc', 'sc://h/;token=%E0%A4%A'];
    for (const url of bad) {
      let error: unknown;
      try {
        parseConnectionString(url);
      } catch (e) {
        error = e;
      }
      expect(error, url).toBeInstanceOf(InvalidArgumentError);
      expect((error as Error).message).not.toContain('%E0');
    }
  });

  it('reads SPARK_REMOTE', () => {
    expect(defaultRemote({ SPARK_REMOTE: ' sc://x ' })).toBe('sc://x');
    expect(defaultRemote({})).toBeUndefined();
  });
});
