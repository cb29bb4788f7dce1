/**
 * Units that need no broker: the message-id codec (base64 MessageIdData as the WebSocket API
 * writes it), positions, topic names, the Spark mapping's golden options, and the optional
 * native client's typed error when `pulsar-client` is not installed.
 */
import { describe, expect, it } from 'vitest';
import { getConnection, SparkleError } from '@sparkle/core';
import '../src/index.js';
import { comparePositions, decodeMessageId, encodeMessageId, positionText, type PulsarConnection } from '../src/index.js';
import { fullName, topicName } from '../src/topics.js';

const open = (config: Record<string, unknown>) => getConnection<PulsarConnection>('pulsar', { config, dotenv: false, variables: {} });

describe('message ids', () => {
  it('decodes the broker\'s base64 ids (seen from the real broker: ledger 3, entry 0, batch size 0)', () => {
    expect(decodeMessageId('CAMQADAA')).toEqual({ ledgerId: 3n, entryId: 0n, partition: -1, batchIndex: -1 });
  });

  it('round-trips ids with partition, batch index and entry -1 ("before the first entry")', () => {
    for (const id of [
      { ledgerId: 123456789012n, entryId: 42n, partition: 2, batchIndex: 5 },
      { ledgerId: 7n, entryId: -1n, partition: -1, batchIndex: -1 },
    ]) {
      expect(decodeMessageId(encodeMessageId(id))).toEqual(id);
    }
    expect(positionText({ ledgerId: 9n, entryId: 4n, partition: 0, batchIndex: -1 })).toBe('9:4');
    expect(positionText({ ledgerId: 9n, entryId: 4n, partition: 0, batchIndex: 2 })).toBe('9:4:2');
  });

  it('orders positions by ledger, entry, batch index — not as text', () => {
    expect(comparePositions('10:0', '9:99')).toBeGreaterThan(0);
    expect(comparePositions('9:10', '9:9')).toBeGreaterThan(0);
    expect(comparePositions('9:9:1', '9:9:0')).toBeGreaterThan(0);
    expect(comparePositions('9:9', '9:9')).toBe(0);
    expect(() => comparePositions('12', '9:9')).toThrow(/ledgerId:entryId/);
  });
});

describe('topic names', () => {
  const defaults = { tenant: 'acme', namespace: 'sales', persistence: 'persistent' as const };
  it('completes short names and keeps full ones', () => {
    expect(fullName(topicName('orders', defaults))).toBe('persistent://acme/sales/orders');
    expect(fullName(topicName('t2/ns2/orders', defaults))).toBe('persistent://t2/ns2/orders');
    expect(fullName(topicName('non-persistent://public/default/ticks', defaults))).toBe('non-persistent://public/default/ticks');
    expect(() => topicName('bad name!', defaults)).toThrow(/Invalid Pulsar topic name/);
  });
});

describe('Spark mapping (golden options of the pulsar source)', () => {
  it('maps addresses, topic, offsets and token auth; the token is a secret option', async () => {
    await using conn = await open({ webServiceUrl: 'https://pulsar.example:8443', serviceUrl: 'pulsar+ssl://pulsar.example:6651', token: 'jwt-golden', tenant: 'acme', namespace: 'sales', tls: { ca: '/etc/ssl/pulsar-ca.pem' } });
    const read = conn.sparkRead('orders', { options: { startingOffsets: 'latest', failOnDataLoss: 'false', ignored: 'x' } });
    expect(read).toEqual({
      format: 'pulsar',
      options: {
        'service.url': 'pulsar+ssl://pulsar.example:6651',
        'admin.url': 'https://pulsar.example:8443',
        'pulsar.client.authPluginClassName': 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
        'pulsar.client.authParams': 'token:jwt-golden',
        'pulsar.admin.authPluginClassName': 'org.apache.pulsar.client.impl.auth.AuthenticationToken',
        'pulsar.admin.authParams': 'token:jwt-golden',
        'pulsar.client.tlsTrustCertsFilePath': '/etc/ssl/pulsar-ca.pem',
        'pulsar.admin.tlsTrustCertsFilePath': '/etc/ssl/pulsar-ca.pem',
        topic: 'persistent://acme/sales/orders',
        startingOffsets: 'latest',
        endingOffsets: 'latest',
        failOnDataLoss: 'false',
      },
      secretOptions: ['pulsar.client.authParams', 'pulsar.admin.authParams'],
    });
    const write = conn.sparkWrite('non-persistent://acme/sales/ticks', { mode: 'append' });
    expect(write.options.topic).toBe('non-persistent://acme/sales/ticks');
    expect(write.mode).toBe('append');
    expect(() => conn.sparkWrite('orders', { mode: 'overwrite' })).toThrow(/append-only/);
  });

  it('refuses Spark without a binary service URL, naming the field', async () => {
    await using conn = await open({ webServiceUrl: 'http://127.0.0.1:8080' });
    expect(() => conn.sparkRead('orders', {})).toThrow(/serviceUrl/);
  });
});

describe('the optional native client', () => {
  it('is a MissingDriverError naming pulsar-client when the package is not installed', async () => {
    await using conn = await open({ webServiceUrl: 'http://127.0.0.1:8080', serviceUrl: 'pulsar://127.0.0.1:6650' });
    const error = await conn.nativeClient().then(() => undefined, (e: unknown) => e as SparkleError);
    expect(error).toBeInstanceOf(SparkleError);
    expect(error!.code).toBe('MISSING_DRIVER');
    expect(error!.message).toContain('pulsar-client');
  });
});
