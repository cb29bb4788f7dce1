/**
 * The `kafka` config as users write it (JSON, `${ENV}` secrets) and its translation to kafkajs'
 * client options. Field names follow kafkajs' own (`brokers`, `clientId`, `ssl`, `sasl`), so a
 * kafkajs user recognises them; `bootstrapServers` (Kafka's comma-separated list) is accepted too.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, secret } from '@sparkle/core';
import type { KafkaConfig as KafkaJsConfig, SASLOptions } from 'kafkajs';

const pem = z.string().min(1);

/** TLS: `true` for the system trust store, or PEM text / file paths. */
const tlsSchema = z.union([
  z.boolean(),
  z.object({
    /** CA certificate(s), PEM text or a file path. */
    ca: pem.optional(),
    /** Client certificate for mutual TLS, PEM text or a file path. */
    cert: pem.optional(),
    /** Client private key, PEM text or a file path (a secret). */
    key: secret(pem).optional(),
    /** Passphrase of an encrypted `key`. */
    passphrase: secret(z.string()).optional(),
    /** Verify the broker's certificate (default true; false only for throwaway test clusters). */
    rejectUnauthorized: z.boolean().default(true),
    /** Server name for SNI and verification, when it differs from the broker host. */
    servername: z.string().optional(),
  }),
]);

const saslSchema = z.discriminatedUnion('mechanism', [
  z.object({
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    password: secret(z.string()),
  }),
  z.object({
    mechanism: z.literal('oauthbearer'),
    /** A bearer token (JWT) obtained elsewhere; refreshed by reconnecting with a new config. */
    token: secret(z.string().min(1)),
  }),
]);

/** SASL mechanisms are case-insensitive on the wire; users write `PLAIN`, `SCRAM-SHA-512`. */
const saslInput = z.preprocess((value) => {
  if (value && typeof value === 'object' && typeof (value as { mechanism?: unknown }).mechanism === 'string') {
    return { ...(value as object), mechanism: (value as { mechanism: string }).mechanism.toLowerCase() };
  }
  return value;
}, saslSchema);

const brokerList = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((s) => s.trim()).filter(Boolean) : value),
  z.array(z.string().regex(/^(\[[0-9a-fA-F:]+\]|[^\s:/]+):\d{1,5}$/, 'a broker is host:port (IPv6 in brackets)')).min(1),
);

/** Config of the `kafka` connection. */
export const kafkaConfigSchema = z
  .looseObject({
    /** Bootstrap brokers, `host:port`: a list, or Kafka's comma-separated string. */
    brokers: brokerList.optional(),
    /** Kafka's name for `brokers` (`bootstrap.servers`); either is accepted. */
    bootstrapServers: brokerList.optional(),
    clientId: z.string().min(1).default('sparkle'),
    /** TLS to the brokers (SSL / SASL_SSL). */
    ssl: tlsSchema.optional(),
    /** SASL authentication: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (username/password) or OAUTHBEARER (token). */
    sasl: saslInput.optional(),
    /** The default topic (health probe, `readTable()` without a name). */
    topic: z.string().min(1).optional(),
    /** The default consumer group of subscriptions. */
    groupId: z.string().min(1).optional(),
    /** Time to open a TCP (and TLS) connection to a broker. */
    connectionTimeoutMs: z.coerce.number().int().min(100).default(3000),
    /** Time a broker has to answer one request. */
    requestTimeoutMs: z.coerce.number().int().min(100).default(30000),
    /** Retries of a retryable failure before it is reported (kafkajs backs off between them). */
    retries: z.coerce.number().int().min(0).max(20).default(5),
    producer: z
      .object({
        /** Records per produce request. */
        batchSize: z.coerce.number().int().min(1).max(100000).default(1000),
        /** Unacknowledged bytes before `produce` waits for the broker (bounded memory). */
        maxInFlightBytes: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
        /** Exactly-once per partition: the broker drops retried duplicates (forces acks=all, one request in flight). */
        idempotent: z.boolean().default(false),
        /** Makes every `produce` call one Kafka transaction (implies idempotent). */
        transactionalId: z.string().min(1).optional(),
        /** -1 (all in-sync replicas, default), 1 (leader) or 0 (none). */
        acks: z.union([z.literal(-1), z.literal(0), z.literal(1)]).default(-1),
        compression: z.enum(['none', 'gzip']).default('none'),
        /** Let the broker create a missing topic on first produce (when the broker allows it). */
        allowAutoTopicCreation: z.boolean().default(true),
      })
      .prefault({}),
    consumer: z
      .object({
        /** Longest wait of one fetch when there is nothing new. */
        maxWaitTimeMs: z.coerce.number().int().min(10).default(500),
        sessionTimeoutMs: z.coerce.number().int().min(1000).default(30000),
        heartbeatIntervalMs: z.coerce.number().int().min(100).default(3000),
        /** Bytes one fetch may return per partition. */
        maxBytesPerPartition: z.coerce.number().int().min(1024).default(1024 * 1024),
        /** Messages buffered ahead of the reader before fetching pauses (bounded memory). */
        bufferMessages: z.coerce.number().int().min(1).default(5000),
      })
      .prefault({}),
  })
  .refine((c) => (c.brokers ?? c.bootstrapServers) !== undefined, { message: "set 'brokers' (a list of host:port) or 'bootstrapServers' ('host1:9092,host2:9092')", path: ['brokers'] });

