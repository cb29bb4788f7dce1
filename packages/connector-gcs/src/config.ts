/**
 * Config of the `gcs` connection, and the service-account key it may carry. The key is checked
 * when the config is validated (so a broken key is a `CONFIG_INVALID` naming the field, never
 * printing the key), then parsed once by the connection.
 */
import { z } from 'zod';
import { cloudStorageConfigSchema, googleCredentialsSchema, secret } from '@sparkle/core';

export { parseServiceAccountKey, type ServiceAccountKey } from '@sparkle/core';

/** GCS bucket names: 3–63 characters (up to 222 with dots), lower-case letters, digits, `-`, `_`, `.`. */
const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/;
/** Resumable uploads send chunks in multiples of 256 KiB. */
export const UPLOAD_CHUNK_UNIT = 256 * 1024;

/** Config of a `gcs` connection. */
export const gcsConfigSchema = cloudStorageConfigSchema.extend({
  /** Google Cloud project id (Spark's `fs.gs.project.id`; default: the key's `project_id` or ADC's). */
  project: z.string().min(1).optional(),
  /** The bucket every key lives in. */
  bucket: z.string().regex(BUCKET_NAME, { message: 'must be a GCS bucket name: 3-63 lower-case letters, digits, dots, dashes or underscores' }),
  /** Root prefix inside the bucket every key is relative to (`lake/raw`). */
  prefix: z
    .string()
    .default('')
    .refine((p) => !p.split('/').includes('..'), { message: "must not contain '..' segments" }),
  /** Service-account credentials; omitted: Application Default Credentials (`GOOGLE_APPLICATION_CREDENTIALS`, gcloud, metadata server). */
  credentials: googleCredentialsSchema.optional(),
  /** API root, for an emulator (`http://127.0.0.1:4443`); requests to it are not authenticated unless `authenticateEndpoint`. */
  apiEndpoint: z.url().optional(),
  /** Send credentials to `apiEndpoint` too (a private gateway in front of real GCS). */
  authenticateEndpoint: z.boolean().default(false),
  /** Path of the key file on the Spark driver and executors (default: `credentials.keyFile`). */
  sparkKeyFile: z.string().min(1).optional(),
  /** Retries of idempotent calls on 408/429/5xx and network errors, with exponential backoff (the client's own). */
  maxRetries: z.coerce.number().int().min(0).max(20).default(3),
  /** Bytes per resumable-upload request for streamed puts (rounded up to 256 KiB); memory stays within about one chunk. */
  uploadChunkBytes: z.coerce.number().int().positive().default(8 * 1024 * 1024),
  /** Puts of at most this many bytes (known up front) go in one request instead of a resumable session. */
  singleRequestMaxBytes: z.coerce.number().int().nonnegative().default(5 * 1024 * 1024),
});

export type GcsConfig = z.output<typeof gcsConfigSchema>;
