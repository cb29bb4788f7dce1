/**
 * Spark's Kafka source and sink (`org.apache.spark:spark-sql-kafka-0-10_2.13`, format `kafka`)
 * from a `kafka` config: `kafka.bootstrap.servers`, `subscribe` or `assign`, offsets, and the
 * Kafka client's security settings under the `kafka.` prefix. The JAAS line carries the password,
 * so it is a secret option.
 */
import { UnsupportedOperationError, type ReadTableOptions, type SparkReadSpec, type SparkWriteSpec, type WriteTableOptions } from '@sparkle/core';
import { brokersOf, securityProtocolOf, type KafkaConfig } from './config.js';

/** A JAAS option value in double quotes (backslash and quote escaped, as Kafka's JAAS parser reads them). */
const jaasQuote = (value: string) => `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

const LOGIN_MODULES = {
  plain: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'scram-sha-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'scram-sha-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
} as const;

/** Options every Kafka read and write of Spark shares: brokers and security. */
export function sparkClientOptions(config: KafkaConfig): { options: Record<string, string>; secretOptions: string[] } {
  const options: Record<string, string> = {
    'kafka.bootstrap.servers': brokersOf(config).join(','),
    'kafka.security.protocol': securityProtocolOf(config),
  };
  const secretOptions: string[] = [];
  const sasl = config.sasl;
  if (sasl) {
    if (sasl.mechanism === 'oauthbearer') {
      throw new UnsupportedOperationError(
        "kafka: Spark's Kafka client cannot take a fixed OAUTHBEARER token (it needs a login callback handler on the Spark server's classpath). Read without 'spark' (the local engine uses the token), or configure the Spark server's Kafka client yourself",
        { connector: 'kafka' },
      );
    }
    options['kafka.sasl.mechanism'] = sasl.mechanism.toUpperCase();
    options['kafka.sasl.jaas.config'] = `${LOGIN_MODULES[sasl.mechanism]} required username=${jaasQuote(sasl.username)} password=${jaasQuote(sasl.password)};`;
    secretOptions.push('kafka.sasl.jaas.config');
  }
  const ssl = config.ssl;
  if (ssl && typeof ssl === 'object') {
    // PEM material inline (Kafka's PEM key and trust stores); a path is passed as a path of the Spark server.
    const pemOrPath = (v: string) => v.includes('-----BEGIN');
    if (ssl.ca) {
      if (pemOrPath(ssl.ca)) {
        options['kafka.ssl.truststore.type'] = 'PEM';
        options['kafka.ssl.truststore.certificates'] = ssl.ca;
      } else {
        options['kafka.ssl.truststore.type'] = 'PEM';
        options['kafka.ssl.truststore.location'] = ssl.ca;
      }
    }
    if (ssl.cert && ssl.key) {
      if (!pemOrPath(ssl.cert) || !pemOrPath(ssl.key)) {
        throw new UnsupportedOperationError('kafka: for Spark, ssl.cert and ssl.key must be PEM text (Kafka reads a PEM key store inline); paths are only read by the local engine', { connector: 'kafka' });
      }
      options['kafka.ssl.keystore.type'] = 'PEM';
      options['kafka.ssl.keystore.certificate.chain'] = ssl.cert;
      options['kafka.ssl.keystore.key'] = ssl.key;
      secretOptions.push('kafka.ssl.keystore.key');
      if (ssl.passphrase) {
        options['kafka.ssl.key.password'] = ssl.passphrase;
        secretOptions.push('kafka.ssl.key.password');
      }
    }
    if (!ssl.rejectUnauthorized) options['kafka.ssl.endpoint.identification.algorithm'] = '';
  }
  return { options, secretOptions };
}

/** Spark's read options that a caller may pass through `readTable(topic, { options })`. */
const PASS_THROUGH = ['startingOffsets', 'endingOffsets', 'startingTimestamp', 'endingTimestamp', 'startingOffsetsByTimestamp', 'endingOffsetsByTimestamp', 'failOnDataLoss', 'minPartitions', 'maxOffsetsPerTrigger', 'includeHeaders', 'groupIdPrefix', 'kafka.group.id'];

/**
 * The Spark read of a topic: `subscribe` (or `assign` when `options.partitions` lists partitions),
 * `startingOffsets` default `earliest`, `endingOffsets` default `latest`, headers included.
 * @example
 * ```ts
 * sparkReadSpec(config, 'orders', { options: { startingOffsets: '{"orders":{"0":5}}' } }).options.subscribe; // 'orders'
 * ```
 */
export function sparkReadSpec(config: KafkaConfig, topic: string, read: ReadTableOptions): SparkReadSpec {
  if (read.where || read.filter || read.predicates?.length || read.partitionColumn) {
    throw new UnsupportedOperationError('kafka: a Kafka read is a range of a topic; where, filter, predicates and partitionColumn do not apply (set startingOffsets/endingOffsets)', { connector: 'kafka' });
  }
  const { options, secretOptions } = sparkClientOptions(config);
  const given = read.options ?? {};
  if (given.partitions) {
    const partitions = given.partitions.split(',').map((p) => Number(p.trim()));
    options.assign = JSON.stringify({ [topic]: partitions });
  } else options.subscribe = topic;
  options.startingOffsets = 'earliest';
  options.endingOffsets = 'latest';
  options.includeHeaders = 'true';
  for (const key of PASS_THROUGH) if (given[key] !== undefined) options[key] = String(given[key]);
  return { format: 'kafka', options, secretOptions };
}

/** The Spark write to a topic: the `topic` option, rows with `key`/`value` (and `headers`, `partition`) columns, append only. */
export function sparkWriteSpec(config: KafkaConfig, topic: string, write: WriteTableOptions): SparkWriteSpec {
  const mode = write.mode ?? 'append';
  if (mode !== 'append' && mode !== 'errorIfExists') {
    throw new UnsupportedOperationError(`kafka: save mode '${mode}' is not allowed for a topic (topics are append-only); use 'append'`, { connector: 'kafka' });
  }
  const { options, secretOptions } = sparkClientOptions(config);
  options.topic = topic;
  // Spark's Kafka sink accepts only append; errorIfExists means append here, as in the local engine.
  return { format: 'kafka', options, mode: 'append', secretOptions };
}
