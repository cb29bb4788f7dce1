/**
 * Spark's Pulsar source and sink (StreamNative's `pulsar-spark-connector_2.13`, format `pulsar`)
 * from a `pulsar` config: `service.url`, `admin.url`, `topic`, offsets, and the client's token
 * authentication under `pulsar.client.` and `pulsar.admin.` (the token is a secret option).
 */
import { ConfigError, UnsupportedOperationError, type ReadTableOptions, type SparkReadSpec, type SparkWriteSpec, type WriteTableOptions } from '@sparkle/core';
import type { PulsarConfig } from './config.js';
import { fullName, topicName } from './topics.js';

const TOKEN_PLUGIN = 'org.apache.pulsar.client.impl.auth.AuthenticationToken';

/** Spark read options a caller may pass through `readTable(topic, { options })`. */
const PASS_THROUGH = ['startingOffsets', 'endingOffsets', 'startingTime', 'failOnDataLoss', 'predefinedSubscription', 'subscriptionPrefix', 'allowDifferentTopicSchemas', 'pollTimeoutMs'];

/** Options every Pulsar read and write of Spark shares: addresses, token, TLS. */
export function sparkClientOptions(config: PulsarConfig): { options: Record<string, string>; secretOptions: string[] } {
  if (!config.serviceUrl) {
    throw new ConfigError('CONFIG_INVALID', "pulsar: Spark's Pulsar connector talks the binary protocol; set 'serviceUrl' (pulsar://host:6650 or pulsar+ssl://host:6651) in the config", { connector: 'pulsar' });
  }
  const options: Record<string, string> = { 'service.url': config.serviceUrl, 'admin.url': config.webServiceUrl };
  const secretOptions: string[] = [];
  if (config.token) {
    for (const prefix of ['pulsar.client.', 'pulsar.admin.']) {
      options[`${prefix}authPluginClassName`] = TOKEN_PLUGIN;
      options[`${prefix}authParams`] = `token:${config.token}`;
      secretOptions.push(`${prefix}authParams`);
    }
  }
  const tls = config.tls;
  if (tls && typeof tls === 'object') {
    if (tls.ca) {
      if (tls.ca.includes('-----BEGIN')) {
        throw new UnsupportedOperationError("pulsar: for Spark, tls.ca must be a file path on the Spark server (the Pulsar client reads a trust file); PEM text is only used by the local engine", { connector: 'pulsar' });
      }
      options['pulsar.client.tlsTrustCertsFilePath'] = tls.ca;
      options['pulsar.admin.tlsTrustCertsFilePath'] = tls.ca;
    }
    if (!tls.rejectUnauthorized) {
      options['pulsar.client.tlsAllowInsecureConnection'] = 'true';
      options['pulsar.admin.tlsAllowInsecureConnection'] = 'true';
    }
  }
  return { options, secretOptions };
}

/**
 * The Spark read of a topic: `topic` (the full name), `startingOffsets` default `earliest`,
 * `endingOffsets` default `latest` (a bounded batch read).
 * @example
 * ```ts
 * sparkReadSpec(config, 'orders', {}).options.topic; // 'persistent://public/default/orders'
 * ```
 */
export function sparkReadSpec(config: PulsarConfig, topic: string, read: ReadTableOptions): SparkReadSpec {
  if (read.where || read.filter || read.predicates?.length || read.partitionColumn) {
    throw new UnsupportedOperationError('pulsar: a Pulsar read is a range of a topic; where, filter, predicates and partitionColumn do not apply (set startingOffsets/endingOffsets)', { connector: 'pulsar' });
  }
  const { options, secretOptions } = sparkClientOptions(config);
  options.topic = fullName(topicName(topic, config));
  options.startingOffsets = 'earliest';
  options.endingOffsets = 'latest';
  const given = read.options ?? {};
  for (const key of PASS_THROUGH) if (given[key] !== undefined) options[key] = String(given[key]);
  return { format: 'pulsar', options, secretOptions };
}

/** The Spark write to a topic: `topic`, rows with a `value` column (and `__key`, `__eventTime` as the connector names them), append only. */
export function sparkWriteSpec(config: PulsarConfig, topic: string, write: WriteTableOptions): SparkWriteSpec {
  const mode = write.mode ?? 'append';
  if (mode !== 'append' && mode !== 'errorIfExists') {
    throw new UnsupportedOperationError(`pulsar: save mode '${mode}' is not allowed for a topic (topics are append-only); use 'append'`, { connector: 'pulsar' });
  }
  const { options, secretOptions } = sparkClientOptions(config);
  options.topic = fullName(topicName(topic, config));
  return { format: 'pulsar', options, mode: 'append', secretOptions };
}
