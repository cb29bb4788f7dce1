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
