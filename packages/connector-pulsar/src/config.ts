/**
 * The `pulsar` config as users write it (JSON, `${ENV}` secrets). One HTTP(S) address serves
 * both halves of the native path: the admin REST API (`/admin/v2`) and the WebSocket API
 * (`/ws/v2`); `serviceUrl` (pulsar://) is kept for Spark and for the optional `pulsar-client`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, secret } from '@sparkle/core';

const tlsSchema = z.union([
  z.boolean(),
  z.object({
    /** CA certificate(s) of the broker, PEM text or a file path. */
    ca: z.string().min(1).optional(),
    /** Client certificate for mutual TLS, PEM text or a file path. */
    cert: z.string().min(1).optional(),
    /** Client private key, PEM text or a file path (a secret). */
    key: secret(z.string().min(1)).optional(),
    /** Verify the broker's certificate (default true; false only for throwaway test clusters). */
    rejectUnauthorized: z.boolean().default(true),
  }),
]);

/** Pulsar's subscription types (the WebSocket consumer's `subscriptionType`). */
export const SUBSCRIPTION_TYPES = ['Exclusive', 'Shared', 'Failover', 'Key_Shared'] as const;

/** Config of the `pulsar` connection. */
export const pulsarConfigSchema = z.looseObject({
  /** The broker's (or proxy's) HTTP address: admin REST and WebSocket, e.g. `http://127.0.0.1:8080`; `https://` for TLS. */
  webServiceUrl: z.url({ protocol: /^https?$/ }),
  /** The binary protocol address (`pulsar://host:6650`, `pulsar+ssl://host:6651`): Spark's `service.url`. */
  serviceUrl: z.string().regex(/^pulsar(\+ssl)?:\/\/\S+$/, 'a pulsar:// or pulsar+ssl:// URL').optional(),
  /** A JWT for Pulsar's token authentication (`Authorization: Bearer`). */
  token: secret(z.string().min(1)).optional(),
  /** TLS to the web service: `true` for the system trust store, or PEM text / file paths. */
  tls: tlsSchema.optional(),
  tenant: z.string().regex(/^[\w.-]+$/).default('public'),
  namespace: z.string().regex(/^[\w.-]+$/).default('default'),
  /** `persistent` (stored in BookKeeper) or `non-persistent` (delivered to connected consumers only) for short topic names. */
  persistence: z.enum(['persistent', 'non-persistent']).default('persistent'),
  /** The default topic (health probe, `readTable()` without a name). */
  topic: z.string().min(1).optional(),
  /** The default subscription of `subscribe()`. */
  subscription: z.string().min(1).optional(),
  /** Time one admin request or WebSocket handshake may take. */
  requestTimeoutMs: z.coerce.number().int().min(100).default(30_000),
  producer: z
    .object({
      /** Sends waiting for the broker's receipt before `produce` waits (bounded memory). */
      maxPendingMessages: z.coerce.number().int().min(1).max(100_000).default(1000),
      /** Payload bytes waiting for receipts before `produce` waits. */
      maxInFlightBytes: z.coerce.number().int().min(1024).default(16 * 1024 * 1024),
      /** The broker gives up on a send after this long (the WebSocket producer's `sendTimeoutMillis`). */
      sendTimeoutMs: z.coerce.number().int().min(0).default(30_000),
      /** Broker-side batching of the WebSocket producer (positions then carry a batch index). */
      batching: z.boolean().default(false),
    })
    .prefault({}),
  consumer: z
    .object({
      /** Messages the broker pushes ahead of the reader (`receiverQueueSize`). */
      receiverQueueSize: z.coerce.number().int().min(1).max(50_000).default(1000),
      subscriptionType: z.enum(SUBSCRIPTION_TYPES).default('Failover'),
      /** Redeliveries before a message goes to `deadLetterTopic` (with it, a dead-letter policy). */
      maxRedeliverCount: z.coerce.number().int().min(1).optional(),
      /** Where messages go after `maxRedeliverCount` redeliveries (default: Pulsar's `<topic>-<subscription>-DLQ`). */
      deadLetterTopic: z.string().min(1).optional(),
      /** Delay before a negatively acknowledged message is redelivered. */
      negativeAckRedeliveryDelayMs: z.coerce.number().int().min(0).default(1000),
      /** A bounded read that waits this long for a message it knows exists fails (the broker stalled). */
      idleTimeoutMs: z.coerce.number().int().min(100).default(30_000),
    })
    .prefault({}),
});

export type PulsarConfig = z.output<typeof pulsarConfigSchema>;

/** PEM text as given, or the contents of the file it names. */
export function pemOf(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new ConfigError('CONFIG_INVALID', `pulsar: tls.${field} is neither PEM text nor a readable file (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}); give the PEM or its path`, { connector: 'pulsar', cause });
  }
}

/** TLS options for node's TLS sockets (ws, undici), or undefined for the defaults. */
export function tlsOptionsOf(config: PulsarConfig): { ca?: string; cert?: string; key?: string; rejectUnauthorized: boolean } | undefined {
  const tls = config.tls;
  if (!tls || tls === true) return undefined;
  const ca = pemOf(tls.ca, 'ca');
  const cert = pemOf(tls.cert, 'cert');
  const key = pemOf(tls.key, 'key');
  return { rejectUnauthorized: tls.rejectUnauthorized, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
}
