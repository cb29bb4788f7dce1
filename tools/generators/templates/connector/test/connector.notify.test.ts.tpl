// {{banner}}
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import { MemoryLineageClient, MemoryNotifyConnection, testConnector, testNotifier } from '@sparkle/testkit';
import { {{className}} } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: '{{type}}',
  aliases: {{aliasesTs}},
  connectionClass: {{className}},
  validConfig: { url: 'https://notify.example.test', token: 'example-secret' },
  secretFields: ['token'],
  capabilities: { read: false, write: false, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { url: 'http://127.0.0.1:1' },
});

// The notify capability suite, against this connection over testkit's in-memory mailbox.
const store = `{{type}}-${process.pid}`;
const mailbox = new MemoryNotifyConnection({ type: 'memory_notify', config: { store, rejectRecipients: ['bounce@example.test'] }, lineage: new MemoryLineageClient() });
testNotifier({
  name: '{{type}}',
  open: async (lineage) => new {{className}}({ type: '{{type}}', config: {}, lineage, client: { send: (message) => mailbox.send(message), verify: async () => 'mailbox reachable' } }),
  recipients: ['ops@example.test', 'data@example.test'],
  rejectedRecipient: 'bounce@example.test',
  received: async () => mailbox.delivered().map((m) => ({ to: [...m.to, ...m.cc, ...m.bcc], subject: m.subject, text: m.text, attachments: m.attachments })),
});

describe('{{type}}', () => {
  it('is created from config in code, with the token redacted', async () => {
    await using conn = await getConnection('{{type}}', { config: { url: 'https://notify.example.test', token: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf({{className}});
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, send fails with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<{{className}}>('{{type}}', { config: {}, dotenv: false, variables: {} });
    await expect(conn.send({ to: ['a@example.test'], text: 'x' })).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
