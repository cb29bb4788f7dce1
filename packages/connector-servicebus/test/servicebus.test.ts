// Scaffolded by tools/generators/new-connector.ts (pnpm gen:connector). A starting point: this package owns it now.
import { describe, expect, it } from 'vitest';
import { getConnection, registerConnection, type ConnectionInit } from '@sparkle/core';
import { MemoryStreamConnection, testConnector, testStream } from '@sparkle/testkit';
import { ServicebusConnection } from '../src/index.js';

// Registration, config schema, redaction, lifecycle: the shared suite.
testConnector({
  type: 'servicebus',
  aliases: ['azure_servicebus'],
  connectionClass: ServicebusConnection,
  validConfig: { brokers: ['localhost:9999'], user: 'app', password: 'example-secret' },
  secretFields: ['password'],
  capabilities: { read: true, write: true, query: false, discover: false, spark: false, health: true },
  unreachableConfig: { brokers: ['127.0.0.1:1'] },
});

/** The in-memory cluster the suite's connections share (every connection naming it sees the same topics). */
const cluster = `servicebus-${process.pid}`;

/** This connection over testkit's in-memory stream, as a type of its own so the suite can open it by config. */
class ServicebusConnectionOnMemory extends ServicebusConnection {
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
registerConnection('servicebus_on_memory', ServicebusConnectionOnMemory);

// The stream capability suite, against this connection over the in-memory stream.
testStream({
  type: 'servicebus_on_memory',
  config: { brokers: ['localhost:9999'] },
  createTopic: async (_conn, topic, partitions) => {
    await using admin = new MemoryStreamConnection({ type: 'memory_stream', config: { cluster } });
    await admin.createTopic(topic, partitions);
  },
});

describe('servicebus', () => {
  it('is created from config in code, with the password redacted', async () => {
    await using conn = await getConnection('servicebus', { config: { password: 'example-secret' }, dotenv: false, variables: {} });
    expect(conn).toBeInstanceOf(ServicebusConnection);
    expect(String(conn)).not.toContain('example-secret');
  });

  it('without a client, calls fail with a typed UNSUPPORTED error', async () => {
    await using conn = await getConnection<ServicebusConnection>('servicebus', { config: {}, dotenv: false, variables: {} });
    await expect(conn.describeTopic('orders')).rejects.toMatchObject({ code: 'UNSUPPORTED' });
  });
});
