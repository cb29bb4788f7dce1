/** Config of the `hdfs` connection. */
import { z } from 'zod';
import { cloudStorageConfigSchema, secret } from '@sparkle/core';

/** Config of an `hdfs` connection. */
export const hdfsConfigSchema = cloudStorageConfigSchema
  .extend({
    /**
     * The NameNodes' HTTP addresses serving WebHDFS (`http://nn1:9870`), or an HttpFS gateway
     * (`http://gateway:14000`). Several: HA — each is tried in turn, a standby or unreachable one
     * is skipped, and the one that answered is used first afterwards.
     */
    namenodes: z.array(z.url({ protocol: /^https?$/, message: 'must be an http(s) URL of a NameNode HTTP address, e.g. http://nn1:9870' })).min(1),
    /** `webhdfs` (the NameNode sends data requests to a DataNode) or `httpfs` (the gateway carries the data itself). */
    endpoint: z.enum(['webhdfs', 'httpfs']).default('webhdfs'),
    /** Directory every key is relative to (`/data/lake`); default `/`. */
    path: z
      .string()
      .default('/')
      .refine((p) => p.startsWith('/'), { message: "must be an absolute HDFS path starting with '/'" })
      .refine((p) => !p.split('/').includes('..'), { message: "must not contain '..' segments" }),
    /** The user requests act as (`user.name`, simple authentication). Default: the OS user running Node. */
    user: z.string().min(1).optional(),
    /** A delegation token (`hdfs fetchdt`, or from a Kerberos-authenticated service); sent instead of `user`. */
    delegationToken: secret(z.string().min(1)).optional(),
    /** `simple` (user.name or a delegation token). `kerberos` (SPNEGO) is not supported by this client. */
    auth: z.enum(['simple', 'kerberos']).default('simple'),
    /** NameNode RPC port, for the `hdfs://` URIs Spark uses. */
    rpcPort: z.coerce.number().int().min(1).max(65535).default(8020),
    /** HA nameservice id (`hdfs://<nameservice>/…` for Spark, with its dfs.ha.* options). */
    nameservice: z.string().regex(/^[A-Za-z0-9._-]+$/).optional(),
    /** Per-request timeout, and retries of idempotent calls on network errors and 5xx. */
    requestTimeoutMs: z.coerce.number().int().positive().default(60_000),
    maxRetries: z.coerce.number().int().min(0).max(20).default(3),
    /** Replication, block size and permission of files written (server defaults when unset). */
    replication: z.coerce.number().int().min(1).max(32).optional(),
    blockSize: z.coerce.number().int().positive().optional(),
    permission: z
      .string()
      .regex(/^[0-1]?[0-7]{3}$/)
      .optional(),
  })
  .superRefine((c, ctx) => {
    if (c.auth === 'kerberos') {
      ctx.addIssue({
        code: 'custom',
        path: ['auth'],
        message:
          "Kerberos (SPNEGO) is not supported by Sparkle's WebHDFS client; get a delegation token (hdfs fetchdt, or from a service that holds a keytab) and set delegationToken with auth 'simple', or go through an HttpFS gateway that accepts simple authentication",
      });
    }
  });

export type HdfsConfig = z.output<typeof hdfsConfigSchema>;
