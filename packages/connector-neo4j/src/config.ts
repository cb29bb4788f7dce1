/**
 * The config of a `neo4j` connection as users write it: the Bolt URI (`bolt://`, `neo4j://`,
 * with `+s`/`+ssc` for TLS), credentials (the password is a secret), the database, and the
 * property that keys nodes (what `MERGE` matches on when documents are upserted).
 */
import { z } from 'zod';
import { secret } from '@sparkle/core';

/** Config of the `neo4j` connection. */
export const neo4jConfigSchema = z.looseObject({
  /** `bolt://host:7687`, `neo4j://host` (routing), `bolt+s://…` / `neo4j+s://…` for TLS. */
  uri: z
    .string()
    .regex(/^(bolt|neo4j)(\+s|\+ssc)?:\/\/[^\s/]+(:\d+)?\/?$/, 'a Bolt URI such as bolt://localhost:7687 or neo4j+s://host')
    .default('bolt://localhost:7687'),
  username: z.string().default('neo4j'),
  password: secret(z.string()).optional(),
  /** Database name (default: the server's default database). */
  database: z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,62}$/, 'a Neo4j database name').optional(),
  /** Node property that identifies a document (the key of upserts, gets and deletes). */
  keyProperty: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a property name: letters, digits and _').default('_id'),
  /** Rows per `UNWIND … MERGE` transaction of a write. */
  writeBatchSize: z.coerce.number().int().positive().max(100_000).default(1000),
  /** SKIP/LIMIT partitions of a label read when the read does not say `numPartitions`. */
  defaultPartitions: z.coerce.number().int().positive().max(1024).default(1),
  connectTimeoutMs: z.coerce.number().int().positive().default(5000),
  maxConnectionPoolSize: z.coerce.number().int().positive().default(20),
});

export type Neo4jConfig = z.output<typeof neo4jConfigSchema>;
