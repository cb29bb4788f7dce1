/** Printing a DataFrame, reader, writer or session never shows a secret (issue 10 item 13). */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getConnection, JDBCConnection, registerConnection, unregisterConnection } from '@sparkle/core';
import type { SparkSession } from '../src/session.js';
import type { FakeSparkServer } from './fake-spark-server.js';
import { sessionFor, startFake } from './helpers.js';

const PASSWORD = 'hunter2-very-secret';
const TOKEN = 'tok-9c1e2f77aa31';

class PgLike extends JDBCConnection {
  static override jdbc = { driver: 'org.postgresql.Driver', subprotocol: 'postgresql', defaultPort: 5432, lineageScheme: 'postgres' };
}

let server: FakeSparkServer;
let spark: SparkSession;

beforeAll(async () => {
  registerConnection('inspect_pg', PgLike);
  server = await startFake();
  spark = await sessionFor(server, `;x-api-token=${TOKEN}`);
});

afterAll(async () => {
  await spark.stop();
  await server.stop();
  unregisterConnection('inspect_pg');
});

function everyRendering(value: unknown): string[] {
  return [String(value), inspect(value, { depth: 20 }), JSON.stringify(value), `${value as string}`];
}

describe('printing Spark objects', () => {
  it('a DataFrame from a JDBC read shows its plan without the password, in the option or inside the url', async () => {
    const conn = await getConnection('inspect_pg', {
      spark,
      config: { url: `jdbc:postgresql://db:5432/shop?user=app&password=${PASSWORD}`, user: 'app', password: PASSWORD },
    });
    const df = await conn.readTable<{ filter(c: string): unknown }>('orders', { partitionColumn: 'id', lowerBound: 0, upperBound: 10, numPartitions: 2 });
    const derived = df.filter('id > 1');
    for (const text of [...everyRendering(df), ...everyRendering(derived)]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).toContain('dbtable');
    }
    expect(String(df)).toContain('"password":"***"');
    await conn.close();
  });

  it('readers and writers show their options redacted', () => {
    const reader = spark.read.format('jdbc').option('url', 'jdbc:postgresql://db/x').option('password', PASSWORD).option('kafka.sasl.jaas.config', `x password="${PASSWORD}";`);
    for (const text of everyRendering(reader)) expect(text).not.toContain(PASSWORD);
    const writer = spark.range(3).write.format('jdbc').option('password', PASSWORD).mode('append');
    for (const text of everyRendering(writer)) expect(text).not.toContain(PASSWORD);
    expect(String(writer)).toContain('APPEND');
  });

  it('a session shows its endpoint, not its token or header values', () => {
    for (const text of everyRendering(spark)) {
      expect(text).not.toContain(TOKEN);
      expect(text).toContain('sc://127.0.0.1:');
    }
  });
});
