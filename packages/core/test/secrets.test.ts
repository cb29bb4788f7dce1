import { describe, expect, it } from 'vitest';
import { inspect } from 'node:util';
import { z } from 'zod';
import { collectSecrets, redactText, redactValue, secret, secretPaths, REDACTED } from '../src/secrets.js';

const schema = z.object({
  user: z.string(),
  password: secret(z.string()).optional(),
  nested: z.object({ apiToken: secret(z.string()) }).optional(),
  properties: z.record(z.string(), z.string()).default({}),
});

describe('secrets', () => {
  it('finds the paths a schema marks secret', () => {
    expect(secretPaths(schema)).toEqual([['password'], ['nested', 'apiToken']]);
  });

  it('redacts marked fields, secret-looking keys and secret values inside other strings', () => {
    const value = {
      user: 'ana',
      password: 's3cr3t!',
      nested: { apiToken: 'tok-123' },
      properties: { sslpassword: 'keypass', note: 'connect with s3cr3t! please' },
    };
    const out = redactValue(value, schema);
    expect(out).toEqual({
      user: 'ana',
      password: REDACTED,
      nested: { apiToken: REDACTED },
      properties: { sslpassword: REDACTED, note: `connect with ${REDACTED} please` },
    });
    const printed = JSON.stringify(out) + inspect(out);
    for (const s of ['s3cr3t!', 'tok-123', 'keypass']) expect(printed).not.toContain(s);
    expect(collectSecrets(value, schema).sort()).toEqual(['keypass', 's3cr3t!', 'tok-123']);
  });

  it('scrubs URLs and connection strings', () => {
    expect(redactText('postgres://bob:hunter2@db:5432/x')).toBe(`postgres://bob:${REDACTED}@db:5432/x`);
    expect(redactText('jdbc:postgresql://db/x?user=a&password=p%40ss&ssl=true')).toBe(`jdbc:postgresql://db/x?user=a&password=${REDACTED}&ssl=true`);
    expect(redactText('Server=x;Password=abc;Encrypt=yes')).toBe(`Server=x;Password=${REDACTED};Encrypt=yes`);
    expect(redactText('value p@ss/word and p%40ss%2Fword', ['p@ss/word'])).toBe(`value ${REDACTED} and ${REDACTED}`);
  });
});

describe('redaction keeps text intact (issue: short or common secrets)', () => {
  it('removes a short secret only as a whole token', () => {
    expect(redactText('relation "exist" does not exist for x', ['x'])).toBe(`relation "exist" does not exist for ${REDACTED}`);
    expect(redactText('password x rejected; x=1', ['x'])).toBe(`password ${REDACTED} rejected; ${REDACTED}=1`);
    expect(redactText('pin 1234 and 12345', ['1234'])).toBe(`pin ${REDACTED} and 12345`);
  });

  it('removes a long secret wherever it occurs, even glued to other text', () => {
    expect(redactText('tokenS3cr3tValue!suffix', ['S3cr3tValue!'])).toBe(`token${REDACTED}suffix`);
  });
});

describe('scrubErrorChain', () => {
  it('scrubs message, stack and string properties through causes and AggregateErrors', async () => {
    const { scrubErrorChain } = await import('../src/secrets.js');
    const { inspect } = await import('node:util');
    const driver = Object.assign(new Error('password authentication failed: "hunter2-long" is wrong'), { detail: 'echo hunter2-long', code: '28P01' });
    const outer = new Error('connect failed', { cause: new AggregateError([driver], 'hunter2-long at top') });
    scrubErrorChain(outer, ['hunter2-long']);
    const text = inspect(outer, { depth: 10 }) + String((outer.cause as AggregateError).errors[0].stack);
    expect(text).not.toContain('hunter2-long');
    expect(driver.message).toBe(`password authentication failed: "${REDACTED}" is wrong`);
    expect((driver as unknown as { detail: string }).detail).toBe(`echo ${REDACTED}`);
    expect((driver as unknown as { code: string }).code).toBe('28P01');
  });

  it('survives cycles and frozen errors', async () => {
    const { scrubErrorChain } = await import('../src/secrets.js');
    const a = new Error('a hunter2-long') as Error & { cause?: unknown };
    const b = new Error('b', { cause: a });
    a.cause = b;
    expect(() => scrubErrorChain(b, ['hunter2-long'])).not.toThrow();
    expect(a.message).toBe(`a ${REDACTED}`);
    const frozen = Object.freeze(new Error('frozen hunter2-long'));
    expect(() => scrubErrorChain(frozen, ['hunter2-long'])).not.toThrow();
  });
});
