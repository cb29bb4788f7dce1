/**
 * The `rabbitmq` config as users write it (JSON, `${ENV}` secrets): an AMQP URL, or host, port,
 * vhost, username and password; TLS; the defaults of produce, bounded reads and subscriptions;
 * the queues `discover()` checks (AMQP 0-9-1 cannot list queues, and the management HTTP API is
 * a plugin this connector does not require).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, secret } from '@sparkle/core';

const pem = z.string().min(1);

const tlsSchema = z.union([
  z.boolean(),
  z.object({
    /** CA certificate(s), PEM text or a file path. */
    ca: pem.optional(),
    /** Client certificate (EXTERNAL auth or mutual TLS), PEM text or a file path. */
    cert: pem.optional(),
    /** Client private key, PEM text or a file path (a secret). */
    key: secret(pem).optional(),
    passphrase: secret(z.string()).optional(),
    /** Verify the broker's certificate (default true). */
    rejectUnauthorized: z.boolean().default(true),
    servername: z.string().optional(),
  }),
]);

/** Config of the `rabbitmq` connection. */
export const rabbitmqConfigSchema = z
  .looseObject({
    /** `amqp://user:pass@host:5672/vhost` or `amqps://…` (the whole URL is treated as a secret). */
    url: secret(z.string().regex(/^amqps?:\/\//, "an AMQP URL starts with 'amqp://' or 'amqps://'")).optional(),
    host: z.string().min(1).optional(),
    port: z.coerce.number().int().min(1).max(65535).optional(),
    vhost: z.string().default('/'),
    username: z.string().optional(),
    password: secret(z.string()).optional(),
    /** TLS (`amqps`): `true`, or CA / client certificate material. */
    tls: tlsSchema.optional(),
    /** Seconds between heartbeats (0 turns them off). */
    heartbeatSeconds: z.coerce.number().int().min(0).default(30),
    /** Time to open the TCP (and TLS) connection and finish the AMQP handshake. */
    connectionTimeoutMs: z.coerce.number().int().min(100).default(5000),
    /** The default queue: the one `check()` describes. */
    queue: z.string().min(1).optional(),
    /** Queues `discover()` reports (checked with passive declares). */
    queues: z.array(z.string().min(1)).default([]),
    /** Messages a subscription may hold unacknowledged (basic.qos prefetch). */
    prefetch: z.coerce.number().int().min(1).max(65535).default(100),
    /** Published messages are persistent (delivery mode 2) unless set false. */
    persistent: z.boolean().default(true),
    /** Records per batch of publishes, after which `produce` waits for the broker's confirms. */
    batchSize: z.coerce.number().int().min(1).default(500),
    /**
     * A bounded read (`readTable`, `consumeRange`) either `peek`s — messages are taken without
     * acknowledgement and given back when the read ends, so the queue keeps them — or `remove`s
     * them (each acknowledged after the reader took the next one).
     */
    boundedRead: z.enum(['peek', 'remove']).default('peek'),
    /** How long deliveries left unacknowledged when a subscription loop ends may still be ack()ed before the broker gets them back. */
    ackGraceMs: z.coerce.number().int().min(0).default(10_000),
  })
  .refine((c) => c.url !== undefined || c.host !== undefined, { message: "set 'url' (amqp://user:pass@host:5672/vhost) or 'host'", path: ['url'] });

export type RabbitMQConfig = z.output<typeof rabbitmqConfigSchema>;

function pemOf(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (cause) {
    throw new ConfigError('CONFIG_INVALID', `rabbitmq: tls.${field} is neither PEM text nor a readable file (${(cause as NodeJS.ErrnoException).code ?? 'unreadable'}); give the PEM or its path`, {
      connector: 'rabbitmq',
      cause,
    });
  }
}

/** Host and port the config points at (for the network tier of `check()` and lineage). */
export function endpointOf(config: RabbitMQConfig): { host: string; port: number; tls: boolean } {
  if (config.url) {
    const u = new URL(config.url);
    const tls = u.protocol === 'amqps:';
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: u.port ? Number(u.port) : tls ? 5671 : 5672, tls };
  }
  const tls = config.tls !== undefined && config.tls !== false;
  return { host: config.host!, port: config.port ?? (tls ? 5671 : 5672), tls };
}

/** The vhost of the config (from the URL's path when a URL is given). */
export function vhostOf(config: RabbitMQConfig): string {
  if (config.url) {
    const path = new URL(config.url).pathname;
    return path === '' || path === '/' ? '/' : decodeURIComponent(path.slice(1));
  }
  return config.vhost;
}

/** amqplib's connect arguments: the URL or options object, and the socket (TLS) options. */
export function connectArguments(config: RabbitMQConfig): { target: string | Record<string, unknown>; socket: Record<string, unknown> } {
  const socket: Record<string, unknown> = { timeout: config.connectionTimeoutMs };
  const tls = config.tls;
  if (tls && typeof tls === 'object') {
    Object.assign(socket, {
      rejectUnauthorized: tls.rejectUnauthorized,
      ...(tls.ca ? { ca: [pemOf(tls.ca, 'ca')] } : {}),
      ...(tls.cert ? { cert: pemOf(tls.cert, 'cert') } : {}),
      ...(tls.key ? { key: pemOf(tls.key, 'key') } : {}),
      ...(tls.passphrase ? { passphrase: tls.passphrase } : {}),
      ...(tls.servername ? { servername: tls.servername } : {}),
    });
  }
  if (config.url) {
    const u = new URL(config.url);
    if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', String(config.heartbeatSeconds));
    if (config.username !== undefined && !u.username) u.username = encodeURIComponent(config.username);
    if (config.password !== undefined && !u.password) u.password = encodeURIComponent(config.password);
    return { target: u.toString(), socket };
  }
  const { host, port, tls: useTls } = endpointOf(config);
  return {
    target: {
      protocol: useTls ? 'amqps' : 'amqp',
      hostname: host,
      port,
      vhost: config.vhost,
      username: config.username ?? 'guest',
      password: config.password ?? 'guest',
      heartbeat: config.heartbeatSeconds,
    },
    socket,
  };
}