export type KafkaConfig = z.output<typeof kafkaConfigSchema>;

/** The brokers of a config, whichever key named them. */
export function brokersOf(config: KafkaConfig): string[] {
  return config.brokers ?? config.bootstrapServers ?? [];
}

/** PEM text as given, or the contents of the file it names. */
function pemOf(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new ConfigError('CONFIG_INVALID', `kafka: ssl.${field} is neither PEM text nor a readable file (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}); give the PEM or its path`, { connector: 'kafka', cause });
  }
}

/** kafkajs client options from the config (no connection is made). */
export function kafkaJsOptions(config: KafkaConfig, logCreator: KafkaJsConfig['logCreator']): KafkaJsConfig {
  const ssl = config.ssl;
  const options: KafkaJsConfig = {
    clientId: config.clientId,
    brokers: brokersOf(config),
    connectionTimeout: config.connectionTimeoutMs,
    requestTimeout: config.requestTimeoutMs,
    // kafkajs' default retry budget can take half a minute to give up on a dead broker; the
    // schedule below keeps a failure's report within a few seconds per retry.
    retry: { retries: config.retries, initialRetryTime: 100, maxRetryTime: 2000 },
    logCreator,
  };
  if (ssl === true) options.ssl = true;
  else if (ssl && typeof ssl === 'object') {
    options.ssl = {
      rejectUnauthorized: ssl.rejectUnauthorized,
      ...(ssl.ca ? { ca: [pemOf(ssl.ca, 'ca')!] } : {}),
      ...(ssl.cert ? { cert: pemOf(ssl.cert, 'cert') } : {}),
      ...(ssl.key ? { key: pemOf(ssl.key, 'key') } : {}),
      ...(ssl.passphrase ? { passphrase: ssl.passphrase } : {}),
      ...(ssl.servername ? { servername: ssl.servername } : {}),
    };
  }
  const sasl = config.sasl;
  if (sasl) {
    if (sasl.mechanism === 'oauthbearer') {
      const token = sasl.token;
      options.sasl = { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) } as SASLOptions;
    } else {
      options.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as SASLOptions;
    }
  }
  return options;
}

/** Kafka's `security.protocol` for this config (Spark's `kafka.security.protocol`). */
export function securityProtocolOf(config: KafkaConfig): 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL' {
  const tls = config.ssl !== undefined && config.ssl !== false;
  if (config.sasl) return tls ? 'SASL_SSL' : 'SASL_PLAINTEXT';
  return tls ? 'SSL' : 'PLAINTEXT';
}
