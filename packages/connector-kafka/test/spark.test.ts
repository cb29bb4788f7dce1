/** Golden Spark options of the `kafka` source and sink (spark-sql-kafka-0-10), per config. */
import { describe, expect, it } from 'vitest';
import { getConnection } from '@sparkle/core';
import '../src/index.js';
import type { KafkaConnection } from '../src/index.js';

const open = (config: Record<string, unknown>) => getConnection<KafkaConnection>('kafka', { config, dotenv: false, variables: {} });

describe('Spark mapping', () => {
  it('plaintext: brokers, subscribe, offsets, headers', async () => {
    await using kafka = await open({ bootstrapServers: 'b1:9092, b2:9092' });
    expect(kafka.sparkRead('orders', {})).toEqual({
      format: 'kafka',
      options: {
        'kafka.bootstrap.servers': 'b1:9092,b2:9092',
        'kafka.security.protocol': 'PLAINTEXT',
        subscribe: 'orders',
        startingOffsets: 'earliest',
        endingOffsets: 'latest',
        includeHeaders: 'true',
      },
      secretOptions: [],
    });
  });

  it('SASL_SSL with SCRAM: mechanism and a JAAS line marked secret, with quotes escaped', async () => {
    await using kafka = await open({ brokers: ['b1:9093'], ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'app', password: 'p"w\\d' } });
    const spec = kafka.sparkRead('orders', { options: { startingOffsets: '{"orders":{"0":5,"1":7}}', endingOffsets: '{"orders":{"0":10,"1":-1}}' } });
    expect(spec.options).toMatchObject({
      'kafka.security.protocol': 'SASL_SSL',
      'kafka.sasl.mechanism': 'SCRAM-SHA-512',
      'kafka.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="app" password="p\\"w\\\\d";',
      startingOffsets: '{"orders":{"0":5,"1":7}}',
      endingOffsets: '{"orders":{"0":10,"1":-1}}',
    });
    expect(spec.secretOptions).toEqual(['kafka.sasl.jaas.config']);
  });

  it('SASL_PLAINTEXT with PLAIN, and assign for chosen partitions', async () => {
    await using kafka = await open({ brokers: ['b1:9094'], sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' } });
    const spec = kafka.sparkRead('orders', { options: { partitions: '0,2', startingTimestamp: '1700000000000' } });
    expect(spec.options).toMatchObject({
      'kafka.security.protocol': 'SASL_PLAINTEXT',
      'kafka.sasl.mechanism': 'PLAIN',
      'kafka.sasl.jaas.config': 'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p";',
      assign: '{"orders":[0,2]}',
      startingTimestamp: '1700000000000',
    });
    expect(spec.options.subscribe).toBeUndefined();
  });

  it('mutual TLS with PEM: trust store and key store inline, the key secret', async () => {
    const ca = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----';
    const cert = '-----BEGIN CERTIFICATE-----\nME\n-----END CERTIFICATE-----';
    const key = '-----BEGIN PRIVATE KEY-----\nKEY\n-----END PRIVATE KEY-----';
    await using kafka = await open({ brokers: ['b1:9093'], ssl: { ca, cert, key } });
    const spec = kafka.sparkRead('orders', {});
    expect(spec.options).toMatchObject({
      'kafka.security.protocol': 'SSL',
      'kafka.ssl.truststore.type': 'PEM',
      'kafka.ssl.truststore.certificates': ca,
      'kafka.ssl.keystore.type': 'PEM',
      'kafka.ssl.keystore.certificate.chain': cert,
      'kafka.ssl.keystore.key': key,
    });
    expect(spec.secretOptions).toEqual(['kafka.ssl.keystore.key']);
    expect(String(kafka)).not.toContain('KEY');
  });

  it('writes: the topic option, append only', async () => {
    await using kafka = await open({ brokers: ['b1:9092'] });
    expect(kafka.sparkWrite('audit', { mode: 'append' })).toEqual({
      format: 'kafka',
      options: { 'kafka.bootstrap.servers': 'b1:9092', 'kafka.security.protocol': 'PLAINTEXT', topic: 'audit' },
      mode: 'append',
      secretOptions: [],
    });
    expect(() => kafka.sparkWrite('audit', { mode: 'overwrite' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('refuses what Spark cannot do, naming the alternative', async () => {
    await using oauth = await open({ brokers: ['b1:9093'], sasl: { mechanism: 'OAUTHBEARER', token: 'tok-123' } });
    expect(() => oauth.sparkRead('orders', {})).toThrow(/without 'spark'/);
    await using kafka = await open({ brokers: ['b1:9092'] });
    expect(() => kafka.sparkRead('orders', { where: 'partition = 1' })).toThrow(expect.objectContaining({ code: 'UNSUPPORTED' }));
  });

  it('config: SASL mechanism names in any case, TLS material from files, secrets redacted', async () => {
    await using kafka = await open({ brokers: ['b1:9092'], sasl: { mechanism: 'Scram-Sha-256', username: 'u', password: 'hunter22' } });
    expect(kafka.config.sasl).toMatchObject({ mechanism: 'scram-sha-256' });
    expect(JSON.stringify(kafka.redactedConfig())).not.toContain('hunter22');
    const e = await open({ brokers: ['b1:9092'], ssl: { ca: '/nonexistent/ca.pem' } }).then(
      async (c) => {
        try {
          await c.produce('t', [{ value: 'x' }]);
        } finally {
          await c.close();
        }
      },
      (error: unknown) => error,
    ).catch((error: unknown) => error);
    expect(e).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((e as Error).message).toContain('ssl.ca');
  });
});
