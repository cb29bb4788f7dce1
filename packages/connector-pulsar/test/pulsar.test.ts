// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, type ConnectionInit } from '@sparkle/core';
import { MemoryStreamConnection, testConnector, testStream } from '@sparkle/testkit';
import { PulsarConnection } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: 'pulsar',
  aliases: ['apache_pulsar'],
  connectionClass: PulsarConnection,
  validConfig: { brokers: ['localhost:9999'], user: 'app', password: 'example-secret' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { brokers: ['127.0.0.1:1'] },
});

/** The in-memory cluster the suite's connections share (every connection naming it sees the same topics). */
const cluster = `pulsar-${process.pid}`;

/** This connection over testkit's in-memory stream, as a type of its own so the suite can open it by config. */
class PulsarConnectionOnMemory extends PulsarConnection {
  constructor(init: ConnectionInit) {
    const memory = new MemoryStreamConnection({ type: 'memory_stream', config: { cluster } });
    super({ ...init, client: memory });
    // Closing this connection ends the memory client's waiting subscriptions too.
    this.onClose(() => memory.close());
  }

  /** In memory: no broker to reach. */
  protected override endpoints() {
    return [];
  }
}
registerConnection('pulsar_on_memory', PulsarConnectionOnMemory);

// The stream capability suite, against this connection over the in-memory stream.
testStream({
  type: 'pulsar_on_memory',
  config: { brokers: ['localhost:9999'] },
  createTopic: async (_conn, topic, partitions) => {
    await using admin = new MemoryStreamConnection({ type: 'memory_stream', config: { cluster } });
    await admin.createTopic(topic, partitions);
  },
});

describe('pulsar', () => {
  it('is created from config in code, with the password redacted', async () => {
    await using conn = await getConnection('pulsar', { config: { password: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(PulsarConnection);
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<PulsarConnection>('pulsar', { config: {}, dotenv: false, variables: {} });
    await expect(conn.describeTopic('orders')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
