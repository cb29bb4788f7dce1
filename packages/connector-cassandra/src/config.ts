/**
 * The config of a `cassandra` (and `scylladb`) connection, as users write it in JSON: contact
 * points, the local data center the driver's load balancing needs, the keyspace whose tables are
 * the collections, credentials (the password is a secret), TLS, consistency, and the two opt-ins
 * a CQL store needs for document semantics (`allowFiltering`, `createTables`).
 */
import { z } from 'zod';
import { secret } from '@sparkle/core';

/** CQL consistency levels by name (as cqlsh and the Spark connector spell them). */
export const CONSISTENCY_LEVELS = ['ANY', 'ONE', 'TWO', 'THREE', 'QUORUM', 'ALL', 'LOCAL_QUORUM', 'EACH_QUORUM', 'LOCAL_ONE'] as const;

const contactPoints = z
  .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
  .transform((v) => (Array.isArray(v) ? v : v.split(',').map((s) => s.trim()).filter(Boolean)));

/** Config of the `cassandra` connection. */
export const cassandraConfigSchema = z.looseObject({
  /** Hosts (`host` or `host:port`), as an array or a comma-separated string. */
  contactPoints: contactPoints.default(['127.0.0.1']),
  /** Native-protocol port of contact points given without one. */
  port: z.coerce.number().int().positive().max(65535).default(9042),
  /** The data center the driver treats as local (required by its load balancing). */
  localDataCenter: z.string().min(1).default('datacenter1'),
  /** Keyspace whose tables are this connection's collections. */
  keyspace: z.string().regex(/^[A-Za-z0-9_]{1,48}$/, 'a keyspace name: letters, digits and _ (at most 48)').optional(),
  username: z.string().optional(),
  password: secret(z.string()).optional(),
  /** TLS to the nodes: `true`, or options (a CA in PEM, whether to verify the certificate). */
  tls: z
    .union([z.boolean(), z.strictObject({ ca: z.string().optional(), rejectUnauthorized: z.boolean().default(true), serverName: z.string().optional() })])
    .default(false),
  /** Consistency of reads and writes (default: the driver's LOCAL_ONE). */
  consistency: z.enum(CONSISTENCY_LEVELS).optional(),
  /** Lets filters on non-key columns run server-side with ALLOW FILTERING (a scan: opt in knowingly). */
  allowFiltering: z.boolean().default(false),
  /** Creates a missing table on the first upsert, its columns inferred from the first batch. */
  createTables: z.boolean().default(true),
  /** Concurrent write requests (statements or single-partition batches) in flight. */
  writeConcurrency: z.coerce.number().int().positive().max(256).default(16),
  /** Token-range partitions of a table read when the read does not say `numPartitions`. */
  defaultPartitions: z.coerce.number().int().positive().max(4096).default(4),
  connectTimeoutMs: z.coerce.number().int().positive().default(5000),
  requestTimeoutMs: z.coerce.number().int().positive().default(30_000),
});

export type CassandraConfig = z.output<typeof cassandraConfigSchema>;
