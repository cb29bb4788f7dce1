// {{banner}}
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { testConnector } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// The shared conformance suite: registration and aliases, schema, redaction, Spark specs, health
// tiers, lineage, round trips; capabilities declared false are skipped by declaration.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: {{testConfigTs}},
  secretFields: ['password'],
  capabilities: {{capabilitiesObjectTs}},
  unreachableConfig: {{unreachableConfigTs}},
  // TODO: `service: () => …` finding or starting a real server (see @sparkle/testkit's helpers),
  // so the live checks run instead of being skipped.
});

describe('{{type}}', () => {
  it('is created from config in code, with the secret redacted', async () => {
    await using conn = await getConnection('{{type}}', { config: {{testConfigInlineTs}}, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf({{className}});
    expect(String(conn)).not.toContain('example-secret');
  });
{{#isJdbc}}

  it('maps to Spark JDBC options', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: {{testConfigInlineTs}}, dotenv: false, variables: {} });
    const spec = conn.sparkRead('orders', {});
    expect(spec.format).toBe('jdbc');
    expect(spec.options.driver).toBe('{{jdbcDriver}}');
    expect(spec.secretOptions).toContain('password');
  });
{{/isJdbc}}
});
