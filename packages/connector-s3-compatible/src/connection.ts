/**
 * `S3CompatibleConnection`: S3-compatible servers (MinIO, SeaweedFS, Ceph RGW, Garage, R2, …)
 * are the `s3` connection pointed at another endpoint. This class IS `@sparkle/connector-s3`'s
 * `S3Connection` — same SDK calls, error mapping, uploads, Spark S3A options — with the config
 * defaults such servers need: `endpoint` is required and path-style addressing is on by default
 * (most have no per-bucket DNS names).
 */
import { z } from 'zod';
import { cloudStorageConfigSchema } from '@sparkle/core';
import { refineS3Credentials, S3Connection, s3ConfigShape } from '@sparkle/connector-s3';

/**
 * Config of an `s3_compatible` connection: `s3`'s fields, with `endpoint` required and
 * `forcePathStyle` defaulting to `true`.
 *
 * @example
 * ```ts
 * s3CompatibleConfigSchema.parse({ endpoint: 'http://127.0.0.1:9000', bucket: 'lake', accessKeyId: 'minio', secretAccessKey: '${MINIO_SECRET}' });
 * ```
 */
export const s3CompatibleConfigSchema = cloudStorageConfigSchema
  .extend({
    ...s3ConfigShape,
    /** The server's URL (`http://minio:9000`); required, as there is no default host. */
    endpoint: z.url(),
    /** Path-style addressing (`endpoint/bucket/key`); on by default. */
    forcePathStyle: z.boolean().default(true),
  })
  .superRefine(refineS3Credentials);

export type S3CompatibleConfig = z.output<typeof s3CompatibleConfigSchema>;

/**
 * The `s3_compatible` connection (alias `minio`).
 *
 * @example
 * ```ts
 * await using store = await getConnection('minio', { config: { endpoint: 'http://127.0.0.1:9000', bucket: 'lake', accessKeyId: 'minio', secretAccessKey: '${MINIO_SECRET}' } });
 * const frame = await store.readTable('raw/*.parquet');
 * ```
 */
export class S3CompatibleConnection extends S3Connection<S3CompatibleConfig> {
  static override schema: z.ZodType = s3CompatibleConfigSchema;
  static override family = 'cloud_storage';
  static override description = 'S3-compatible object stores (MinIO, SeaweedFS, Ceph RGW …): the s3 connection with an endpoint and path-style addressing';
}
